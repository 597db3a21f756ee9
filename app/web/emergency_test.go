package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// TestGasSmellHandoff: residents are refused with the 104 message and nothing is
// filed; the operator files it only after handing the call over, which is recorded;
// it goes to the management organisation as information, with no deadline in
// the API, and is never overdue.
func TestGasSmellHandoff(t *testing.T) {
	f := newFixture(t)
	count := func() int {
		n, err := f.s.CountTickets(f.as("operator"), store.TicketFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	r := f.do(t, "resident", "POST", "/api/v1/tickets", f.newTicket("GAS-01"))
	if e := r.err(t); r.Status != http.StatusBadRequest || e.Error.Code != "invalid" || e.Error.Message != "Запах газа — звоните 104 (с мобильного 112) сейчас" {
		t.Errorf("resident's gas smell: %d %s", r.Status, r.Body)
	}
	r = f.do(t, "operator", "POST", "/api/v1/tickets", f.newTicket("GAS-01"))
	if e := r.err(t); r.Status != http.StatusBadRequest || e.Error.Fields["handed_off"] == "" {
		t.Errorf("operator's gas smell without the hand-off: %d %s", r.Status, r.Body)
	}
	if n := count(); n != before {
		t.Fatalf("refused gas smells filed %d tickets", n-before)
	}
	body := f.newTicket("GAS-01")
	body["handed_off"] = true
	tk := f.file(t, "operator", body)
	if tk.DueAt != "" || tk.AcceptDueAt != "" || tk.LocalizeDueAt != nil || tk.Handoff == nil || *tk.Handoff != "104" ||
		tk.Status != "routed" || tk.Organization == nil || tk.Organization.ID != f.org.ID || tk.Overdue {
		t.Errorf("gas smell ticket: due %q accept %q handoff %v status %s org %+v", tk.DueAt, tk.AcceptDueAt, tk.Handoff, tk.Status, tk.Organization)
	}
	var raw map[string]any
	f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number, nil).decode(t, &raw)
	if v, ok := raw["due_at"]; !ok || v != nil {
		t.Errorf("due_at must be null: %v", raw["due_at"])
	}
	var evs []struct{ Action, Note string }
	f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number+"/events", nil).decode(t, &evs)
	want := []string{"create:", "route:Звонок передан в 104; управляющей организации — для сведения и последующих работ.", "handoff:передано в 104 в 12:00"}
	if len(evs) != 3 {
		t.Fatalf("events %+v", evs)
	}
	for i, e := range evs {
		if got := e.Action + ":" + e.Note; got != want[i] {
			t.Errorf("event %d: %q, want %q", i, got, want[i])
		}
	}
	// A year on it is still not overdue, and the overdue queue does not list it.
	f.clock.Advance(365 * 24 * time.Hour)
	var got ticket
	f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number, nil).decode(t, &got)
	if got.Overdue {
		t.Error("a hand-off ticket became overdue")
	}
	var list struct{ Items []ticket }
	f.do(t, "operator", "GET", "/api/v1/tickets?overdue=true", nil).decode(t, &list)
	for _, x := range list.Items {
		if x.Number == tk.Number {
			t.Error("a hand-off ticket is in the overdue list")
		}
	}
	// The staff ticket page says there is no deadline.
	c := signInFixture(t, f, "org")
	_, page := c.get("/work/tickets/" + tk.Number)
	if !strings.Contains(page, "срока нет</strong>: звонок передаётся в 104") || strings.Contains(page, "Устранить до") {
		t.Errorf("ticket page of a hand-off:\n%s", page)
	}
}

