package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestAPIKeysScreen: the administrator issues a key (shown once), the key files a
// ticket, the screen counts it, the administrator revokes the key and it stops
// working; the page never shows a key again.
func TestAPIKeysScreen(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	admin := signIn(t, srv, "admin")
	st, body := admin.get("/admin/apikeys")
	if st != 200 || !strings.Contains(body, "Ключей ещё не выдавали.") {
		t.Fatalf("empty screen: %d", st)
	}
	st, body, _ = admin.post("/admin/apikeys", url.Values{"name": {"Мобильный Усинск"}, "rate_limit": {"30"}})
	m := regexp.MustCompile(`<code id="new-key">([A-Za-z0-9_-]{43})</code>`).FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("issue: %d, no key on the page", st)
	}
	key := m[1]
	if !strings.Contains(body, "<td>Мобильный Усинск</td><td>30</td><td>16.11.2026 12:00</td><td>0</td>") {
		t.Fatalf("row of the new key missing: %s", body)
	}
	// The same name again, while the key is in force: refused, said so.
	st, body, _ = admin.post("/admin/apikeys", url.Values{"name": {"мобильный усинск"}, "rate_limit": {"30"}})
	if st != 409 || !strings.Contains(body, "уже есть действующий ключ") || strings.Contains(body, key) {
		t.Fatalf("duplicate: %d", st)
	}
	if st, body, _ = admin.post("/admin/apikeys", url.Values{"name": {"Другое"}, "rate_limit": {"много"}}); st != 400 || !strings.Contains(body, "Целое число от 0") {
		t.Fatalf("bad rate: %d", st)
	}
	// The key works: a ticket filed with it is counted on the screen.
	form := url.Values{"api_key": {key}, "service_code": {"LIFT-01"}, "address_string": {"ул. Ленина, д. 1"}, "phone": {"+79120001122"}}
	post := func() int {
		req, _ := http.NewRequest("POST", "/open311/v2/requests.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := srv.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	bs, _ := s.SearchBuildings(context.Background(), "ленина", 100)
	if len(bs) == 0 {
		t.Fatal("no buildings on ул. Ленина in the demo")
	}
	form.Set("address_string", bs[0].Address)
	if code := post(); code != 201 {
		t.Fatalf("post with the new key: %d", code)
	}
	// The centre sees which application filed it.
	n, _ := s.CountTickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{})
	number := fmt.Sprintf("USN-%06d", n)
	if _, body := signIn(t, srv, "operator").get("/work/tickets/" + number); !strings.Contains(body, "портал, через приложение «Мобильный Усинск» (Open311)") || !strings.Contains(body, "(приложение «Мобильный Усинск»)") {
		t.Fatalf("the ticket page of %s does not name the application", number)
	}
	_, body = admin.get("/admin/apikeys")
	if !strings.Contains(body, "<td>Мобильный Усинск</td><td>30</td><td>16.11.2026 12:00</td><td>1</td>") || strings.Contains(body, key) {
		t.Fatal("the screen does not count the filed ticket, or shows the key again")
	}
	if st, _, _ = admin.post("/admin/apikeys/revoke", url.Values{"name": {"Мобильный Усинск"}}); st != http.StatusSeeOther {
		t.Fatalf("revoke: %d", st)
	}
	_, body = admin.get("/admin/apikeys")
	if !strings.Contains(body, "<td>1</td>\n<td>отозван 16.11.2026 12:00</td>") {
		t.Fatalf("revoked row missing: %s", body)
	}
	if code := post(); code != 403 {
		t.Fatalf("post with a revoked key: %d", code)
	}
	// Only the administrator sees the screen.
	if st, _ := signIn(t, srv, "operator").get("/admin/apikeys"); st != 403 {
		t.Fatalf("operator: %d", st)
	}
}

