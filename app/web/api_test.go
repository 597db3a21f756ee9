package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

func TestLogin(t *testing.T) {
	f := newFixture(t)
	res := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"login": "org", "password": "org-pass"})
	var ok struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
		User      struct {
			Login          string `json:"login"`
			Role           string `json:"role"`
			OrganizationID *int64 `json:"organization_id"`
		} `json:"user"`
	}
	if res.Status != 200 {
		t.Fatalf("login: %d %s", res.Status, res.Body)
	}
	res.decode(t, &ok)
	if ok.Token == "" || ok.User.Role != "org" || ok.User.OrganizationID == nil || *ok.User.OrganizationID != f.org.ID {
		t.Fatalf("login answer %s", res.Body)
	}
	if _, err := time.Parse(time.RFC3339, ok.ExpiresAt); err != nil || !strings.HasSuffix(ok.ExpiresAt, "+03:00") {
		t.Errorf("expires_at %q: want RFC 3339 in Moscow time", ok.ExpiresAt)
	}
	// The token works, and is kept only hashed.
	f.tokens["fresh"] = ok.Token
	if r := f.do(t, "fresh", "GET", "/api/v1/tickets", nil); r.Status != 200 {
		t.Fatalf("token from login: %d %s", r.Status, r.Body)
	}
	if n := rawCount(t, f.s.Path, "SELECT count(*) FROM sessions WHERE token_hash = ?", ok.Token); n != 0 {
		t.Errorf("token stored in the clear")
	}
	var me struct {
		Login string `json:"login"`
		Role  string `json:"role"`
	}
	f.do(t, "fresh", "GET", "/api/v1/me", nil).decode(t, &me)
	if me.Login != "org" || me.Role != "org" {
		t.Errorf("me: %+v", me)
	}
	// Signing out ends the token.
	if r := f.do(t, "fresh", "POST", "/api/v1/auth/logout", nil); r.Status != 200 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := f.do(t, "fresh", "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Errorf("token after logout: %d", r.Status)
	}
	// An expired token is refused.
	f.clock.Advance(25 * time.Hour)
	f.tokens["old"] = f.login(t, "operator")
	f.clock.Advance(13 * time.Hour)
	if r := f.do(t, "old", "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Errorf("token after 13 hours: %d", r.Status)
	}
	f.tokens["bogus"] = "not-a-token"
	for _, login := range []string{"", "bogus"} {
		if r := f.do(t, login, "GET", "/api/v1/tickets", nil); r.Status != 401 || r.err(t).Error.Code != "unauthorized" {
			t.Errorf("without a valid token (%q): %d %s", login, r.Status, r.Body)
		}
	}
	for _, c := range []struct {
		body any
		want int
	}{
		{map[string]string{"login": "org", "password": "wrong-pass"}, 401},
		{map[string]string{"login": "nobody", "password": "org-pass"}, 401},
		{`{"login":"org","password":"org-pass","remember":true}`, 400},
		{`{"login":"org",`, 400},
		{`{"login":5,"password":"x"}`, 400},
	} {
		r := f.do(t, "", "POST", "/api/v1/auth/login", c.body)
		if r.Status != c.want || !isRussian(r.err(t).Error.Message) {
			t.Errorf("login %v: %d %s, want %d with a Russian message", c.body, r.Status, r.Body, c.want)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 5; i++ {
		if r := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"login": "operator", "password": "guess"}); r.Status != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	// Even the right password waits now: guessing must not go on.
	r := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"login": "operator", "password": "operator-pass"})
	if r.Status != 429 || r.err(t).Error.Code != "rate_limited" {
		t.Fatalf("6th attempt: %d %s, want 429", r.Status, r.Body)
	}
	// The address that guessed waits for every account (spraying one password
	// over many logins is guessing too); how long, it is told.
	r = f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"login": "org", "password": "org-pass"})
	if r.Status != 429 || r.err(t).Error.Message != "Слишком много неудачных попыток входа с этого адреса; повторите через 1 с." {
		t.Fatalf("other login from the guessing address: %d %s", r.Status, r.Body)
	}
	// The owner from an address that did not fail: kit.TestSignInGuard.
}

func isRussian(s string) bool {
	for _, r := range s {
		if r >= 'а' && r <= 'я' {
			return true
		}
	}
	return false
}