// TestTicketPageSaysWhichNorm: the staff ticket page shows the deadlines with the
// norm that set them, and an emergency's localisation.
func TestTicketPageSaysWhichNorm(t *testing.T) {
	f := newFixture(t)
	glass := f.file(t, "operator", f.newTicket("WIN-01")) // 16 November: the cold period
	riser := f.file(t, "operator", f.newTicket("CW-01"))
	c := signInFixture(t, f, "operator")
	_, page := c.get("/work/tickets/" + glass.Number)
	for _, w := range []string{`<dd id="accept-due">17.11.2026 00:00 <small>(12 ч)</small></dd>`, `<strong>17.11.2026 12:00</strong> <small>(1 сут, зимний период)</small>`} {
		if !strings.Contains(page, w) {
			t.Errorf("glass page lacks %q:\n%s", w, page)
		}
	}
	if _, page := c.get("/work/tickets/" + glass.Number); strings.Contains(page, `id="act-localize"`) {
		t.Error("localize offered for broken glass")
	}
	// The dispatcher localises from the ticket page, saying what was done.
	org := signInFixture(t, f, "org")
	_, page = org.get("/work/tickets/" + riser.Number)
	if !strings.Contains(page, `id="act-localize"`) || !strings.Contains(page, "Что сделано") {
		t.Fatalf("no localize form for the dispatcher:\n%s", page)
	}
	f.clock.Advance(42 * time.Minute)
	if st, body, _ := org.post("/work/tickets/"+riser.Number+"/localize", url.Values{"note": {""}}); st != http.StatusBadRequest || !strings.Contains(body, "Напишите, что сделано для локализации.") {
		t.Errorf("localize without a note: %d", st)
	}
	if st, _, _ := org.post("/work/tickets/"+riser.Number+"/localize", url.Values{"note": {"Перекрыт стояк"}}); st != http.StatusSeeOther {
		t.Fatalf("localize: %d", st)
	}
	_, page = c.get("/work/tickets/" + riser.Number)
	for _, w := range []string{"16.11.2026 12:30</strong> · локализована 16.11.2026 12:42 — <strong class=\"over-text\">с опозданием</strong>", "(30 мин (срок локализации))", "(3 сут)"} {
		if !strings.Contains(page, w) {
			t.Errorf("riser page lacks %q", w)
		}
	}
}

// signInFixture signs a fixture user in through the form (passwords: login-pass).
func signInFixture(t *testing.T, f *fixture, login string) *client {
	t.Helper()
	c := newClient(t, f.srv)
	st, _, _ := c.post("/login", url.Values{"login": {login}, "password": {login + "-pass"}})
	if st != http.StatusSeeOther || c.cookies["ecoz_session"] == "" {
		t.Fatalf("sign-in as %s: status %d", login, st)
	}
	_, body := c.get("/work/")
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return c
}

// TestIntakeHeatingTiersAndRouteWhy: «батареи холодные» offers the three heating
// tiers together under the temperature question; a lift ticket for a building
// without a lift contractor tells the operator where it went and why.
func TestIntakeHeatingTiersAndRouteWhy(t *testing.T) {
	f := newFixture(t)
	c := signInFixture(t, f, "operator")
	_, body := c.get("/work/lookup/work-types?work_q=" + url.QueryEscape("батареи холодные"))
	q := strings.Index(body, `id="tier-HEAT-02"`)
	h2, h4, h5 := strings.Index(body, `value="HEAT-02"`), strings.Index(body, `value="HEAT-04"`), strings.Index(body, `value="HEAT-05"`)
	if q < 0 || !strings.Contains(body, "Какая температура в квартире?") || !(q < h2 && h2 < h4 && h4 < h5) {
		t.Errorf("heating tiers: question at %d, HEAT-02 %d, -04 %d, -05 %d\n%s", q, h2, h4, h5, body)
	}
	for _, w := range []string{"16 ч", "8 ч", "4 ч"} {
		if !strings.Contains(body, "<strong>"+w+"</strong>") {
			t.Errorf("tiers lack the deadline %s", w)
		}
	}
	st, _, loc := c.post("/work/new", url.Values{"reporter_phone": {"+79123456789"}, "building_id": {fmt.Sprint(f.lenina.ID)},
		"work_type": {"LIFT-01"}, "description": {"Лифт стоит"}})
	if st != http.StatusSeeOther {
		t.Fatalf("filing: %d", st)
	}
	_, page := c.get(loc)
	if !strings.Contains(page, `<p class="late-text" id="created-route-why">У дома не указана лифтовая организация. Направлено в управляющую организацию дома.</p>`) {
		t.Errorf("the operator is not told why:\n%s", page)
	}
}