// TestBuildingCoordinatesForm: the administrator sets a building's place; half a
// pair or a place off the Earth is refused with the field named, nothing saved.
func TestBuildingCoordinatesForm(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	admin := signIn(t, srv, "admin")
	bs, _ := s.Buildings(context.Background(), 0)
	b := bs[0]
	path := "/admin/buildings/" + itoa(b.ID)
	form := func(lat, lon string) url.Values {
		return url.Values{"address": {b.Address}, "organization_id": {itoa(b.OrganizationID)}, "supplier_id": {itoa(b.SupplierID)},
			"apartments": {itoa(int64(b.Apartments))}, "lat": {lat}, "lon": {lon}}
	}
	st, body, _ := admin.post(path, form("65.9901", ""))
	if st != 400 || !strings.Contains(body, "Укажите и широту, и долготу") {
		t.Fatalf("half a pair: %d", st)
	}
	st, body, _ = admin.post(path, form("165.99", "57.53"))
	if st != 400 || !strings.Contains(body, "Широта — от -90 до 90") {
		t.Fatalf("off the Earth: %d", st)
	}
	if got, _ := s.Building(context.Background(), b.ID); *got.Geo != *b.Geo {
		t.Fatalf("a refused form moved the building to %v", *got.Geo)
	}
	if st, _, _ = admin.post(path, form("65,9901", "57.5123")); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	got, _ := s.Building(context.Background(), b.ID)
	if got.Geo == nil || got.Geo.Lat != 65.9901 || got.Geo.Lon != 57.5123 {
		t.Fatalf("saved %v", got.Geo)
	}
	_, body = admin.get(path)
	if !strings.Contains(body, `name="lat" value="65.9901"`) || !strings.Contains(body, `name="lon" value="57.5123"`) {
		t.Fatal("the form does not show the saved coordinates")
	}
	// The API gives them too (CONTRACT: lat, long).
	req, _ := http.NewRequest("GET", "/api/v1/buildings?q="+url.QueryEscape(b.Address)+"&limit=1", nil)
	res, _ := srv.App.Test(req, -1)
	var list []struct {
		ID   int64    `json:"id"`
		Lat  *float64 `json:"lat"`
		Long *float64 `json:"long"`
	}
	response{Status: res.StatusCode, Body: readAll(t, res)}.decode(t, &list)
	if len(list) != 1 || list[0].ID != b.ID || list[0].Lat == nil || *list[0].Lat != 65.9901 || *list[0].Long != 57.5123 {
		t.Fatalf("api %+v", list)
	}
}

// TestPublicTextOnTheTicketPage: the operator publishes a text for Open311; the
// organisation sees it and cannot change it; Open311 shows it and nothing else.
func TestPublicTextOnTheTicketPage(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	op := signIn(t, srv, "operator")
	org := apptest.User(t, s, "uk1").OrganizationID
	list, _, err := s.Tickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{Statuses: []app.Status{app.StatusAccepted}, OrganizationID: org, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no open ticket of uk1's organisation: %v", err)
	}
	tk := list[0]
	st, body, _ := op.post("/work/tickets/"+tk.Number+"/public-text", url.Values{"public_text": {strings.Repeat("я", 1001)}})
	if st != 400 || !strings.Contains(body, "не длиннее 1000 символов") {
		t.Fatalf("too long: %d", st)
	}
	if st, _, _ = op.post("/work/tickets/"+tk.Number+"/public-text", url.Values{"public_text": {"Течь в подвале, вода на полу"}}); st != http.StatusSeeOther {
		t.Fatalf("publish: %d", st)
	}
	req, _ := http.NewRequest("GET", "/open311/v2/requests/"+tk.Number+".json", nil)
	res, _ := srv.App.Test(req, -1)
	var got []specRequest
	response{Status: res.StatusCode, Body: readAll(t, res)}.decode(t, &got)
	if len(got) != 1 || got[0].Description != "Течь в подвале, вода на полу" {
		t.Fatalf("open311 %+v", got)
	}
	uk := signIn(t, srv, "uk1")
	_, body = uk.get("/work/tickets/" + tk.Number)
	if !strings.Contains(body, `<p id="public-text">Течь в подвале, вода на полу</p>`) {
		t.Fatal("the organisation does not see the published text")
	}
	if st, _, _ := uk.post("/work/tickets/"+tk.Number+"/public-text", url.Values{"public_text": {"другое"}}); st != 403 {
		t.Fatalf("organisation publishes: %d", st)
	}
}

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
