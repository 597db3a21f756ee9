package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestBrowserSignIn signs an operator in through the real login form and sees the
// queues with the demo data.
func TestBrowserSignIn(t *testing.T) {
	s, _ := demo(t) // before the browser: its time limit starts when it starts
	ctx := apptest.Browser(t)
	base := apptest.Listen(t, apptest.Server(t, s))
	var tabs string
	err := chromedp.Run(ctx,
		apptest.SignIn(base+"/login", "operator", "operator"),
		chromedp.WaitVisible(".tabs"),
		chromedp.Text(".tabs", &tabs),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "queues")
	for _, want := range []string{"Новые", "Ждут принятия", "Просрочены", "Обзвон"} {
		if !strings.Contains(tabs, want) {
			t.Errorf("queues %q lack %q", tabs, want)
		}
	}
}
