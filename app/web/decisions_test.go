package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
)

type decisionOut struct {
	ID           int64 `json:"id"`
	Text         string
	Organization struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"organization"`
	DueOn    string `json:"due_on"`
	Building *struct {
		ID      int64  `json:"id"`
		Address string `json:"address"`
	} `json:"building"`
	Tickets     []string `json:"tickets"`
	Status      string   `json:"status"`
	DoneAt      *string  `json:"done_at"`
	DoneNote    string   `json:"done_note"`
	MeetingWeek string   `json:"meeting_week"`
}

// TestDecisionsAPI: the contract's /api/v1/decisions — bad input is refused with
// field errors and nothing saved; an organisation sees and closes only its own.
// The fixture's today is Monday 16 November 2026 (Moscow).
func TestDecisionsAPI(t *testing.T) {
	f := newFixture(t)
	tk := f.file(t, "operator", f.newTicket("ROOF-02"))
	count := func() int { return rawCount(t, f.s.Path, "SELECT count(*) FROM decisions") }
	for _, c := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"nothing", map[string]any{}, []string{"text", "organization_id", "due_on"}},
		{"blank text", map[string]any{"text": "  ", "organization_id": f.org.ID, "due_on": "2026-11-20"}, []string{"text"}},
		{"no organisation", map[string]any{"text": "Починить кровлю", "due_on": "2026-11-20"}, []string{"organization_id"}},
		{"no due date", map[string]any{"text": "Починить кровлю", "organization_id": f.org.ID}, []string{"due_on"}},
		{"due yesterday", map[string]any{"text": "Починить кровлю", "organization_id": f.org.ID, "due_on": "2026-11-15"}, []string{"due_on"}},
		{"due not a date", map[string]any{"text": "Починить кровлю", "organization_id": f.org.ID, "due_on": "20.11.2026"}, []string{"due_on"}},
		{"unknown organisation", map[string]any{"text": "Починить кровлю", "organization_id": 999, "due_on": "2026-11-20"}, []string{"organization_id"}},
		{"unknown ticket and building", map[string]any{"text": "Починить кровлю", "organization_id": f.org.ID, "due_on": "2026-11-20", "building_id": 999, "tickets": []string{"TST-999999"}}, []string{"building_id", "tickets"}},
	} {
		r := f.do(t, "supervisor", "POST", "/api/v1/decisions", c.body)
		e := r.err(t)
		if r.Status != 400 || e.Error.Code != "invalid" || len(e.Error.Fields) != len(c.fields) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			continue
		}
		for _, k := range c.fields {
			if e.Error.Fields[k] == "" {
				t.Errorf("%s: no message for %s: %s", c.name, k, r.Body)
			}
		}
	}
	for _, who := range []string{"operator", "admin", "org"} {
		if r := f.do(t, who, "POST", "/api/v1/decisions", map[string]any{"text": "x", "organization_id": f.org.ID, "due_on": "2026-11-20"}); r.Status != 403 {
			t.Errorf("%s records a decision: %d", who, r.Status)
		}
	}
	if r := f.do(t, "resident", "GET", "/api/v1/decisions", nil); r.Status != 403 {
		t.Errorf("a resident lists decisions: %d", r.Status)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d decisions saved by refused requests", n)
	}
	// Due today is allowed (done by the end of the day).
	r := f.do(t, "supervisor", "POST", "/api/v1/decisions", map[string]any{"text": "Устранить протечку кровли", "organization_id": f.org.ID,
		"due_on": "2026-11-16", "building_id": f.lenina.ID, "tickets": []string{strings.ToLower(tk.Number)}})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var d1 decisionOut
	r.decode(t, &d1)
	if d1.Text != "Устранить протечку кровли" || d1.Organization.Name != "УК Север" || d1.DueOn != "2026-11-16" || d1.Building == nil ||
		d1.Building.Address != "ул. Ленина, д. 5" || len(d1.Tickets) != 1 || d1.Tickets[0] != tk.Number || d1.Status != "open" ||
		d1.DoneAt != nil || d1.MeetingWeek != "2026-W46" {
		t.Errorf("created %+v", d1)
	}
	var d2 decisionOut
	f.do(t, "supervisor", "POST", "/api/v1/decisions", map[string]any{"text": "Проверить подвал", "organization_id": f.org2.ID, "due_on": "2026-11-30"}).decode(t, &d2)

	// Each organisation sees its own.
	var list []decisionOut
	f.do(t, "org", "GET", "/api/v1/decisions", nil).decode(t, &list)
	if len(list) != 1 || list[0].ID != d1.ID {
		t.Errorf("org sees %+v", list)
	}
	f.do(t, "org", "GET", fmt.Sprintf("/api/v1/decisions?organization_id=%d", f.org2.ID), nil).decode(t, &list)
	if len(list) != 1 || list[0].ID != d1.ID {
		t.Errorf("org asking for another organisation's sees %+v", list)
	}
	f.do(t, "supervisor", "GET", "/api/v1/decisions", nil).decode(t, &list)
	if len(list) != 2 {
		t.Errorf("supervisor sees %d", len(list))
	}
	// Marking another organisation's decision done: a field error, nothing saved.
	r = f.do(t, "org", "POST", fmt.Sprintf("/api/v1/decisions/%d/done", d2.ID), map[string]string{"note": "Сделано"})
	if e := r.err(t); r.Status != 400 || e.Error.Fields["organization_id"] == "" {
		t.Errorf("another organisation's decision marked: %d %s", r.Status, r.Body)
	}
	r = f.do(t, "org", "POST", fmt.Sprintf("/api/v1/decisions/%d/done", d1.ID), map[string]string{"note": " "})
	if e := r.err(t); r.Status != 400 || e.Error.Fields["note"] == "" {
		t.Errorf("done without a note: %d %s", r.Status, r.Body)
	}
	if n := rawCount(t, f.s.Path, "SELECT count(*) FROM decisions WHERE done_at IS NOT NULL"); n != 0 {
		t.Fatalf("%d decisions marked done by refused requests", n)
	}
	f.clock.Set(time.Date(2026, 11, 16, 15, 0, 0, 0, time.UTC)) // 18:00 Moscow, still the due day
	r = f.do(t, "org", "POST", fmt.Sprintf("/api/v1/decisions/%d/done", d1.ID), map[string]string{"note": "Кровля заделана"})
	var done decisionOut
	r.decode(t, &done)
	if r.Status != 200 || done.Status != "done" || done.DoneNote != "Кровля заделана" || done.DoneAt == nil || *done.DoneAt != "2026-11-16T18:00:00+03:00" {
		t.Errorf("done: %d %s", r.Status, r.Body)
	}
	if r := f.do(t, "org", "POST", fmt.Sprintf("/api/v1/decisions/%d/done", d1.ID), map[string]string{"note": "ещё раз"}); r.Status != 400 {
		t.Errorf("done twice: %d %s", r.Status, r.Body)
	}
	// States: on 1 December the second is overdue.
	f.clock.Set(time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC))
	for status, want := range map[string]int64{"done": d1.ID, "overdue": d2.ID} {
		f.do(t, "supervisor", "GET", "/api/v1/decisions?status="+status, nil).decode(t, &list)
		if len(list) != 1 || list[0].ID != want || list[0].Status != status {
			t.Errorf("status=%s: %+v", status, list)
		}
	}
	f.do(t, "supervisor", "GET", "/api/v1/decisions?status=open", nil).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("status=open: %+v", list)
	}
	if r := f.do(t, "supervisor", "GET", "/api/v1/decisions?status=closed", nil); r.Status != 400 {
		t.Errorf("bad status: %d", r.Status)
	}
}

// TestDecisionState: done by the end of the due day, done later, overdue, open.
func TestDecisionState(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Moscow")
	at := func(s string) time.Time { x, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return x }
	for _, c := range []struct {
		done, now string
		want      app.DecisionState
	}{
		{"2026-11-20 23:59", "2026-11-25 10:00", app.DecisionDone},
		{"2026-11-21 00:00", "2026-11-25 10:00", app.DecisionDoneLate},
		{"", "2026-11-20 23:59", app.DecisionOpen},
		{"", "2026-11-21 00:00", app.DecisionOverdue},
	} {
		d := app.Decision{DueOn: "2026-11-20"}
		if c.done != "" {
			d.DoneAt = at(c.done)
		}
		if got := d.State(at(c.now), loc); got != c.want {
			t.Errorf("done %q, now %s: %s, want %s", c.done, c.now, got, c.want)
		}
	}
}
