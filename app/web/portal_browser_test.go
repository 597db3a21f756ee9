package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/photo/phototest"
	"github.com/ecoz/ecoz/app/store"
)

// TestBrowserResidentJourney: in real Chromium, on a phone-sized screen, a
// resident registers, files a request with a photo and sees it; the operator
// routes it and the organisation accepts it and reports it done with a photo (the
// staff through the store and the photo form); the resident rejects once, then
// confirms.
func TestBrowserResidentJourney(t *testing.T) {
	s := smallTown(t)
	base, _ := portalServer(t, s, 0) // the real minimum fill time
	b, err := s.SearchBuildings(apptest.As(nil), "ленина 11", 1)
	if err != nil || len(b) == 0 {
		t.Fatal("no building", err)
	}
	pic := filepath.Join(t.TempDir(), "leak.jpg")
	if err := os.WriteFile(pic, phototest.WithEXIF(phototest.JPEG(t, 640, 480), 1, "GPS-SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := apptest.Browser(t) // its time budget starts now
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			apptest.Screenshot(t, ctx, "failed-"+step)
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text, wt string
	var thumbOK bool
	run("home", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/"), chromedp.WaitVisible(".figures"))
	apptest.Screenshot(t, ctx, "home")
	run("register",
		chromedp.Click(`a[href="/register"].button`),
		chromedp.WaitVisible("#name"),
		chromedp.SendKeys("#name", "Кузнецова Ольга"),
		chromedp.SendKeys("#phone", "8 912 765-43-21"),
		chromedp.SendKeys("#password", "ольга-пароль"),
		chromedp.Click("#consent"),
		chromedp.Sleep(3*time.Second), // a person takes longer than the form's minimum
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#address"),
	)
	apptest.Screenshot(t, ctx, "new")
	run("file",
		chromedp.SendKeys("#address", "ленина 11"),
		chromedp.WaitVisible("#address-suggest li"),
		chromedp.Click("#address-suggest li"),
		chromedp.SendKeys("#apartment", "42"),
		chromedp.SendKeys("#wt-search", "течь крана"),
		chromedp.Sleep(700*time.Millisecond),
		chromedp.Value("#work_type", &wt),
		chromedp.SendKeys("#description", "Капает кран на кухне"),
		chromedp.SetUploadFiles("#photos", []string{pic}),
	)
	if wt != "CW-05" { // «Течь водопроводного крана»
		t.Fatalf("searching «течь крана» chose %q", wt)
	}
	run("submit",
		chromedp.Click(`#file-form button[type="submit"]`),
		chromedp.WaitVisible("#filed"),
		chromedp.Text("#filed", &text),
		chromedp.Poll(`document.querySelector(".photos img") && document.querySelector(".photos img").naturalWidth > 0`, &thumbOK, chromedp.WithPollingTimeout(10*time.Second)),
	)
	apptest.Screenshot(t, ctx, "filed")
	var number string
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "USN-") {
			number = f
		}
	}
	if number == "" || !strings.Contains(text, "Нормативный срок") {
		t.Fatalf("no number and deadline shown: %q", text)
	}
	op := apptest.As(apptest.User(t, s, "operator"))
	tk, err := s.Ticket(op, number)
	// Ленина 11 is served by «Жилсервис Усинск»: routed there at filing.
	if err != nil || tk.Status != app.StatusRouted || tk.OrgName != "ООО «Жилсервис Усинск»" || tk.BuildingID != b[0].ID || tk.Apartment != "42" || tk.ReporterName != "Кузнецова Ольга" {
		t.Fatalf("filed ticket %+v %v", tk, err)
	}
	run("my list", chromedp.Navigate(base+"/my/"), chromedp.Text(".my-list", &text))
	if !strings.Contains(text, number) || !strings.Contains(text, "Направлена в УО") {
		t.Errorf("my requests: %q", text)
	}

	// The staff: the organisation it went to accepts and reports done with a photo.
	orgLogin := "uk1"
	orgCtx := apptest.As(apptest.User(t, s, orgLogin))
	if _, err := s.Act(orgCtx, number, app.ActionAccept, store.ActInput{}); err != nil {
		t.Fatal(err)
	}
	org := newPortalClient(t, base)
	org.get("/login")
	org.post("/login", url.Values{"login": {orgLogin}, "password": {orgLogin}})
	org.get("/work/tickets/" + number + "/photos")
	if st := org.postMultipart("/work/tickets/"+number+"/photos", url.Values{"done": {"1"}, "executor": {"Сантехник Попов"}, "note": {"Заменили кран-буксу"}}, []upload{{"after.jpg", phototest.JPEG(t, 320, 240)}}); st != 200 {
		t.Fatalf("organisation's photo and done: %d", st)
	}

	// The resident: not fixed — says why; then fixed — confirms.
	run("reject",
		chromedp.Navigate(base+"/my/tickets/"+number),
		chromedp.WaitVisible("#reject"),
		chromedp.Text("main", &text),
	)
	if !strings.Contains(text, "Фотографии выполненной работы") || !strings.Contains(text, "Заменили кран-буксу") {
		t.Errorf("the done photos and note are not shown: %q", text)
	}
	apptest.Screenshot(t, ctx, "done")
	run("reject submit",
		chromedp.SendKeys("#reject-note", "Всё ещё капает"),
		chromedp.Click("#reject"),
		chromedp.WaitNotPresent("#reject"),
		chromedp.WaitVisible("#status"),
		chromedp.Text("#status", &text),
	)
	if text != app.StatusReopened.Title() {
		t.Fatalf("after reject the status reads %q", text)
	}
	if _, err := s.Act(orgCtx, number, app.ActionAccept, store.ActInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(orgCtx, number, app.ActionDone, store.ActInput{Note: "Заменили смеситель целиком", Public: true}); err != nil {
		t.Fatal(err)
	}
	run("confirm",
		chromedp.Navigate(base+"/my/tickets/"+number),
		chromedp.WaitVisible("#confirm"),
		chromedp.Click("#confirm"),
		chromedp.WaitNotPresent("#confirm"),
		chromedp.WaitVisible("#status"),
		chromedp.Text("#status", &text),
	)
	apptest.Screenshot(t, ctx, "closed")
	if text != app.StatusClosed.Title() {
		t.Fatalf("after confirm the status reads %q", text)
	}
	if tk, _ = s.Ticket(op, number); tk.Status != app.StatusClosed || tk.ReopenCount != 1 {
		t.Errorf("ticket %s, reopened %d times", tk.Status, tk.ReopenCount)
	}
}
