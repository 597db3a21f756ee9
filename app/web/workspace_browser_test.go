package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// signInAs signs out whoever is signed in and signs login in through the form.
func signInAs(login string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(baseURL + "/login"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			// Signed in already: sign out through the navigation's button first.
			var n int
			if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("form[action='/logout'] button").length`, &n)); err != nil {
				return err
			}
			if n > 0 {
				return chromedp.Run(ctx, chromedp.Click(`form[action='/logout'] button`), chromedp.WaitVisible(`a[href='/login']`), chromedp.Navigate(baseURL+"/login"))
			}
			return nil
		}),
		chromedp.WaitVisible("#login"),
		chromedp.SendKeys("#login", login),
		chromedp.SendKeys("#password", login),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("header nav form[action='/logout']"),
	}
}

var baseURL string

func ticketStatus(t *testing.T, s *store.Store, number string) app.Status {
	t.Helper()
	tk, err := s.Ticket(apptest.As(&app.User{Role: app.RoleSupervisor}), number)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Status
}

// TestBrowserTicketLifecycle: the operator files a ticket by phone, finding the
// address as they type, and sees it in the queue; the organisation accepts it and
// reports it done; the resident says it is not fixed and it is back with the
// organisation as reopened; the next call is positive and it is closed; the
// supervisor finds an overdue ticket with the search filters.
func TestBrowserTicketLifecycle(t *testing.T) {
	s, _ := demo(t) // before the browser: its time limit starts when it starts
	ctx := apptest.Browser(t)
	baseURL = apptest.Listen(t, apptest.Server(t, s))
	uk1 := apptest.User(t, s, "uk1")
	bs, err := s.Buildings(context.Background(), uk1.OrganizationID)
	if err != nil || len(bs) == 0 {
		t.Fatalf("uk1 has no buildings: %v", err)
	}
	addr := strings.Join(app.AddressTokens(bs[0].Address), " ")

	// 1. The operator takes the call.
	var number, due string
	run(t, ctx, "intake",
		signInAs("operator"),
		chromedp.Navigate(baseURL+"/work/new"),
		chromedp.WaitVisible("#reporter_phone"),
		chromedp.SendKeys("#reporter_phone", "+7 912 345-67-89"),
		chromedp.SendKeys("#reporter_name", "Петрова Анна"),
		chromedp.SendKeys("#building_q", addr),
		chromedp.WaitVisible("#buildings input[type=radio]"),
		chromedp.SendKeys("#work_q", "течёт кран"),
		chromedp.WaitVisible("#worktypes input[value='CW-05']"),
		chromedp.SendKeys("#description", "На кухне течёт кран, капает постоянно"),
		chromedp.SendKeys("#apartment", "12"),
	)
	apptest.Screenshot(t, ctx, "intake")
	run(t, ctx, "save by keyboard",
		chromedp.SendKeys("#apartment", kb.Enter),
		chromedp.WaitVisible("#created-number"),
		chromedp.Text("#created-number", &number),
		chromedp.Text("#created-due", &due),
	)
	apptest.Screenshot(t, ctx, "created")
	if !strings.HasPrefix(number, "USN-") || due == "" {
		t.Fatalf("created %q due %q", number, due)
	}
	if st := ticketStatus(t, s, number); st != app.StatusRouted {
		t.Fatalf("filed ticket is %s", st)
	}
	var queue string
	run(t, ctx, "queue",
		chromedp.Navigate(baseURL+"/work/?q=routed"),
		chromedp.WaitVisible("#queue"),
		chromedp.Text("#queue", &queue),
	)
	apptest.Screenshot(t, ctx, "queue")
	if !strings.Contains(queue, number) {
		t.Fatalf("the new ticket %s is not in the queue", number)
	}

	// 2. The organisation accepts it from its incoming queue and reports it done.
	orgDone := chromedp.Tasks{
		chromedp.Navigate(baseURL + "/work/tickets/" + number),
		chromedp.WaitVisible("#act-done"),
		chromedp.SendKeys("#act-done input[name=executor]", "Сантехник Иванов"),
		chromedp.SendKeys("#act-done input[name=note]", "Заменена кран-букса"),
		chromedp.Submit("#act-done"),
		chromedp.WaitVisible(".status.s-done"),
	}
	run(t, ctx, "organisation",
		signInAs("uk1"),
		chromedp.Navigate(baseURL+"/work/?q=incoming"),
		chromedp.WaitVisible("#queue"),
	)
	apptest.Screenshot(t, ctx, "org-incoming")
	run(t, ctx, "accept", chromedp.Click(`form[action='/work/tickets/`+number+`/accept'] button`), chromedp.WaitNotPresent(`form[action='/work/tickets/`+number+`/accept']`))
	if st := ticketStatus(t, s, number); st != app.StatusAccepted {
		t.Fatalf("after accept: %s", st)
	}
	run(t, ctx, "done", orgDone)
	apptest.Screenshot(t, ctx, "org-done")

	// 3. The call back: not fixed.
	run(t, ctx, "negative call",
		signInAs("operator"),
		chromedp.Navigate(baseURL+"/work/?q=done"),
		chromedp.Click(`form[action='/work/tickets/`+number+`/claim'] button`),
		chromedp.WaitVisible("#call-reject"),
	)
	apptest.Screenshot(t, ctx, "call")
	run(t, ctx, "reject",
		chromedp.SendKeys("#reject-note", "Кран всё ещё капает"),
		chromedp.Click("#call-reject button"),
		chromedp.WaitVisible("#queue"),
	)
	if st := ticketStatus(t, s, number); st != app.StatusReopened {
		t.Fatalf("after a negative call: %s", st)
	}

	// 4. Back with the organisation as reopened; it does the work again.
	var reopened string
	run(t, ctx, "reopened",
		signInAs("uk1"),
		chromedp.Navigate(baseURL+"/work/?q=reopened"),
		chromedp.WaitVisible("#queue"),
		chromedp.Text("#queue", &reopened),
		chromedp.Navigate(baseURL+"/work/tickets/"+number),
		chromedp.Submit("#act-accept"),
		chromedp.WaitVisible(".status.s-accepted"),
		orgDone,
	)
	if !strings.Contains(reopened, number) {
		t.Fatalf("the reopened queue of the organisation lacks %s", number)
	}

	// 5. The next call is positive: closed.
	run(t, ctx, "positive call",
		signInAs("operator"),
		chromedp.Navigate(baseURL+"/work/call/"+number),
		chromedp.Click("#call-confirm button"),
		chromedp.WaitVisible("#queue"),
	)
	if st := ticketStatus(t, s, number); st != app.StatusClosed {
		t.Fatalf("after a positive call: %s", st)
	}
	run(t, ctx, "timeline", chromedp.Navigate(baseURL+"/work/tickets/"+number), chromedp.WaitVisible(".timeline"))
	apptest.Screenshot(t, ctx, "closed")

	// 6. The supervisor finds an overdue ticket.
	sup := apptest.As(apptest.User(t, s, "supervisor"))
	over, _, err := s.Tickets(sup, store.TicketFilter{Overdue: true, Limit: 1})
	if err != nil || len(over) == 0 {
		t.Fatalf("the demo has no overdue ticket: %v", err)
	}
	var found string
	run(t, ctx, "supervisor",
		signInAs("supervisor"),
		chromedp.Navigate(baseURL+"/work/overview"),
		chromedp.WaitVisible(".overview"),
	)
	apptest.Screenshot(t, ctx, "overview")
	run(t, ctx, "search",
		chromedp.Navigate(baseURL+"/work/search"),
		chromedp.WaitVisible("#f-org"),
		chromedp.Evaluate(`document.querySelector("#f-org").value = "`+strconv.FormatInt(over[0].OrganizationID, 10)+`"`, nil),
		chromedp.Click("#f-overdue"),
		chromedp.Submit("#f-overdue"),
		chromedp.WaitVisible("#found"),
		chromedp.Text("main", &found),
	)
	apptest.Screenshot(t, ctx, "search")
	// The same screens on a phone.
	run(t, ctx, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(baseURL+"/work/"), chromedp.WaitVisible("#queue"))
	apptest.Screenshot(t, ctx, "phone-queue")
	if !strings.Contains(found, over[0].Number) || !strings.Contains(strings.ToLower(found), "просрочена") {
		t.Fatalf("the search for overdue tickets does not show %s", over[0].Number)
	}
}

// TestBrowserAdminImport: the administrator imports a CSV with one bad row, sees
// it reported with its line, and imports the rest only by choosing to skip it.
func TestBrowserAdminImport(t *testing.T) {
	s, _ := demo(t) // before the browser: its time limit starts when it starts
	ctx := apptest.Browser(t)
	baseURL = apptest.Listen(t, apptest.Server(t, s))
	orgs, _ := s.Organizations(context.Background(), app.OrgManagement)
	csv := "адрес;организация;квартир;площадь;год постройки\n" +
		"ул. Новая, д. 1;" + orgs[0].Name + ";40;2100,5;1985\n" +
		"ул. Новая, д. 2;УК «Такой нет»;20;900;1990\n" +
		"ул. Новая, д. 3;" + orgs[0].Name + ";60;3000;2001\n"
	file := filepath.Join(t.TempDir(), "doma.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var bad, line string
	run(t, ctx, "upload",
		signInAs("admin"),
		chromedp.Navigate(baseURL+"/admin/import"),
		chromedp.WaitVisible("#i-file"),
		chromedp.SetUploadFiles("#i-file", []string{file}),
		chromedp.Submit("#import-form"),
		chromedp.WaitVisible("#bad-rows"),
		chromedp.Text("#bad-rows", &bad),
		chromedp.Text("#bad-rows tbody td", &line),
	)
	apptest.Screenshot(t, ctx, "import-preview")
	if line != "3" || !strings.Contains(bad, "Такой нет") {
		t.Fatalf("bad rows: %q", bad)
	}
	if n, _ := s.SearchBuildings(context.Background(), "новая", 10); len(n) != 0 {
		t.Fatalf("the preview imported %d buildings", len(n))
	}
	var done string
	run(t, ctx, "apply",
		chromedp.Click("#skip-bad"),
		chromedp.Click("#apply"),
		chromedp.WaitVisible("#import-done"),
		chromedp.Text("#import-done", &done),
	)
	apptest.Screenshot(t, ctx, "import-done")
	if n, _ := s.SearchBuildings(context.Background(), "новая", 10); len(n) != 2 {
		t.Fatalf("imported %d buildings, want 2 (%s)", len(n), done)
	}
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(sctx, actions...); err != nil {
		apptest.Screenshot(t, ctx, "failed-"+strings.ReplaceAll(step, " ", "-"))
		t.Fatalf("%s: %v", step, err)
	}
}