func TestCatalogues(t *testing.T) {
	f := newFixture(t)
	var wts []struct {
		Code            string   `json:"code"`
		Category        string   `json:"category"`
		Name            string   `json:"name"`
		Emergency       bool     `json:"emergency"`
		DeadlineHours   *float64 `json:"deadline_hours"`
		DeadlineSource  string   `json:"deadline_source"`
		LocalizeMinutes *int     `json:"localize_minutes"`
		Responsible     string   `json:"responsible"`
		Handoff         *string  `json:"handoff"`
	}
	f.do(t, "", "GET", "/api/v1/work-types", nil).decode(t, &wts)
	byCode := map[string]int{}
	for i, w := range wts {
		byCode[w.Code] = i
		if w.Handoff != nil {
			continue
		}
		if w.Name == "" || w.Category == "" || w.DeadlineHours == nil || *w.DeadlineHours <= 0 || (w.DeadlineSource != "federal" && w.DeadlineSource != "local") {
			t.Errorf("work type %+v", w)
		}
	}
	if len(wts) != 69 {
		t.Errorf("%d work types offered; want 69 (WIN-02 is retired)", len(wts))
	}
	if _, ok := byCode["WIN-02"]; ok {
		t.Error("the retired WIN-02 is offered")
	}
	// A gas smell: handed to 104, no deadline in hours.
	if i, ok := byCode["GAS-01"]; !ok || !wts[i].Emergency || wts[i].DeadlineHours != nil || wts[i].Handoff == nil || *wts[i].Handoff != "104" ||
		wts[i].Responsible != "gas_service" || wts[i].DeadlineSource != "none" {
		t.Errorf("GAS-01 (hand-off to 104, no deadline): %+v", wts[i])
	}
	if i, ok := byCode["ROOF-01"]; !ok || *wts[i].DeadlineHours != 24 || wts[i].DeadlineSource != "federal" || wts[i].LocalizeMinutes != nil || wts[i].Responsible != "management" {
		t.Errorf("ROOF-01 (24 h, federal): %+v", wts[i])
	}
	// 16 November is in the cold period: broken glass 1 day, waste 3 days.
	if i := byCode["WIN-01"]; *wts[i].DeadlineHours != 24 {
		t.Errorf("WIN-01 in the cold period: %v h, want 24", *wts[i].DeadlineHours)
	}
	if i := byCode["WASTE-01"]; *wts[i].DeadlineHours != 72 || wts[i].Responsible != "waste_operator" {
		t.Errorf("WASTE-01 in the cold period: %+v", wts[i])
	}
	if i := byCode["CW-01"]; wts[i].LocalizeMinutes == nil || *wts[i].LocalizeMinutes != 30 {
		t.Errorf("CW-01 localisation clock: %+v", wts[i])
	}
	if i := byCode["LIFT-01"]; wts[i].Responsible != "lift" {
		t.Errorf("LIFT-01: %+v", wts[i])
	}

	var orgs []map[string]any
	f.do(t, "", "GET", "/api/v1/organizations", nil).decode(t, &orgs)
	if len(orgs) != 3 {
		t.Fatalf("organizations: %v", orgs)
	}
	for _, o := range orgs {
		for _, k := range []string{"id", "name", "kind", "inn", "phone"} {
			if _, ok := o[k]; !ok {
				t.Errorf("organization without %s: %v", k, o)
			}
		}
	}
}