// TestAdminWorkTypeFederalAndLocal: the admin screen shows the catalogue's values
// apart from the municipality's; the municipality's are saved and survive the
// next catalogue load; a retired type cannot be switched on.
func TestAdminWorkTypeFederalAndLocal(t *testing.T) {
	f := newFixture(t)
	adm := signInFixture(t, f, "admin")
	_, page := adm.get("/admin/work-types/CW-01")
	fed := page[strings.Index(page, `id="wt-federal"`):strings.Index(page, `id="wt-local"`)]
	for _, w := range []string{"3 сут", "Локализовать за</dt><dd>30 мин", "Управляющая организация", "прорвало трубу; течёт стояк; холодная вода хлещет; потоп"} {
		if !strings.Contains(fed, w) {
			t.Errorf("federal part lacks %q:\n%s", w, fed)
		}
	}
	st, body, _ := adm.post("/admin/work-types/CW-01", url.Values{"local_hours": {"0"}, "accept_hours": {"0.25"}, "route_override": {"supplier"},
		"local_keywords": {"хлещет из трубы;  вода в подъезде "}, "active": {"1"}})
	if st != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", st, body)
	}
	w, err := f.s.WorkType(f.as("admin"), "CW-01")
	if err != nil || w.RouteOverride != app.OrgSupplier || w.LocalKeywords != "хлещет из трубы; вода в подъезде" || w.LocalAcceptHours != 0.25 {
		t.Errorf("saved: %v %+v", err, w)
	}
	if list, _ := f.s.SearchWorkTypes(f.as("admin"), "хлещет из трубы"); len(list) == 0 || list[0].Code != "CW-01" {
		t.Errorf("the municipality's own phrase does not find CW-01")
	}
	_, page = adm.get("/admin/work-types/WIN-02")
	if !strings.Contains(page, "выведен из каталога") || !strings.Contains(page, `name="active" value="1" disabled`) {
		t.Errorf("retired WIN-02 screen:\n%s", page)
	}
	if st, body, _ := adm.post("/admin/work-types/WIN-02", url.Values{"local_hours": {"0"}, "accept_hours": {"0"}, "active": {"1"}}); st != http.StatusBadRequest || !strings.Contains(body, "выведен из каталога; включить его нельзя") {
		t.Errorf("switching a retired type on: %d", st)
	}
}

// TestQueuePinsEmergencies: the dispatcher's queue pins open emergencies above the
// tabs, nearest clock first, with the countdown; an overdue localisation is marked
// loudest; ordinary tickets are not pinned.
func TestQueuePinsEmergencies(t *testing.T) {
	f := newFixture(t)
	tap := f.file(t, "operator", f.newTicket("CW-05"))
	late := f.file(t, "operator", f.newTicket("SEW-02"))
	f.clock.Advance(30 * time.Minute)
	fresh := f.file(t, "operator", f.newTicket("CW-01"))
	f.clock.Advance(18 * time.Minute) // SEW-02 is 18 minutes past its clock; CW-01 has 12 left
	org := signInFixture(t, f, "org")
	_, page := org.get("/work/")
	pinned := page[strings.Index(page, `id="emergencies"`):strings.Index(page, `<nav class="tabs"`)]
	i, j := strings.Index(pinned, `id="em-`+late.Number+`"`), strings.Index(pinned, `id="em-`+fresh.Number+`"`)
	if i < 0 || j < 0 || i > j || strings.Contains(pinned, tap.Number) {
		t.Fatalf("pinned block (overdue first, no ordinary tickets):\n%s", pinned)
	}
	for _, w := range []string{
		`<li class="em-item em-loud" id="em-` + late.Number + `">`, "НЕ ЛОКАЛИЗОВАНА", ">локализовать: просрочено на 18 мин<",
		`<li class="em-item" id="em-` + fresh.Number + `">`, ">локализовать: 12 мин<",
	} {
		if !strings.Contains(pinned, w) {
			t.Errorf("pinned block lacks %q:\n%s", w, pinned)
		}
	}
	// The tap (12 h to accept, filed 48 minutes ago) shows its acceptance clock.
	if !strings.Contains(page, `data-clock-kind="принять" data-over="просрочено на">принять: 11 ч 12 мин</span>`) {
		t.Errorf("the tap's row has no countdown:\n%s", page)
	}
}
