package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

func fixtureSignIn(base, login string) chromedp.Tasks {
	return chromedp.Tasks{
		apptest.SignIn(base+"/login", login, login+"-pass"),
		chromedp.WaitVisible("header nav form[action='/logout']"),
	}
}

// TestBrowserGasSmellIntake: the operator picks «Запах газа»; the intake stops
// with the instruction to transfer the call to 104; saving without confirming the
// transfer is refused; confirmed, the ticket is filed with no deadline and the
// transfer recorded.
func TestBrowserGasSmellIntake(t *testing.T) {
	f := newFixture(t)
	ctx := apptest.Browser(t)
	base := apptest.Listen(t, f.srv)
	var stop, refused, created string
	run(t, ctx, "intake",
		fixtureSignIn(base, "operator"),
		chromedp.Navigate(base+"/work/new"),
		chromedp.WaitVisible("#reporter_phone"),
		chromedp.SendKeys("#reporter_phone", "+7 912 345-67-89"),
		chromedp.SendKeys("#building_q", "ленина 5"),
		chromedp.WaitVisible("#buildings input[type=radio]"),
		chromedp.Click("#buildings input[type=radio]"),
		chromedp.SendKeys("#work_q", "пахнет газом"),
		chromedp.WaitVisible("#worktypes input[value='GAS-01']"),
		chromedp.Click("#worktypes input[value='GAS-01']"),
		chromedp.WaitVisible("#handoff-GAS-01"),
		chromedp.Text("#handoff-GAS-01 .handoff-stop", &stop),
		chromedp.SendKeys("#description", "Сильный запах газа на лестнице, 3 этаж"),
		chromedp.Click("#save"),
		chromedp.WaitVisible("#handed-off-error"),
		chromedp.Text("#handed-off-error", &refused),
	)
	apptest.Screenshot(t, ctx, "gas-intake-stop")
	if stop != "Переведите звонок в 104 сейчас — прежде всего остального." {
		t.Errorf("hand-off instruction %q", stop)
	}
	if refused != "Сначала передайте звонок в 104 и отметьте «Звонок передан»." {
		t.Errorf("saving without the transfer: %q", refused)
	}
	n, err := f.s.CountTickets(f.as("operator"), store.TicketFilter{})
	if err != nil || n != 0 {
		t.Fatalf("filed %d tickets before the transfer was confirmed (%v)", n, err)
	}
	var number string
	run(t, ctx, "confirm the transfer",
		chromedp.WaitVisible("#handoff-GAS-01"),
		chromedp.Click("#handed-off-GAS-01"),
		chromedp.Click("#save"),
		chromedp.WaitVisible("#created-number"),
		chromedp.Text("#created-number", &number),
		chromedp.Text(".created", &created),
	)
	apptest.Screenshot(t, ctx, "gas-intake-filed")
	if !strings.Contains(created, "срока нет: звонок передан в 104") {
		t.Errorf("created note %q", created)
	}
	tk, err := f.s.Ticket(f.as("operator"), number)
	if err != nil || !tk.DueAt.IsZero() || !tk.AcceptDueAt.IsZero() || tk.OrganizationID != f.org.ID {
		t.Fatalf("filed gas smell: %v %+v", err, tk)
	}
	evs, _ := f.s.Events(f.as("operator"), number)
	if last := evs[len(evs)-1]; last.Action != app.ActionHandoff || last.Note != "передано в 104 в 12:00" {
		t.Errorf("transfer not recorded: %+v", last)
	}
}

// TestBrowserPortalRefusesGasSmell: a resident who types «пахнет газом» is told in
// large type to call 104 at once; submitting anyway files nothing and says it again.
func TestBrowserPortalRefusesGasSmell(t *testing.T) {
	f := newFixture(t)
	ctx := apptest.Browser(t)
	base := apptest.Listen(t, f.srv)
	var live, after, size string
	run(t, ctx, "portal",
		fixtureSignIn(base, "resident"),
		chromedp.Navigate(base+"/my/new"),
		chromedp.WaitVisible("#wt-search"),
		chromedp.SendKeys("#wt-search", "пахнет газом"),
		chromedp.WaitVisible("#handoff-stop"),
		chromedp.Text("#handoff-stop", &live),
		chromedp.Evaluate(`getComputedStyle(document.getElementById("handoff-stop")).fontSize`, &size),
	)
	apptest.Screenshot(t, ctx, "portal-gas")
	if live != "Запах газа — звоните 104 (с мобильного 112) сейчас" {
		t.Errorf("message on picking: %q", live)
	}
	if px, err := strconv.ParseFloat(strings.TrimSuffix(size, "px"), 64); err != nil || px < 24 { // 1.6em of 16px
		t.Errorf("the message is not in large type: %s", size)
	}
	run(t, ctx, "submit anyway",
		chromedp.SendKeys("#address", "ленина 5"),
		chromedp.SendKeys("#description", "Пахнет газом в подъезде"),
		// The live message goes, so that the wait below is for the answer to the
		// submission, not for the page it was sent from.
		chromedp.Evaluate(`document.getElementById("handoff-stop").remove()`, nil),
		chromedp.Submit("#description"),
		chromedp.WaitVisible("#handoff-stop"),
		chromedp.Text("#handoff-stop", &after),
	)
	if after != "Запах газа — звоните 104 (с мобильного 112) сейчас" {
		t.Errorf("message after submitting: %q", after)
	}
	if n, err := f.s.CountTickets(f.as("operator"), store.TicketFilter{}); err != nil || n != 0 {
		t.Errorf("the portal filed %d tickets (%v)", n, err)
	}
}