func TestBuildingSearch(t *testing.T) {
	f := newFixture(t)
	for q, want := range map[string]string{
		"ленина 5":                "ул. Ленина, д. 5",
		"Ленина д. 5":             "ул. Ленина, д. 5",
		"ул.ленина,д.5":           "ул. Ленина, д. 5",
		"ленина 15":               "ул. Ленина, д. 15",
		"березовая 2":             "ул. Берёзовая, д. 2",
		"БЕРЁЗОВАЯ":               "ул. Берёзовая, д. 2",
		"мира 12 корп. 2":         "ул. Мира, д. 12, корп. 2",
		"мира 12к2":               "ул. Мира, д. 12, корп. 2",
		"парковая 3 стр. 1":       "ул. Парковая, д. 3, стр. 1",
		"парковая д 3 строение 1": "ул. Парковая, д. 3, стр. 1",
		"пион":                    "ул. Пионерская, д. 7",
	} {
		var got []struct {
			ID             int64  `json:"id"`
			Address        string `json:"address"`
			OrganizationID int64  `json:"organization_id"`
		}
		r := f.do(t, "", "GET", "/api/v1/buildings?q="+urlQuery(q), nil)
		r.decode(t, &got)
		if len(got) == 0 || got[0].Address != want || got[0].OrganizationID == 0 {
			t.Errorf("%q: %s, want %q first", q, r.Body, want)
		}
	}
	var none []any
	f.do(t, "", "GET", "/api/v1/buildings?q="+urlQuery("ленина 99"), nil).decode(t, &none)
	if len(none) != 0 {
		t.Errorf("«ленина 99» found %v", none)
	}
	if r := f.do(t, "", "GET", "/api/v1/buildings?q=x&limit=abc", nil); r.Status != 400 || r.err(t).Error.Fields["limit"] == "" {
		t.Errorf("bad limit: %d %s", r.Status, r.Body)
	}
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// rawCount runs a count query on the database file itself.
func rawCount(t *testing.T, path, q string, args ...any) int {
	t.Helper()
	db, err := sql.Open("sqlite", store.DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateTicket(t *testing.T) {
	f := newFixture(t)
	for i, phone := range map[string]string{"(82144) 2-12-00": "+78214421200", "8 912 345-67-89": "+79123456789", "+7 912 3456789": "+79123456789"} {
		_ = i
		body := f.newTicket("ROOF-01")
		body["reporter_phone"] = i
		tk := f.file(t, "operator", body)
		if tk.Reporter == nil || tk.Reporter.Phone != phone {
			t.Errorf("phone %q stored as %+v, want %s", i, tk.Reporter, phone)
		}
		if tk.Status != "routed" || tk.Source != "phone" || tk.Organization == nil || tk.Organization.ID != f.org.ID {
			t.Errorf("operator's ticket: %+v", tk)
		}
	}
	// A resident's ticket is routed at filing, by the same rule, to the organisation
	// serving Мира (org2), and carries their own phone.
	tk := f.file(t, "resident", map[string]any{"building_id": f.mira.ID, "work_type": "lift-01", "description": "Лифт стоит"})
	if tk.Status != "routed" || tk.Source != "portal" || tk.Organization == nil || tk.Organization.ID != f.org2.ID || tk.Reporter == nil || tk.Reporter.Phone != "+79121112233" || tk.Reporter.Name != "Анна" {
		t.Errorf("resident's ticket: %+v", tk)
	}
	// Organisations, the supervisor and the admin do not file tickets.
	for _, login := range []string{"org", "admin"} {
		if r := f.do(t, login, "POST", "/api/v1/tickets", f.newTicket("ROOF-01")); r.Status != 403 {
			t.Errorf("%s files: %d %s", login, r.Status, r.Body)
		}
	}
	r := f.do(t, "supervisor", "POST", "/api/v1/tickets", f.newTicket("ROOF-01"))
	if r.Status != 201 {
		t.Errorf("supervisor files: %d %s", r.Status, r.Body)
	}
}

func TestCreateTicketBadInput(t *testing.T) {
	f := newFixture(t)
	valid := func(change func(m map[string]any)) map[string]any {
		m := f.newTicket("ROOF-01")
		change(m)
		return m
	}
	cases := []struct {
		name  string
		body  any
		field string // "" when no field can be named (the JSON itself is broken)
	}{
		{"malformed JSON", `{"building_id": 1, "work_type": "ROOF-01",`, ""},
		{"not an object", `[1,2,3]`, ""},
		{"trailing data", `{"building_id":1} {}`, ""},
		{"empty body", ``, ""},
		{"unknown field", valid(func(m map[string]any) { m["priority"] = "high" }), "priority"},
		{"building id as string", valid(func(m map[string]any) { m["building_id"] = "5" }), "building_id"},
		{"description as number", valid(func(m map[string]any) { m["description"] = 42 }), "description"},
		{"empty description", valid(func(m map[string]any) { m["description"] = "   " }), "description"},
		{"over-long description", valid(func(m map[string]any) { m["description"] = strings.Repeat("ы", app.MaxDescription+1) }), "description"},
		{"no building", valid(func(m map[string]any) { delete(m, "building_id") }), "building_id"},
		{"unknown building", valid(func(m map[string]any) { m["building_id"] = 9999 }), "building_id"},
		{"unknown work type", valid(func(m map[string]any) { m["work_type"] = "NOPE-1" }), "work_type"},
		{"no work type", valid(func(m map[string]any) { m["work_type"] = "" }), "work_type"},
		{"phone with letters", valid(func(m map[string]any) { m["reporter_phone"] = "8 912 ABC-67-89" }), "reporter_phone"},
		{"short phone", valid(func(m map[string]any) { m["reporter_phone"] = "12-00" }), "reporter_phone"},
		{"no phone", valid(func(m map[string]any) { m["reporter_phone"] = "" }), "reporter_phone"},
		{"long apartment", valid(func(m map[string]any) { m["apartment"] = strings.Repeat("1", 21) }), "apartment"},
	}
	for _, c := range cases {
		r := f.do(t, "operator", "POST", "/api/v1/tickets", c.body)
		e := r.err(t)
		if r.Status != 400 || e.Error.Code != "invalid" || !isRussian(e.Error.Message) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			continue
		}
		if c.field != "" && !isRussian(e.Error.Fields[c.field]) {
			t.Errorf("%s: field %s not named in %s", c.name, c.field, r.Body)
		}
	}
	// Exactly at the limit is fine.
	tk := f.file(t, "operator", valid(func(m map[string]any) { m["description"] = strings.Repeat("ы", app.MaxDescription) }))
	// Nothing was stored by the bad requests, and no number was used up.
	if tk.Number != "TST-000001" {
		t.Errorf("first stored ticket is %s, want TST-000001", tk.Number)
	}
	if n, _ := f.s.CountTickets(f.as("operator"), store.TicketFilter{}); n != 1 {
		t.Errorf("%d tickets stored, want 1", n)
	}
	// A body over the limit.
	big := `{"description":"` + strings.Repeat("я", 300<<10) + `"}`
	if r := f.do(t, "operator", "POST", "/api/v1/tickets", big); r.Status != 413 || r.err(t).Error.Code != "too_large" {
		t.Errorf("huge body: %d %.200s", r.Status, r.Body)
	}
}

func TestNumbersHaveNoGaps(t *testing.T) {
	f := newFixture(t)
	a := f.file(t, "operator", f.newTicket("ROOF-01"))
	// The building's organisation has stopped working: nobody can take the ticket,
	// so it waits as new in the centre's queue, and a refused one (unknown work
	// type) uses up no number.
	u := f.fileUnrouted(t, "operator", f.newTicket("ROOF-01"))
	if u.Status != "new" || u.Organization != nil {
		t.Fatalf("ticket for an inactive organisation: %+v", u)
	}
	if r := f.do(t, "operator", "POST", "/api/v1/tickets", f.newTicket("NOPE-01")); r.Status != 400 {
		t.Fatalf("unknown work type: %d %s", r.Status, r.Body)
	}
	b := f.file(t, "operator", f.newTicket("ROOF-01"))
	if a.Number != "TST-000001" || u.Number != "TST-000002" || b.Number != "TST-000003" {
		t.Fatalf("numbers %s, %s, %s", a.Number, u.Number, b.Number)
	}
}

func TestDeadlines(t *testing.T) {
	f := newFixture(t)
	roof := f.file(t, "operator", f.newTicket("ROOF-01"))
	created, _ := time.Parse(time.RFC3339, roof.CreatedAt)
	due, _ := time.Parse(time.RFC3339, roof.DueAt)
	if due.Sub(created) != 24*time.Hour || roof.LocalizeDueAt != nil || roof.WorkType.Emergency {
		t.Errorf("ROOF-01: created %s due %s localize %v", roof.CreatedAt, roof.DueAt, roof.LocalizeDueAt)
	}
	// An emergency: localisation within 30 minutes, accepted within 30 minutes.
	gas := f.file(t, "operator", f.newTicket("CW-01"))
	loc, _ := time.Parse(time.RFC3339, *gas.LocalizeDueAt)
	acc, _ := time.Parse(time.RFC3339, gas.AcceptDueAt)
	if loc.Sub(created) != 30*time.Minute || acc.Sub(created) > 30*time.Minute || !gas.WorkType.Emergency {
		t.Errorf("CW-01: localize %s accept %s", *gas.LocalizeDueAt, gas.AcceptDueAt)
	}
	// Editing the catalogue later does not move registered tickets.
	if err := f.s.UpdateWorkType(f.as("admin"), "CW-05", store.WorkTypeEdit{LocalHours: 2, AcceptHours: 1, Active: true}); err != nil {
		t.Fatal(err)
	}
	tap := f.file(t, "operator", f.newTicket("CW-05"))
	before := tap.DueAt
	if err := f.s.UpdateWorkType(f.as("admin"), "CW-05", store.WorkTypeEdit{LocalHours: 100, AcceptHours: 50, Active: true}); err != nil {
		t.Fatal(err)
	}
	var again ticket
	f.do(t, "operator", "GET", "/api/v1/tickets/"+tap.Number, nil).decode(t, &again)
	if again.DueAt != before || again.AcceptDueAt != tap.AcceptDueAt {
		t.Errorf("catalogue edit moved the deadline: %s → %s", before, again.DueAt)
	}
	// Overdue is computed against the current time; the overdue filter agrees.
	f.clock.Advance(25 * time.Hour)
	var late ticket
	f.do(t, "operator", "GET", "/api/v1/tickets/"+roof.Number, nil).decode(t, &late)
	if !late.Overdue {
		t.Errorf("ROOF-01 after 25 h not overdue")
	}
	var list struct{ Items []ticket }
	f.do(t, "operator", "GET", "/api/v1/tickets?overdue=true", nil).decode(t, &list)
	if !containsNumber(list.Items, roof.Number) {
		t.Errorf("overdue list misses %s", roof.Number)
	}
	// Done late and confirmed: recorded as not on time; a reopened ticket keeps its due_at.
	f.act(t, "org", roof.Number, app.ActionAccept, nil)
	f.act(t, "org", roof.Number, app.ActionDone, nil)
	closed := f.act(t, "operator", roof.Number, app.ActionConfirm, nil)
	if closed.DoneOnTime == nil || *closed.DoneOnTime || closed.Overdue {
		t.Errorf("late closure: done_on_time %v overdue %v", closed.DoneOnTime, closed.Overdue)
	}
	quick := f.file(t, "operator", f.newTicket("ROOF-01"))
	f.act(t, "org", quick.Number, app.ActionAccept, nil)
	f.act(t, "org", quick.Number, app.ActionDone, nil)
	if r := f.do(t, "resident", "POST", "/api/v1/tickets/"+quick.Number+"/reject", map[string]string{"note": "всё течёт"}); r.Status != 404 {
		t.Fatalf("a resident who did not file %s rejected it: %d", quick.Number, r.Status)
	}
}

func containsNumber(list []ticket, number string) bool {
	for _, t := range list {
		if t.Number == number {
			return true
		}
	}
	return false
}

func TestOnTimeAndReopen(t *testing.T) {
	f := newFixture(t)
	body := f.newTicket("ROOF-01")
	tk := f.fileUnrouted(t, "resident", body)
	f.act(t, "operator", tk.Number, app.ActionRoute, nil)
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
	f.clock.Advance(time.Hour)
	f.act(t, "org", tk.Number, app.ActionDone, nil)
	re := f.act(t, "resident", tk.Number, app.ActionReject, map[string]string{"note": "всё течёт"})
	if re.Status != "reopened" || re.ReopenCount != 1 || re.DueAt != tk.DueAt {
		t.Fatalf("after reject: %+v", re)
	}
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
	f.act(t, "org", tk.Number, app.ActionDone, nil)
	f.act(t, "operator", tk.Number, app.ActionCallFailed, nil)
	cl := f.act(t, "resident", tk.Number, app.ActionConfirm, nil)
	if cl.Status != "closed" || cl.DoneOnTime == nil || !*cl.DoneOnTime || cl.CallAttempts != 1 || cl.ClosedAt == nil {
		t.Fatalf("closed on time: %+v", cl)
	}
}

func TestRouting(t *testing.T) {
	f := newFixture(t)
	// No hot water in the whole building is the resource supplier's.
	hw := f.file(t, "operator", f.newTicket("HW-02"))
	if hw.Organization == nil || hw.Organization.ID != f.supplier.ID {
		t.Errorf("HW-02 at a building with a supplier went to %+v", hw.Organization)
	}
	// Without a supplier set for the building it goes to the management organisation.
	body := f.newTicket("HW-02")
	body["building_id"] = f.mira.ID
	if tk := f.file(t, "operator", body); tk.Organization == nil || tk.Organization.ID != f.org2.ID {
		t.Errorf("HW-02 at a building without a supplier went to %+v", tk.Organization)
	}
	// Returned as not ours, then routed by hand elsewhere.
	tk := f.file(t, "operator", f.newTicket("ROOF-01"))
	back := f.act(t, "org", tk.Number, app.ActionReturn, map[string]string{"note": "не наш дом"})
	if back.Status != "new" || back.Organization != nil {
		t.Fatalf("returned: %+v", back)
	}
	if r := f.do(t, "org", "GET", "/api/v1/tickets/"+tk.Number, nil); r.Status != 404 {
		t.Errorf("org still sees the returned ticket: %d", r.Status)
	}
	moved := f.act(t, "operator", tk.Number, app.ActionRoute, map[string]any{"organization_id": f.org2.ID})
	if moved.Organization == nil || moved.Organization.ID != f.org2.ID {
		t.Fatalf("routed by hand: %+v", moved.Organization)
	}
	if r := f.do(t, "org2", "GET", "/api/v1/tickets/"+tk.Number, nil); r.Status != 200 {
		t.Errorf("org2 cannot see the ticket routed to it: %d", r.Status)
	}
	// Routing to an organisation that does not exist is a field error.
	tk2 := f.fileUnrouted(t, "resident", f.newTicket("ROOF-01"))
	if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+tk2.Number+"/route", map[string]any{"organization_id": 999}); r.Status != 400 || r.err(t).Error.Fields["organization_id"] == "" {
		t.Errorf("route to 999: %d %s", r.Status, r.Body)
	}
	if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+tk2.Number+"/route", `{"organization_id":"2"}`); r.Status != 400 || r.err(t).Error.Fields["organization_id"] == "" {
		t.Errorf("route with a string id: %d %s", r.Status, r.Body)
	}
	if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+tk2.Number+"/fly", nil); r.Status != 404 {
		t.Errorf("unknown action: %d %s", r.Status, r.Body)
	}
}

