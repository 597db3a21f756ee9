package rating_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
)

// TestMeetingReportHandWorked builds week 46 (9–15 November 2026, Moscow; it ends
// at fixEnd) and week 45 by hand and checks the meeting's new sections against
// figures worked out below, not by the code under test. The report is made on
// Monday 16 November, 10:00 Moscow (07:00 UTC).
func TestMeetingReportHandWorked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	T := fixEnd
	res := &app.User{Login: "resident", Role: app.RoleResident, Phone: "+79120000001"}
	if err := f.s.Write(ctx, func(tx *store.Tx) error { return tx.CreateDemoUser(res) }); err != nil {
		t.Fatal(err)
	}
	// portal files a resident's ticket in Альфа's first building at created while
	// nobody can take it (Альфа is switched off for the moment: a ticket filed is
	// routed at once when its organisation is known), so that it waits in the
	// centre's own queue for an operator to route it.
	portal := func(name string, created time.Time) {
		t.Helper()
		err := f.s.Write(ctx, func(tx *store.Tx) error {
			tx.SetNow(created)
			tx.SetUser(res)
			bs, _ := f.s.Buildings(ctx, f.orgA)
			active := func(on bool) error {
				return tx.Raw(func(exec func(q string, args ...any) error) error {
					return exec("UPDATE organizations SET active = ? WHERE id = ?", on, f.orgA)
				})
			}
			if err := active(false); err != nil {
				return err
			}
			tk, err := tx.CreateTicket(app.NewTicket{BuildingID: bs[0].ID, WorkType: "ROOF-02", Description: name, ReporterPhone: res.Phone})
			if err != nil {
				return err
			}
			if tk.Status != app.StatusNew {
				t.Errorf("%s filed %s, want new", name, tk.Status)
			}
			f.n[name] = tk.Number
			return active(true)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	route := func(min float64) step {
		return step{h: min / 60, who: "op", action: app.ActionRoute, in: store.ActInput{OrganizationID: f.orgA}}
	}
	B := func(h float64, a app.Action) step { return step{h: h, who: "B", action: a} }
	op := func(h float64, a app.Action) step { return step{h: h, who: "op", action: a} }
	acc, done := app.ActionAccept, app.ActionDone

	// Week 45: one emergency localised in 10 minutes; one portal ticket routed in 40.
	f.fileWT(t, "E0", f.orgA, "CW-01", T.Add(-days(10)))
	portal("P0", T.Add(-days(10)))
	f.act(t, "P0", T.Add(-days(10)).Add(40*time.Minute), route(40))
	// Week 46.
	c := T.Add(-days(3))
	f.fileWT(t, "E1", f.orgA, "CW-01", c) // localised at 29 minutes
	f.fileWT(t, "E2", f.orgA, "CW-01", c) // at 31
	f.fileWT(t, "E3", f.orgA, "CW-01", c) // not yet
	portal("P1", T.Add(-days(2)))
	f.act(t, "P1", T.Add(-days(2)).Add(20*time.Minute), route(20))
	portal("P2", T.Add(-days(2)))
	f.act(t, "P2", T.Add(-days(2)).Add(50*time.Minute), route(50))
	portal("P3", T.Add(-days(1))) // never routed
	f.file(t, "D1", f.orgB, T.Add(-days(4)), B(1, acc), B(10, done), op(12, app.ActionCallFailed), op(13, app.ActionCallFailed), op(14, app.ActionConfirm))
	f.file(t, "D2", f.orgB, T.Add(-days(4)), B(1, acc), B(10, done), step{h: 12, who: "op", action: app.ActionReject})
	f.file(t, "D3", f.orgB, T.Add(-days(1)), B(1, acc), B(5, done))                                // awaits the centre's call
	f.file(t, "D4", f.orgB, T.Add(-days(5)), B(1, acc), B(10, done), op(72, app.ActionCallFailed)) // the last attempt: given up
	db := rawDB(t, f.s)
	for name, q := range map[string]string{
		"E0": "UPDATE tickets SET localized_at = created_at + 10*60 WHERE number = ?",
		"E1": "UPDATE tickets SET localized_at = created_at + 29*60 WHERE number = ?",
		"E2": "UPDATE tickets SET localized_at = created_at + 31*60 WHERE number = ?",
		"D4": "UPDATE tickets SET callback_failed_at = created_at + 72*3600 WHERE number = ?", // gave up on 13 Nov, with that call
	} {
		if _, err := db.Exec(q, f.n[name]); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Set(time.Date(2026, 11, 16, 7, 0, 0, 0, time.UTC))
	r, err := rating.New(f.s, nil).FullWeeklyReport(ctx, "2026-W46")
	if err != nil {
		t.Fatal(err)
	}

	// Emergencies: Альфа, 3 due in the week: 1 on time (29 min), 1 late (31), 1
	// not yet; week 45: 1, on time. Changes: due ▲ +2, on time = 0, late ▲ +1
	// (worse), not yet ▲ +1 (worse).
	if len(r.Emergencies) != 1 || r.Emergencies[0].Title != "УК Альфа" || r.Emergencies[0].Due != 3 || r.Emergencies[0].OnTime != 1 ||
		r.Emergencies[0].Late != 1 || r.Emergencies[0].NotYet != 1 {
		t.Errorf("emergencies %+v", r.Emergencies)
	}
	if p := r.PrevEmergency; p.Due != 1 || p.OnTime != 1 {
		t.Errorf("week 45's emergencies %+v", p)
	}
	if ch := rating.Compare(float64(r.EmergencyTotal.Late), float64(r.PrevEmergency.Late), rating.LowerBetter); ch.Text != "▲ +1" || ch.Class != "worse" {
		t.Errorf("late: %+v", ch)
	}
	// The list: E2 (31 minutes), then E3, not localised: from 12 Nov 21:00 UTC to
	// 16 Nov 07:00 UTC = 82 h = 4920 minutes.
	if l := r.EmergencyTickets; len(l) != 2 || l[0].Number != f.n["E2"] || l[0].Minutes != 31 || l[1].Number != f.n["E3"] ||
		!l[1].LocalizedAt.IsZero() || l[1].Minutes != 4920 {
		t.Errorf("late and not localised: %+v", l)
	}

	// The centre in week 46: registered E1–E3, P1–P3, D1–D4 = 10; routed 9 (not
	// P3): seven at filing (0 min), P1 in 20, P2 in 50 → within 30 minutes: 8 of
	// 10 = 80 %. Waited in the centre's queue: P1, P2, P3 = 3; of them routed in
	// 20 and 50 minutes: median and mean 35. Waiting: P3.
	// Backlog now: D3 (done 15 Nov 02:00 UTC; D4 was given up on) — 29 h old.
	// Calls in the week: D1 failed twice, then confirmed; D2 rejected; D4 failed
	// once and was given up on → 5 attempts for 1 confirmation. Never reached: D4,
	// of 3 concluded (2 answers + 1).
	want := store.CentreFigures{Registered: 10, Routed: 9, WithinNorm: 8, Waiting: 1, Queued: 3, MedianRouteMin: 35, Backlog: 1, BacklogMedianH: 29, BacklogOldestH: 29,
		Answers: 2, Confirmations: 1, FailedCalls: 3, NeverReached: 1, CallbacksEnded: 3, AttemptsPerConfirmation: 5}
	got := r.Centre
	got.MeanRouteMin = rating.Round1(got.MeanRouteMin)
	want.MeanRouteMin = 35
	if got != want {
		t.Errorf("centre:\ngot  %+v\nwant %+v", got, want)
	}
	lines := rating.CentreLines(r.Centre, r.PrevCentre, r.RouteNorm)
	// Week 45: P0 waited 40 minutes: median 40 → 35 is ▼ −5, better.
	if l := lines[0]; l.Value != "35 мин" || l.Change.Text != "▼ −5" || l.Change.Class != "better" {
		t.Errorf("time to route: %+v", l)
	}
	// Week 45: E0 at filing, P0 in 40 minutes: 1 of 2 within the norm = 50 %.
	if l := lines[1]; l.Value != "80 %" || l.Change.Text != "▲ +30" || l.Change.Class != "better" || l.Hint != "8 из 10; норма — муниципальная, не федеральная" {
		t.Errorf("within the norm: %+v", l)
	}
	if l := lines[4]; l.Value != "5" {
		t.Errorf("attempts per confirmation: %+v", l)
	}
	if l := lines[5]; l.Value != "33,3 %" || l.Hint != "1 из 3 завершённых обзвонов" {
		t.Errorf("never reached: %+v", l)
	}

	// Totals: Альфа registered E1–E3, P1, P2 = 5 (week 45: E0, P0 = 2: ▲ +3);
	// Бета D1–D4 = 4 (week 45: none); P3 with nobody. All: 10 against 2.
	reg := map[string]int{}
	for _, l := range r.ByOrg {
		reg[l.Title] = l.Registered
	}
	if reg["УК Альфа"] != 5 || reg["УК Бета"] != 4 || reg["Не направлена в организацию"] != 1 || r.Total.Registered != 10 || r.PrevTotal.Registered != 2 {
		t.Errorf("registered %v, total %d, week 45 %d", reg, r.Total.Registered, r.PrevTotal.Registered)
	}
	for _, l := range r.ByOrg {
		if l.Title == "УК Альфа" {
			if ch := rating.TotalsChanges(l, r.PrevByOrg[l.Key])[0]; ch.Text != "▲ +3" || ch.Class != "" {
				t.Errorf("Альфа's registered change %+v (neutral: more requests are neither good nor bad)", ch)
			}
		}
	}
}
