package web_test

import (
	"bytes"
	"context"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app/apptest"
)

func near(b []byte, want float64) bool {
	x, err := strconv.ParseFloat(string(b), 64)
	return err == nil && math.Abs(x-want) < 1
}

// TestBrowserReportPrintsOnA4: the supervisor opens the weekly report in real
// Chromium and prints it: the print styles ask for A4, so the PDF's pages are A4
// (595 × 842 pt); the dashboard shows its three server-drawn charts.
func TestBrowserReportPrintsOnA4(t *testing.T) {
	s, _ := apptest.Demo(t)
	srv := apptest.Server(t, s)
	if _, err := srv.Rating.Day(context.Background(), ""); err != nil { // the on-time chart reads the stored days
		t.Fatal(err)
	}
	base := apptest.Listen(t, srv)
	// The browser's context has a deadline: start it once the slow demo load is done.
	ctx := apptest.Browser(t)
	var pdf []byte
	var charts int
	err := chromedp.Run(ctx,
		apptest.SignIn(base+"/login?next=/report/%3Fweek%3D2026-W46", "supervisor", "supervisor"),
		chromedp.WaitVisible("#by-org"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "report")
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatal("not a PDF")
	}
	box := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]`).FindSubmatch(pdf)
	if box == nil || !near(box[1], 595) || !near(box[2], 842) {
		t.Errorf("page size %q, want A4 595×842", box)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/report/dashboard"),
		chromedp.WaitVisible("svg.chart"),
		chromedp.Evaluate(`document.querySelectorAll("svg.chart").length`, &charts),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "dashboard")
	if charts != 3 {
		t.Errorf("%d charts on the dashboard, want 3", charts)
	}
}