func TestDuplicatesAndLink(t *testing.T) {
	f := newFixture(t)
	first := f.file(t, "operator", f.newTicket("HEAT-02"))
	if len(first.PossibleDuplicates) != 0 {
		t.Fatalf("first call has duplicates: %v", first.PossibleDuplicates)
	}
	// Another flat, same building, same category: offered as a duplicate, in brief:
	// what tells the operator it is the same fault, nothing of who reported it.
	body := f.newTicket("HEAT-03")
	body["apartment"] = "14"
	r := f.do(t, "operator", "POST", "/api/v1/tickets", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("second call: %d %s", r.Status, r.Body)
	}
	var second ticket
	r.decode(t, &second)
	if len(second.PossibleDuplicates) != 1 || second.PossibleDuplicates[0].Number != first.Number {
		t.Fatalf("duplicates of the second call: %+v", second.PossibleDuplicates)
	}
	var raw struct {
		PossibleDuplicates []map[string]any `json:"possible_duplicates"`
	}
	r.decode(t, &raw)
	heat, err := f.s.WorkType(context.Background(), "HEAT-02")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"number": first.Number, "status": "routed", "apartment": "12", "description": "Течёт с потолка в ванной",
		"created_at": first.CreatedAt,
		"work_type":  map[string]any{"code": "HEAT-02", "name": heat.Name, "category": heat.Category, "emergency": heat.Emergency},
	}
	if got := raw.PossibleDuplicates[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("the duplicate as listed:\n got %v\nwant %v", got, want)
	}
	// Another category or another building is not a duplicate; nor is one older than 7 days.
	other := f.newTicket("EL-05")
	if tk := f.file(t, "operator", other); len(tk.PossibleDuplicates) != 0 {
		t.Errorf("other category offered %v", tk.PossibleDuplicates)
	}
	f.clock.Advance(8 * 24 * time.Hour)
	if tk := f.file(t, "operator", f.newTicket("HEAT-02")); containsNumber(tk.PossibleDuplicates, first.Number) {
		t.Errorf("a ticket from 8 days ago offered as a duplicate")
	}

	// The operator links the second call: it takes the first one's status and moves with it.
	linked := f.act(t, "operator", second.Number, app.ActionLink, map[string]string{"parent": first.Number})
	if linked.Parent == nil || *linked.Parent != first.Number || linked.Status != first.Status {
		t.Fatalf("linked: %+v", linked)
	}
	if r := f.do(t, "org", "POST", "/api/v1/tickets/"+second.Number+"/accept", nil); r.Status != 409 {
		t.Errorf("a linked ticket accepted on its own: %d %s", r.Status, r.Body)
	}
	f.act(t, "org", first.Number, app.ActionAccept, nil)
	f.act(t, "org", first.Number, app.ActionDone, nil)
	var child ticket
	f.do(t, "operator", "GET", "/api/v1/tickets/"+second.Number, nil).decode(t, &child)
	if child.Status != "done" || child.DoneAt == nil {
		t.Fatalf("linked ticket did not move with its parent: %+v", child)
	}
	// Linking to a ticket that does not exist, to itself, or a closed one.
	third := f.file(t, "operator", f.newTicket("HEAT-02"))
	for _, c := range []struct {
		parent string
		want   int
	}{{"TST-999999", 400}, {third.Number, 400}, {"", 400}} {
		if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+third.Number+"/link", map[string]string{"parent": c.parent}); r.Status != c.want {
			t.Errorf("link to %q: %d %s", c.parent, r.Status, r.Body)
		}
	}
	f.act(t, "operator", first.Number, app.ActionConfirm, nil)
	if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+third.Number+"/link", map[string]string{"parent": first.Number}); r.Status != 409 {
		t.Errorf("link to a closed ticket: %d %s", r.Status, r.Body)
	}
}

