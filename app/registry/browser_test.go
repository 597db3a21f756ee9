package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestBrowserRegistry signs a republic official in through the real form, sees
// the republic at a glance with the silent municipality flagged, and finds a
// ticket by words of its work type.
func TestBrowserRegistry(t *testing.T) {
	ctx := apptest.Browser(t)
	db, _, base, tok := testRegistry(t, Config{})
	if err := db.AddUser(context.Background(), "respublika", "secret-pass"); err != nil {
		t.Fatal(err)
	}
	recs := make([]app.TicketRecord, 40)
	for i := range recs {
		recs[i] = rec(i+1, 1)
	}
	recs[7].WorkType = app.WorkTypeRef{Code: "HEAT-01", Name: "Нет отопления во всём подъезде", Category: "Отопление"}
	if st, body := post(t, base, tok, mustJSON(batchOf("b", recs...)), true); st != 200 {
		t.Fatal(st, body)
	}
	var overview, found string
	err := chromedp.Run(ctx,
		apptest.SignIn(base+"/", "respublika", "secret-pass"),
		chromedp.WaitVisible("table.tickets"),
		chromedp.Text("main", &overview),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "overview")
	for _, want := range []string{"тестовый", "усинск", "нет связи", "не присылали данные дольше"} {
		if !strings.Contains(strings.ToLower(overview), want) {
			t.Errorf("overview lacks %q:\n%s", want, overview)
		}
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/search"),
		chromedp.SendKeys("#q", "отопления"),
		chromedp.Submit("#q"),
		chromedp.WaitVisible("table.tickets"),
		chromedp.Text("table.tickets", &found),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "search")
	if !strings.Contains(found, "TST-000008") || strings.Contains(found, "TST-000009") {
		t.Errorf("search found:\n%s", found)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/m/TST"), chromedp.WaitVisible(".facts")); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "municipality")
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/rating"), chromedp.WaitVisible("table.tickets")); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "rating")
}
