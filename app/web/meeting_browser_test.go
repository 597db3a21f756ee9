package web_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
	"github.com/xuri/excelize/v2"
)

// TestBrowserMeeting: a weekly meeting in real Chromium. The supervisor opens the
// report of week 46 (Monday 16 November), records two decisions for the first
// management organisation and the attendees; the organisation's dispatcher (uk1)
// reports one done with a note; a week later the report of week 47 shows the one
// done and the other overdue; the minutes print on A4 and, like the XLSX, hold
// every row.
func TestBrowserMeeting(t *testing.T) {
	s, clock := apptest.Demo(t)
	srv := apptest.Server(t, s)
	ctx := context.Background()
	uk1 := apptest.User(t, s, "uk1")
	org, err := s.Organization(ctx, uk1.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	base := apptest.Listen(t, srv)
	bctx := apptest.Browser(t)
	signIn := func(login, next string) chromedp.Tasks {
		return chromedp.Tasks{
			network.ClearBrowserCookies(),
			chromedp.Navigate(base + "/login?next=" + next),
			chromedp.SendKeys("#login", login),
			chromedp.SendKeys("#password", login),
			chromedp.Submit("#password"),
		}
	}
	decide := func(text, due string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.WaitVisible("#decision-form"),
			chromedp.SendKeys(`#decision-form textarea[name="text"]`, text),
			chromedp.SetValue(`#decision-form select[name="organization_id"]`, fmt.Sprint(org.ID)),
			chromedp.SetValue(`#decision-form input[name="due_on"]`, due),
			// The note of the decision before must not pass for this one's: the
			// wait below is for the page the submission brings.
			chromedp.Evaluate(`document.querySelectorAll("p.ok").forEach(function (e) { e.remove() })`, nil),
			chromedp.Click(`#decision-form button[type="submit"]`),
			chromedp.WaitVisible(`p.ok`),
		}
	}
	// A decision without a due date is refused with the field named; nothing saved.
	var refusal string
	err = chromedp.Run(bctx,
		signIn("supervisor", "/report/%3Fweek%3D2026-W46"),
		chromedp.WaitVisible("#decision-form"),
		chromedp.SendKeys(`#decision-form textarea[name="text"]`, "Без срока"),
		chromedp.SetValue(`#decision-form select[name="organization_id"]`, fmt.Sprint(org.ID)),
		chromedp.Click(`#decision-form button[type="submit"]`),
		chromedp.WaitVisible(`#decision-form .error`),
		chromedp.Text(`#decision-form .error [data-field="due_on"]`, &refusal),
	)
	if err != nil {
		t.Fatal(err)
	}
	if refusal != "Укажите срок исполнения." {
		t.Errorf("refusal %q", refusal)
	}
	if n := rawCount(t, s.Path, "SELECT count(*) FROM decisions"); n != 0 {
		t.Fatalf("%d decisions saved by a refused form", n)
	}
	err = chromedp.Run(bctx,
		chromedp.Navigate(base+"/report/?week=2026-W46"),
		decide("Устранить протечки кровли в домах с повторными заявками", "2026-11-20"),
		decide("Проверить подвалы на подтопление", "2026-11-18"),
		chromedp.SetValue(`input[name="held_on"]`, "2026-11-16"),
		chromedp.SendKeys(`textarea[name="attendees"]`, "Начальник Управления ЖКХ; представители управляющих организаций"),
		chromedp.Click(`#meeting-form button[type="submit"]`),
		chromedp.WaitVisible(`#meeting-saved`),
	)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Decisions(ctx, store.DecisionFilter{Week: "2026-W46"})
	if err != nil || len(list) != 2 {
		t.Fatalf("decisions %v, %v", list, err)
	}
	roof, cellar := list[0], list[1]
	// The organisation reports the first one done, on 19 November.
	clock.Set(time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC))
	var stateAfter string
	err = chromedp.Run(bctx,
		signIn("uk1", "/work/decisions"),
		chromedp.WaitVisible("#open-decisions"),
		chromedp.SendKeys(fmt.Sprintf(`tr[data-decision="%d"] input[name="note"]`, roof.ID), "Кровля ул. Мира, 16а заделана, протечек нет"),
		chromedp.Click(fmt.Sprintf(`tr[data-decision="%d"] button`, roof.ID)),
		chromedp.WaitVisible("#done-decisions"),
		chromedp.Text(fmt.Sprintf(`#done-decisions tr[data-decision="%d"] td.state`, roof.ID), &stateAfter),
	)
	if err != nil {
		t.Fatal(err)
	}
	if stateAfter != "выполнено, 19.11.2026 13:00" {
		t.Errorf("org's list after marking: %q", stateAfter)
	}
	apptest.Screenshot(t, bctx, "org-decisions")
	// A week later: the report of week 47 lists both with their states.
	clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	var states map[string]string
	err = chromedp.Run(bctx,
		signIn("supervisor", "/report/%3Fweek%3D2026-W47"),
		chromedp.WaitVisible("#earlier-decisions"),
		chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll("#earlier-decisions tr[data-decision]")].map(r => [r.dataset.decision, r.querySelector("td.state").innerText]))`, &states),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{fmt.Sprint(roof.ID): "выполнено, 19.11.2026 13:00", fmt.Sprint(cellar.ID): "просрочено"}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("week 47's decisions %v, want %v", states, want)
	}
	apptest.Screenshot(t, bctx, "report-w47")
	// The minutes of week 46 print on A4 with every organisation and decision.
	var pdf []byte
	var orgRows, decisionRows int
	var heading string
	err = chromedp.Run(bctx,
		chromedp.Navigate(base+"/report/minutes?week=2026-W46"),
		chromedp.WaitVisible("#minutes-totals"),
		chromedp.Evaluate(`document.querySelectorAll("#minutes-totals tbody tr").length`, &orgRows),
		chromedp.Evaluate(`document.querySelectorAll("#minutes-decisions tr[data-decision]").length`, &decisionRows),
		chromedp.Text("article.minutes", &heading),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, bctx, "minutes")
	rep, err := srv.Rating.FullWeeklyReport(ctx, "2026-W46")
	if err != nil {
		t.Fatal(err)
	}
	if orgRows != len(rep.ByOrg)+1 || decisionRows != 2 {
		t.Errorf("minutes: %d totals rows, %d decisions; want %d and 2", orgRows, decisionRows, len(rep.ByOrg)+1)
	}
	for _, w := range []string{"Дата совещания: 16.11.2026", "Начальник Управления ЖКХ; представители управляющих организаций",
		"Устранить протечки кровли в домах с повторными заявками", "Проверить подвалы на подтопление", "Кровля ул. Мира, 16а заделана"} {
		if !strings.Contains(heading, w) {
			t.Errorf("the minutes lack %q", w)
		}
	}
	box := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]`).FindSubmatch(pdf)
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || box == nil || !near(box[1], 595) || !near(box[2], 842) {
		t.Errorf("the minutes' page size %q, want A4 595×842", box)
	}
	// The minutes' XLSX and the report's XLSX: every row.
	cookie := ratingSignIn(t, srv, "supervisor")
	code, xl, _ := get(t, srv, "/report/minutes.xlsx?week=2026-W46", cookie)
	if code != 200 {
		t.Fatalf("minutes.xlsx: %d", code)
	}
	book, err := excelize.OpenReader(bytes.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Протокол")
	flat := ""
	for _, r := range rows {
		flat += strings.Join(r, "|") + "\n"
	}
	for _, w := range []string{"Дата совещания|16.11.2026", "Присутствовали|Начальник Управления ЖКХ", "|Устранить протечки кровли в домах с повторными заявками|" + org.Name,
		"|Проверить подвалы на подтопление|" + org.Name, "выполнено|19.11.2026 13:00|Кровля ул. Мира, 16а заделана, протечек нет"} {
		if !strings.Contains(flat, w) {
			t.Errorf("minutes.xlsx lacks %q:\n%s", w, flat)
		}
	}
	for _, o := range rep.ByOrg {
		if !strings.Contains(flat, "\n"+o.Title+"|") {
			t.Errorf("minutes.xlsx lacks the line of %s", o.Title)
		}
	}
	clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	code, xl, _ = get(t, srv, "/report/xlsx?week=2026-W47", cookie)
	if code != 200 {
		t.Fatalf("report xlsx: %d", code)
	}
	book, err = excelize.OpenReader(bytes.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = book.GetRows("Поручения")
	if len(rows) != 3 || rows[1][7] != "выполнено" || rows[2][7] != "просрочено" {
		t.Errorf("report W47's decisions sheet %v", rows)
	}
}