func TestScoping(t *testing.T) {
	f := newFixture(t)
	mine := f.fileUnrouted(t, "resident", f.newTicket("ROOF-01"))
	f.act(t, "operator", mine.Number, app.ActionRoute, nil)
	body := f.newTicket("LIFT-01")
	body["building_id"] = f.mira.ID
	theirs := f.file(t, "operator", body) // org2's
	for _, c := range []struct {
		login, number string
		want          int
	}{
		{"org", mine.Number, 200}, {"org", theirs.Number, 404},
		{"org2", mine.Number, 404}, {"org2", theirs.Number, 200},
		{"resident", mine.Number, 200}, {"resident", theirs.Number, 404},
		{"resident2", mine.Number, 404},
		{"supervisor", theirs.Number, 200}, {"admin", mine.Number, 200},
		{"operator", "TST-999999", 404},
	} {
		for _, path := range []string{"", "/events"} {
			r := f.do(t, c.login, "GET", "/api/v1/tickets/"+c.number+path, nil)
			if r.Status != c.want {
				t.Errorf("%s GET %s%s: %d, want %d", c.login, c.number, path, r.Status, c.want)
			}
			if r.Status == 404 && r.err(t).Error.Code != "not_found" {
				t.Errorf("%s: %s", c.login, r.Body)
			}
		}
		if c.want == 404 {
			r := f.do(t, c.login, "POST", "/api/v1/tickets/"+c.number+"/comment", map[string]string{"note": "есть кто?"})
			if r.Status != 404 {
				t.Errorf("%s comments on %s: %d", c.login, c.number, r.Status)
			}
		}
	}
	lists := map[string][]string{"org": {mine.Number}, "org2": {theirs.Number}, "resident": {mine.Number}, "resident2": nil, "operator": {theirs.Number, mine.Number}}
	for login, want := range lists {
		var got struct{ Items []ticket }
		f.do(t, login, "GET", "/api/v1/tickets", nil).decode(t, &got)
		var nums []string
		for _, tk := range got.Items {
			nums = append(nums, tk.Number)
		}
		if fmt.Sprint(nums) != fmt.Sprint(want) {
			t.Errorf("%s lists %v, want %v", login, nums, want)
		}
	}
}

