package web_test

import (
	"context"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestDemoEmergencies: the demo has emergencies in every state — localised on
// time, localised late, waiting with time left, waiting past the clock, and a gas
// smell handed over to 104 — and a lift contractor, a regional waste operator and a
// gas service, with tickets routed to the first two.
func TestDemoEmergencies(t *testing.T) {
	s, _ := demo(t)
	ctx := apptest.As(apptest.User(t, s, "operator"))
	var all []*app.Ticket
	for after := ""; ; {
		page, next, err := s.Tickets(ctx, store.TicketFilter{Limit: 500, After: after})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		after = next
	}
	now := apptest.Now
	count := map[string]int{}
	byKind := map[app.OrgKind]int{}
	orgs, err := s.Organizations(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	kind := map[int64]app.OrgKind{}
	for _, o := range orgs {
		kind[o.ID] = o.Kind
		byKind[o.Kind] += 0
	}
	routed := map[app.OrgKind]int{}
	for _, tk := range all {
		routed[kind[tk.OrganizationID]]++
		switch {
		case tk.WorkType.Handoff != "":
			count["hand-off"]++
			if !tk.DueAt.IsZero() {
				t.Errorf("%s: a hand-off with a deadline", tk.Number)
			}
		case tk.LocalizeDueAt.IsZero():
		case !tk.LocalizedAt.IsZero() && tk.LocalizedLate():
			count["localised late"]++
		case !tk.LocalizedAt.IsZero():
			count["localised on time"]++
		case tk.LocalizeOverdue(now):
			count["waiting, overdue"]++
		case tk.LocalizePending():
			count["waiting"]++
		}
	}
	for _, k := range []string{"hand-off", "localised late", "localised on time", "waiting, overdue", "waiting"} {
		if count[k] == 0 {
			t.Errorf("the demo has no emergency %s: %v", k, count)
		}
	}
	for _, k := range []app.OrgKind{app.OrgLift, app.OrgWasteOperator, app.OrgGasService} {
		if _, ok := byKind[k]; !ok {
			t.Errorf("the demo has no organisation of kind %s", k)
		}
	}
	if routed[app.OrgLift] == 0 || routed[app.OrgWasteOperator] == 0 {
		t.Errorf("tickets by kind of organisation: %v", routed)
	}
	t.Logf("demo emergencies: %v; tickets by organisation kind: %v", count, routed)
}
