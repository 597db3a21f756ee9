package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// mapFixture: ул. Ленина, д. 5 (located) with two tickets in work, ул. Мира, д.
// 12, корп. 2 (located, 770 m away) with one cancelled, and four houses without
// coordinates.
func mapFixture(t *testing.T) *fixture {
	t.Helper()
	f, _ := o311Fixture(t)
	f.file(t, "operator", f.newTicket("LIFT-01"))
	f.file(t, "operator", f.newTicket("ROOF-01"))
	mira := f.newTicket("LIFT-01")
	mira["building_id"] = f.mira.ID
	n := f.file(t, "operator", mira).Number
	f.act(t, "operator", n, app.ActionCancel, map[string]any{"note": "Дубликат"})
	return f
}

func getPage(t *testing.T, f *fixture, c *client, path string) (string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", path, nil)
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body := string(readAll(t, res))
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return body, res.Header
}

func TestMapOnPublicPages(t *testing.T) {
	f := mapFixture(t)
	anon := &client{t: t, srv: f.srv, cookies: map[string]string{}}
	lenina := `<a href="/buildings/` + itoa(f.lenina.ID) + `" class="map-pt open" aria-label="ул. Ленина, д. 5: открытых заявок 2"`
	mira := `<a href="/buildings/` + itoa(f.mira.ID) + `" class="map-pt" aria-label="ул. Мира, д. 12, корп. 2: открытых заявок 0"`

	body, h := getPage(t, f, anon, "/")
	for _, want := range []string{lenina, mira, `<text x="`, `>2</text>`, "Дома списком (2)", "Ещё домов без координат: 4",
		`<li><a href="/buildings/` + itoa(f.lenina.ID) + `">ул. Ленина, д. 5</a> — в работе 2</li>`,
		`<li><a href="/buildings/` + itoa(f.mira.ID) + `">ул. Мира, д. 12, корп. 2</a></li>`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(body, "leaflet") || !strings.Contains(h.Get("Content-Security-Policy"), "img-src 'self' data:;") {
		t.Errorf("without a tile server: no Leaflet, no outside images (CSP %q)", h.Get("Content-Security-Policy"))
	}

	// The building page: the house highlighted, neighbours within 400 m only.
	body, _ = getPage(t, f, anon, "/buildings/"+itoa(f.lenina.ID))
	if !strings.Contains(body, `class="map-pt open here" aria-label="ул. Ленина, д. 5: открытых заявок 2"`) || strings.Contains(body, "ул. Мира, д. 12, корп. 2: открытых") || !strings.Contains(body, "Дома списком (1)") {
		t.Errorf("building page map wrong")
	}
	// The organisation's page: its houses, the unlocated ones counted.
	body, _ = getPage(t, f, anon, "/organizations/"+itoa(f.org.ID))
	if !strings.Contains(body, lenina) || strings.Contains(body, mira) || !strings.Contains(body, "Ещё домов без координат: 2") {
		t.Errorf("organisation page map wrong")
	}

	// The resident's request form: the links pick the building.
	res := newClient(t, f.srv)
	if st, _, _ := res.post("/login", url.Values{"login": {"resident"}, "password": {"resident-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("resident sign-in: %d", st)
	}
	body, _ = getPage(t, f, res, "/my/new")
	if !strings.Contains(body, `<a href="/my/new?building=`+itoa(f.lenina.ID)+`" class="map-pt open" aria-label="Выбрать дом ул. Ленина, д. 5 (открытых заявок 2)"`) {
		t.Errorf("request form map does not pick")
	}
	body, _ = getPage(t, f, res, "/my/new?building="+itoa(f.mira.ID))
	if !strings.Contains(body, `value="ул. Мира, д. 12, корп. 2"`) || !strings.Contains(body, `class="map-pt here" aria-label="Выбрать дом ул. Мира`) {
		t.Errorf("a picked building is not filled in")
	}

	// A tile server: Leaflet comes along, and the CSP lets its tiles in, no other.
	if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetMapTiles: "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"}); err != nil {
		t.Fatal(err)
	}
	body, h = getPage(t, f, anon, "/")
	if !strings.Contains(body, `<script src="/static/leaflet/leaflet.js" defer></script>`) || !strings.Contains(body, `data-map-tiles="https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"`) ||
		!strings.Contains(h.Get("Content-Security-Policy"), "img-src 'self' data: https://*.tile.openstreetmap.org;") {
		t.Errorf("with tiles: CSP %q", h.Get("Content-Security-Policy"))
	}
	for _, bad := range []string{"ftp://tiles.example/{z}/{x}/{y}", "https://tiles.example/tile.png", "tiles"} {
		if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetMapTiles: bad}); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("tile URL %q accepted: %v", bad, err)
		}
	}
	// The Leaflet files are served from this server, with their licence.
	for _, p := range []string{"/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css", "/static/leaflet/LICENSE", "/static/map.js"} {
		getPage(t, f, anon, p)
	}
}

// TestCrowdedMapKeepsBusyBuildings: a town with more houses than a map shows keeps
// those with tickets in work on the home page, and says how many it left off.
func TestCrowdedMapKeepsBusyBuildings(t *testing.T) {
	f := mapFixture(t)
	err := f.s.Write(f.as("admin"), func(tx *store.Tx) error {
		for i := 0; i < 300; i++ {
			b := &app.Building{Address: "ул. Тихая, д. " + itoa(int64(i+1)), OrganizationID: f.org.ID,
				Geo: &app.GeoPoint{Lat: 65.98 + float64(i)*0.0001, Lon: 57.52}}
			if err := tx.SaveBuilding(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	anon := &client{t: t, srv: f.srv, cookies: map[string]string{}}
	body, _ := getPage(t, f, anon, "/")
	if n := strings.Count(body, `class="map-pt`); n != 1 || !strings.Contains(body, "ул. Ленина, д. 5: открытых заявок 2") ||
		!strings.Contains(body, "Домов без таких заявок: 301 —") {
		t.Fatalf("%d buildings on the crowded map", n)
	}
}
