package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestBrowserIntakeByKeyboard: an operator types what the caller says and only
// presses Enter: «у нас течёт крыша», «мусор не вывезли» and «затопили соседи» file
// the right work types; «холодно» + Enter picks nothing on its own (which heating
// emergency?) and the form asks for the work type, filing nothing.
func TestBrowserIntakeByKeyboard(t *testing.T) {
	s, _ := demo(t)
	ctx := apptest.Browser(t)
	baseURL = apptest.Listen(t, apptest.Server(t, s))
	bs, err := s.Buildings(context.Background(), 0)
	if err != nil || len(bs) == 0 {
		t.Fatal("no buildings")
	}
	addr := strings.Join(app.AddressTokens(bs[0].Address), " ")
	run(t, ctx, "sign in", signInAs("operator"))
	// Each phrase from a caller of its own: a known caller's house and flat are
	// filled in for the operator (TestCallerEarlierAddresses), which this test of
	// the work-type search leaves aside.
	calls := 0
	fill := func(phrase string) chromedp.Tasks {
		calls++
		return chromedp.Tasks{
			chromedp.Navigate(baseURL + "/work/new"),
			chromedp.WaitVisible("#reporter_phone"),
			chromedp.SendKeys("#reporter_phone", fmt.Sprintf("+7 999 555-01-%02d", calls)),
			chromedp.WaitVisible("#caller .hint", chromedp.ByQuery), // «Раньше с этого номера не звонили.» (a number the demo never used)
			chromedp.SendKeys("#building_q", addr),
			chromedp.WaitVisible("#buildings input[type=radio]:checked"),
			chromedp.SendKeys("#building_q", kb.Enter), // on to the chosen house / the flat
			chromedp.SendKeys("#apartment", "7"),
			chromedp.SendKeys("#work_q", phrase),
			chromedp.WaitVisible("#worktypes input[type=radio]"),
		}
	}
	for _, c := range []struct{ phrase, want string }{
		{"у нас течёт крыша", "ROOF-01"},
		{"мусор не вывезли", "WASTE-01"},
		{"затопили соседи", "FLOOD-01"},
	} {
		var number string
		run(t, ctx, c.phrase,
			fill(c.phrase),
			chromedp.WaitVisible("#worktypes input[value='"+c.want+"']:checked"),
			chromedp.SendKeys("#work_q", kb.Enter), // on to the chosen type
			chromedp.SendKeys("#description", "Со слов звонящего: "+c.phrase),
			chromedp.SendKeys("#apartment", kb.Enter), // save
			chromedp.WaitVisible("#created-number"),
			chromedp.Text("#created-number", &number),
		)
		tk, err := s.Ticket(apptest.As(&app.User{Role: app.RoleSupervisor}), number)
		if err != nil || tk.WorkType.Code != c.want {
			t.Errorf("%q filed %s as %v (%v)", c.phrase, number, tk, err)
		}
	}
	before, _ := s.CountTickets(apptest.As(&app.User{Role: app.RoleSupervisor}), storeAll)
	var checked int
	var errText string
	run(t, ctx, "холодно",
		fill("холодно"),
		chromedp.Evaluate(`document.querySelectorAll("#worktypes input:checked").length`, &checked),
		chromedp.SendKeys("#work_q", kb.Enter),
		chromedp.SendKeys("#description", "Холодно в квартире"),
		chromedp.SendKeys("#apartment", kb.Enter),
		chromedp.WaitVisible(".error"),
		chromedp.Text(".error", &errText),
	)
	apptest.Screenshot(t, ctx, "intake-cold")
	if checked != 0 {
		t.Errorf("«холодно» chose a work type for the operator")
	}
	if after, _ := s.CountTickets(apptest.As(&app.User{Role: app.RoleSupervisor}), storeAll); after != before {
		t.Errorf("«холодно» + Enter filed a ticket")
	}
	if errText == "" {
		t.Error("no message asks for the work type")
	}
}

var storeAll = store.TicketFilter{}
