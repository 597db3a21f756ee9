package web_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestBrowserMap: in real Chromium the public home page shows the buildings on
// the map; a keyboard user tabs to ул. Ленина, д. 5 on the map, presses Enter and
// reads its tickets; on a phone-sized screen the map fits the width; with a tile
// server that cannot be reached, the map falls back to the drawn one and says so.
func TestBrowserMap(t *testing.T) {
	f := mapFixture(t)
	base := apptest.Listen(t, f.srv)
	ctx := apptest.Browser(t)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			apptest.Screenshot(t, ctx, "failed-"+step)
			t.Fatalf("%s: %v", step, err)
		}
	}
	var labels []string
	run("home", chromedp.Navigate(base+"/"), chromedp.WaitVisible("svg.map-svg"),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("svg.map-svg a")).map(a => a.getAttribute("aria-label")).sort()`, &labels))
	if strings.Join(labels, "|") != "ул. Ленина, д. 5: открытых заявок 2|ул. Мира, д. 12, корп. 2: открытых заявок 0" {
		t.Fatalf("map shows %q", labels)
	}
	apptest.Screenshot(t, ctx, "home")

	// Keyboard only: Tab from the top of the page until the map's link to ул.
	// Ленина, д. 5 has the focus, then Enter.
	var focused string
	found := false
	for i := 0; i < 40 && !found; i++ {
		run("tab", chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(`document.activeElement.getAttribute("aria-label") || document.activeElement.textContent`, &focused))
		found = focused == "ул. Ленина, д. 5: открытых заявок 2"
	}
	if !found {
		t.Fatalf("the map's building is not reachable with Tab (last focus %q)", focused)
	}
	var heading, rows string
	run("enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(".card h1"),
		chromedp.Text(".card h1", &heading), chromedp.Text("main", &rows))
	if heading != "ул. Ленина, д. 5" || !strings.Contains(rows, "Заявки по дому") || !strings.Contains(rows, "TST-000001") || !strings.Contains(rows, "TST-000002") {
		t.Fatalf("after Enter: %q / %q", heading, rows)
	}

	// A phone: the map is as wide as the screen, no wider.
	var mapW, pageW float64
	run("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/"), chromedp.WaitVisible("svg.map-svg"),
		chromedp.Evaluate(`document.querySelector("svg.map-svg").getBoundingClientRect().width`, &mapW),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &pageW))
	if mapW < 300 || mapW > 390 || pageW > 390 {
		t.Fatalf("on a phone the map is %.0f px wide, the page %.0f", mapW, pageW)
	}
	apptest.Screenshot(t, ctx, "phone")

	// Tiles configured but unreachable (an office without internet): Leaflet
	// tries, then the drawn map comes back with a note.
	if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetMapTiles: "http://127.0.0.1:9/{z}/{x}/{y}.png"}); err != nil {
		t.Fatal(err)
	}
	var note string
	run("no tiles", chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(".map-note"), chromedp.WaitVisible("svg.map-svg"), chromedp.Text(".map-note", &note))
	if note != "Подложка карты недоступна — показана схема по координатам домов." {
		t.Fatalf("note %q", note)
	}
	var leaflet int
	run("no leaflet left", chromedp.Evaluate(`document.querySelectorAll(".map-leaflet").length`, &leaflet))
	if leaflet != 0 {
		t.Fatal("the failed Leaflet map is still on the page")
	}
}

// TestBrowserMapTiles: with a tile server that answers (here a local one), the
// buildings lie on Leaflet's map as markers a keyboard reaches; Enter on one opens
// the building's page. On the resident's form a click on the drawn map fills in
// the building without leaving the page.
func TestBrowserMapTiles(t *testing.T) {
	f := mapFixture(t)
	var tilePNG bytes.Buffer
	if err := png.Encode(&tilePNG, image.NewGray(image.Rect(0, 0, 256, 256))); err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(tilePNG.Bytes())
	}))
	t.Cleanup(tiles.Close)
	if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetMapTiles: tiles.URL + "/{z}/{x}/{y}.png", store.SetMapAttribution: "Тестовая подложка"}); err != nil {
		t.Fatal(err)
	}
	base := apptest.Listen(t, f.srv)
	ctx := apptest.Browser(t)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			apptest.Screenshot(t, ctx, "failed-"+step)
			t.Fatalf("%s: %v", step, err)
		}
	}
	var titles []string
	var attribution string
	run("leaflet", chromedp.Navigate(base+"/"), chromedp.WaitVisible(".map-leaflet .leaflet-tile-loaded"),
		chromedp.Evaluate(`Array.from(document.querySelectorAll(".map-leaflet .map-pin")).map(m => m.getAttribute("title")).sort()`, &titles),
		chromedp.Text(".leaflet-control-attribution", &attribution))
	if strings.Join(titles, "|") != "ул. Ленина, д. 5: открытых заявок 2|ул. Мира, д. 12, корп. 2: открытых заявок 0" || served.Load() == 0 || !strings.Contains(attribution, "Тестовая подложка") {
		t.Fatalf("markers %q, tiles served %d, attribution %q", titles, served.Load(), attribution)
	}
	apptest.Screenshot(t, ctx, "tiles")
	var focused string
	found := false
	for i := 0; i < 60 && !found; i++ {
		run("tab", chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(`document.activeElement.getAttribute("title") || ""`, &focused))
		found = focused == "ул. Ленина, д. 5: открытых заявок 2"
	}
	if !found {
		t.Fatal("no marker is reachable with Tab")
	}
	var heading, popup string
	run("enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(".leaflet-popup a"),
		chromedp.Evaluate(`document.activeElement.textContent`, &popup))
	if popup != "ул. Ленина, д. 5 — заявки дома (в работе: 2)" {
		t.Fatalf("Enter on the marker: focus on %q", popup)
	}
	run("enter again", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(".card h1"), chromedp.Text(".card h1", &heading))
	if heading != "ул. Ленина, д. 5" {
		t.Fatalf("Enter in the popup led to %q", heading)
	}

	// The resident's form, drawn map (no tiles): a click picks the building.
	if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetMapTiles: ""}); err != nil {
		t.Fatal(err)
	}
	var id, addr, said, path string
	run("pick", apptest.SignIn(base+"/login", "resident", "resident-pass"),
		chromedp.WaitVisible(".hero"), chromedp.Navigate(base+"/my/new"), chromedp.WaitVisible("svg.map-svg"),
		chromedp.Click(`svg.map-svg a[aria-label^="Выбрать дом ул. Мира"]`),
		chromedp.WaitVisible(".map-picked"),
		chromedp.Value("#building_id", &id), chromedp.Value("#address", &addr), chromedp.Text(".map-picked", &said),
		chromedp.Evaluate(`location.pathname + location.search`, &path))
	if id != itoa(f.mira.ID) || addr != "ул. Мира, д. 12, корп. 2" || said != "Выбран дом: ул. Мира, д. 12, корп. 2" || path != "/my/new" {
		t.Fatalf("picked %q %q %q at %q", id, addr, said, path)
	}
}