func TestListFiltersAndCursor(t *testing.T) {
	f := newFixture(t)
	var all []string
	for i := 0; i < 23; i++ {
		body := f.newTicket([]string{"ROOF-01", "CW-05", "EL-05"}[i%3])
		if i%2 == 1 {
			body["building_id"] = f.mira.ID
		}
		tk := f.file(t, "operator", body)
		all = append([]string{tk.Number}, all...) // newest first
		if i%5 == 0 {
			f.act(t, "operator", tk.Number, app.ActionCancel, map[string]string{"note": "дубль"})
		}
		f.clock.Advance(time.Hour)
	}
	// Paging through everything with the cursor: every ticket once, newest first.
	var seen []string
	next := ""
	for pages := 0; ; pages++ {
		path := "/api/v1/tickets?limit=5"
		if next != "" {
			path += "&after=" + next
		}
		var page struct {
			Items []ticket
			Next  *string
		}
		r := f.do(t, "operator", "GET", path, nil)
		r.decode(t, &page)
		if len(page.Items) > 5 || pages > 10 {
			t.Fatalf("page %d: %s", pages, r.Body)
		}
		for _, tk := range page.Items {
			seen = append(seen, tk.Number)
		}
		if page.Next == nil {
			break
		}
		next = *page.Next
	}
	if fmt.Sprint(seen) != fmt.Sprint(all) {
		t.Fatalf("paged %v\nwant  %v", seen, all)
	}
	f.clock.Advance(10 * time.Hour) // the first roof leaks are past their 24 hours now
	check := func(query string, ok func(ticket) bool, wantSome bool) {
		t.Helper()
		var page struct{ Items []ticket }
		r := f.do(t, "operator", "GET", "/api/v1/tickets?limit=500&"+query, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		r.decode(t, &page)
		if wantSome && len(page.Items) == 0 {
			t.Errorf("%s: nothing", query)
		}
		for _, tk := range page.Items {
			if !ok(tk) {
				t.Errorf("%s: %s does not match (%s, %s, building %d)", query, tk.Number, tk.Status, tk.WorkType.Code, tk.Building.ID)
			}
		}
	}
	check("status=cancelled", func(tk ticket) bool { return tk.Status == "cancelled" }, true)
	check("status=routed,cancelled", func(tk ticket) bool { return tk.Status == "cancelled" || tk.Status == "routed" }, true)
	check(fmt.Sprintf("organization_id=%d", f.org2.ID), func(tk ticket) bool { return tk.Organization.ID == f.org2.ID }, true)
	check(fmt.Sprintf("building_id=%d", f.lenina.ID), func(tk ticket) bool { return tk.Building.ID == f.lenina.ID }, true)
	check("work_type=el-05", func(tk ticket) bool { return tk.WorkType.Code == "EL-05" }, true)
	check("overdue=true", func(tk ticket) bool { return tk.Overdue }, true)
	check("overdue=true&status=routed&work_type=ROOF-01", func(tk ticket) bool {
		return tk.Overdue && tk.Status == "routed" && tk.WorkType.Code == "ROOF-01"
	}, true)
	for _, bad := range []string{"status=flying", "limit=0", "limit=501", "limit=x", "organization_id=-1", "overdue=maybe", "after=abc", "building_id=1.5"} {
		if r := f.do(t, "operator", "GET", "/api/v1/tickets?"+bad, nil); r.Status != 400 || len(r.err(t).Error.Fields) == 0 {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

func TestEvents(t *testing.T) {
	f := newFixture(t)
	tk := f.fileUnrouted(t, "resident", f.newTicket("ROOF-01"))
	f.act(t, "operator", tk.Number, app.ActionRoute, nil)
	f.act(t, "org", tk.Number, app.ActionAccept, map[string]string{"note": "выезжаем"})
	f.act(t, "operator", tk.Number, app.ActionComment, map[string]string{"note": "служебная пометка"})
	var evs []struct {
		At, Actor, Action, From, To, Note string
	}
	r := f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number+"/events", nil)
	r.decode(t, &evs)
	var got []string
	for _, e := range evs {
		if _, err := time.Parse(time.RFC3339, e.At); err != nil {
			t.Errorf("event time %q", e.At)
		}
		got = append(got, e.Action+":"+e.From+">"+e.To+":"+e.Actor)
	}
	want := []string{"create:>new:resident", "route:new>routed:operator", "accept:routed>accepted:org", "comment:accepted>accepted:operator"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v\nwant   %v", got, want)
	}
	// The resident sees their trail without the centre's internal notes.
	var mine []struct{ Action, Note, Actor string }
	f.do(t, "resident", "GET", "/api/v1/tickets/"+tk.Number+"/events", nil).decode(t, &mine)
	var seen []string
	for _, e := range mine {
		seen = append(seen, e.Action+":"+e.Actor+":"+e.Note)
	}
	// Written by hand: the filing is theirs, the rest the centre's; the internal
	// comment is not there at all, the organisation's «выезжаем» is meant for them.
	if want := []string{"create:resident:", "route:центр:", "accept:центр:выезжаем"}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("resident's trail %v, want %v", seen, want)
	}
}

// login signs in through the API and returns the token.
func (f *fixture) login(t *testing.T, login string) string {
	t.Helper()
	var ok struct{ Token string }
	r := f.do(t, "", "POST", "/api/v1/auth/login", map[string]string{"login": login, "password": login + "-pass"})
	if r.Status != 200 {
		t.Fatalf("login %s: %d %s", login, r.Status, r.Body)
	}
	r.decode(t, &ok)
	return ok.Token
}
