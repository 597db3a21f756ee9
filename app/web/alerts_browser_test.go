package web_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestBrowserEmergencyAlert: the organisation's dispatcher has the queue open; an
// emergency filed through the API for one of its buildings makes the page alert
// within 2 seconds, and the emergency is pinned above the queue with its
// localisation countdown.
func TestBrowserEmergencyAlert(t *testing.T) {
	f := newFixture(t)
	ctx := apptest.Browser(t)
	base := apptest.Listen(t, f.srv)
	signIn := func(ctx context.Context, login string) {
		t.Helper()
		run(t, ctx, "sign in "+login,
			fixtureSignIn(base, login),
			chromedp.Navigate(base+"/work/"),
			chromedp.WaitVisible("#live.live-ok"), // the alert stream is open
		)
	}
	signIn(ctx, "org")

	start := time.Now()
	tk := f.file(t, "operator", f.newTicket("CW-01")) // burst riser at ул. Ленина, 5 — «УК Север»
	sel := `#alerts .alert-item[data-number='` + tk.Number + `']`
	var text string
	actx, cancelA := context.WithTimeout(ctx, 2*time.Second)
	defer cancelA()
	if err := chromedp.Run(actx, chromedp.WaitVisible(sel), chromedp.Text(sel, &text)); err != nil {
		apptest.Screenshot(t, ctx, "emergency-alert")
		t.Fatalf("no alert within 2 s of filing %s: %v", tk.Number, err)
	}
	took := time.Since(start)
	if !strings.Contains(text, "Авария: "+tk.Number) || !strings.Contains(text, "ул. Ленина, д. 5") || !strings.Contains(text, "Локализовать до 12:30") {
		t.Errorf("alert text %q", text)
	}
	t.Logf("alert reached the open page %v after filing", took.Round(10*time.Millisecond))
	// The queue refreshed at the alert: the emergency is pinned with its countdown.
	var pinned string
	run(t, ctx, "pinned", chromedp.WaitVisible("#em-"+tk.Number), chromedp.Text("#em-"+tk.Number, &pinned))
	if !strings.Contains(pinned, tk.Number) || !strings.Contains(pinned, "локализовать: 30 мин") {
		t.Errorf("pinned emergency %q", pinned)
	}
}

// TestBrowserLostConnection: the dispatcher's open queue says so when the server
// goes away. The test driver loses the tab itself about one run in eight when the
// server is shut down under it («context canceled», before the page can say
// anything; not the page's doing: the same without the alert stream's traffic).
// Such a run is tried again, on a new server and browser, up to three times; a
// page that says the wrong thing fails at once.
func TestBrowserLostConnection(t *testing.T) {
	for attempt := 1; attempt <= 3; attempt++ {
		if lostConnection(t) {
			return
		}
		t.Logf("attempt %d: the test driver lost the tab when the server went away; again", attempt)
	}
	t.Fatal("the test driver lost the tab in three attempts out of three")
}

// lostConnection is one attempt; false when the driver lost the tab.
func lostConnection(t *testing.T) bool {
	f := newFixture(t)
	ctx := apptest.Browser(t)
	base := apptest.Listen(t, f.srv)
	run(t, ctx, "sign in", fixtureSignIn(base, "org"), chromedp.Navigate(base+"/work/"), chromedp.WaitVisible("#live.live-ok"))
	f.srv.Shutdown(context.Background())
	var lost string
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(sctx, chromedp.WaitVisible("#live.live-lost"), chromedp.Text("#live", &lost)); err != nil {
		if errors.Is(err, context.Canceled) {
			return false
		}
		apptest.Screenshot(t, ctx, "lost")
		t.Fatalf("lost: %v", err)
	}
	if !strings.Contains(lost, "Нет связи с сервером") {
		t.Errorf("lost connection says %q", lost)
	}
	return true
}
