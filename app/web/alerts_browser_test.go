package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestBrowserEmergencyAlert: the organisation's dispatcher has the queue open; an
// emergency filed through the API for one of its buildings makes the page alert
// within 2 seconds, and the emergency is pinned above the queue with its
// localisation countdown; a lost connection is said on the page.
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
	// The connection is lost (the server goes away): the page says so.
	f.srv.Shutdown(context.Background())
	var lost string
	run(t, ctx, "lost", chromedp.WaitVisible("#live.live-lost"), chromedp.Text("#live", &lost))
	if !strings.Contains(lost, "Нет связи с сервером") {
		t.Errorf("lost connection says %q", lost)
	}
}
