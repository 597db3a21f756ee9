package rating_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
)

// TestV2Components applies method v2 to hand-made ticket histories, one
// component at a time. Every ticket is registered at c = T − 20 days (unless
// said), accept due c+24h, due c+120h; the emergencies' localisation is due c+30m.
func TestV2Components(t *testing.T) {
	T := fixEnd
	c := T.Add(-days(20)).Unix()
	h := func(x float64) int64 { return c + int64(x*3600) }
	base := func(id int64) app.RatingFact {
		return app.RatingFact{Ticket: id, Org: 1, Building: 10, Category: "Кровля", Created: c, AcceptDue: h(24), Due: h(120), Routed: c}
	}
	with := func(f app.RatingFact, mod func(*app.RatingFact)) app.RatingFact { mod(&f); return f }
	cases := []struct {
		name  string
		facts []app.RatingFact
		want  rating.Counts2
	}{
		{"done, rejected, done late, confirmed: neither on time nor first time", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Accepted, f.FirstReject, f.LastDone, f.Confirmed = h(1), h(60), h(130), h(140)
		})}, rating.Counts2{Requests: 1, OnTimeDen: 1, FixDen: 1, AcceptNum: 1, AcceptDen: 1}},
		{"done in time, never confirmed: pending, no credit", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Accepted, f.LastDone = h(1), h(50)
		})}, rating.Counts2{Requests: 1, OnTimeDen: 1, Pending: 1, AcceptNum: 1, AcceptDen: 1}},
		{"done, the centre failed to reach the resident: left out", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Accepted, f.LastDone, f.Unreached = h(1), h(50), true
		})}, rating.Counts2{Requests: 1, Unreached: 1, AcceptNum: 1, AcceptDen: 1}},
		{"confirmed after reopen, redone in time: on time, not first time", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Accepted, f.FirstReject, f.LastDone, f.Confirmed = h(1), h(60), h(70), h(80)
		})}, rating.Counts2{Requests: 1, OnTimeNum: 1, OnTimeDen: 1, FixDen: 1, AcceptNum: 1, AcceptDen: 1}},
		{"confirmed first time in time", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Accepted, f.LastDone, f.Confirmed = h(1), h(50), h(60)
		})}, rating.Counts2{Requests: 1, OnTimeNum: 1, OnTimeDen: 1, FixNum: 1, FixDen: 1, AcceptNum: 1, AcceptDen: 1}},
		{"reopened and not redone: open and overdue", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Accepted, f.FirstReject, f.Open = h(1), h(60), true
		})}, rating.Counts2{Requests: 1, OnTimeDen: 1, FixDen: 1, Open: 1, Overdue: 1, AcceptNum: 1, AcceptDen: 1}},
		{"emergency localised at 29 minutes: on time", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Emergency, f.LocalizeDue, f.Localized, f.Accepted, f.Open = true, c+30*60, c+29*60, c+60, true
			f.Due = h(24 * 40) // due after T: only the localisation is measured
		})}, rating.Counts2{Requests: 1, LocalizeNum: 1, LocalizeDen: 1, Open: 1, AcceptNum: 1, AcceptDen: 1}},
		{"emergency localised at 31 minutes: late", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Emergency, f.LocalizeDue, f.Localized, f.Accepted, f.Open = true, c+30*60, c+31*60, c+60, true
			f.Due = h(24 * 40)
		})}, rating.Counts2{Requests: 1, LocalizeDen: 1, Open: 1, AcceptNum: 1, AcceptDen: 1}},
		{"emergency not localised yet: late", []app.RatingFact{with(base(1), func(f *app.RatingFact) {
			f.Emergency, f.LocalizeDue, f.Open = true, c+30*60, true
			f.Due = h(24 * 40)
		})}, rating.Counts2{Requests: 1, LocalizeDen: 1, Open: 1, AcceptDen: 1}},
		{"repeat 29 days after an earlier complaint: one repeat", []app.RatingFact{
			with(base(1), func(f *app.RatingFact) {
				f.Created, f.Due, f.AcceptDue, f.Confirmed, f.LastDone = c-int64(9*86400), c, c, c, c
			}),
			with(base(2), func(f *app.RatingFact) {
				f.Created = c + int64(20*86400) - 3600
				f.Due, f.AcceptDue, f.Open = T.Unix()+86400, T.Unix()+3600, true
			}),
		}, rating.Counts2{Requests: 2, Repeats: 1, OnTimeDen: 1, OnTimeNum: 1, FixNum: 1, FixDen: 1, Open: 1, AcceptDen: 1}}, // the first's acceptance (due at c) never came
		{"the same 31 days apart: no repeat", []app.RatingFact{
			with(base(1), func(f *app.RatingFact) {
				f.Created, f.Due, f.AcceptDue, f.Confirmed, f.LastDone = c-int64(11*86400), c, c, c, c
			}),
			with(base(2), func(f *app.RatingFact) {
				f.Created = c + int64(20*86400) - 3600
				f.Due, f.AcceptDue, f.Open = T.Unix()+86400, T.Unix()+3600, true
			}),
		}, rating.Counts2{Requests: 1, OnTimeDen: 1, OnTimeNum: 1, FixNum: 1, FixDen: 1, Open: 1, AcceptDen: 1}},
		{"another category, or an earlier one cancelled: no repeat", []app.RatingFact{
			with(base(1), func(f *app.RatingFact) { f.Category = "Отопление" }),
			with(base(2), func(f *app.RatingFact) { f.Created, f.Excluded = c-86400, true }),
			with(base(3), func(f *app.RatingFact) { f.Created += 3600; f.Open = true }),
		}, rating.Counts2{Requests: 2, OnTimeDen: 2, Open: 1, Overdue: 1, AcceptDen: 2}},
		{"another organisation's ticket counts for it, not for this one", []app.RatingFact{
			with(base(1), func(f *app.RatingFact) { f.Org = 2; f.Open = true }),
		}, rating.Counts2{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rating.CountFacts(T, tc.facts)[1]
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestV2Score: the score of a day from hand-made counts. Management organisations
// and the others are ranked in separate tables; repeats are scored against the
// median of the table, at least 1 per 100 apartments.
func TestV2Score(t *testing.T) {
	orgs := []app.RatedOrg{
		{ID: 1, Name: "УК Альфа", Kind: app.OrgManagement, Apartments: 200},
		{ID: 2, Name: "УК Бета", Kind: app.OrgManagement, Apartments: 100},
		{ID: 3, Name: "Водоканал", Kind: app.OrgSupplier, Apartments: 300},
		{ID: 4, Name: "Лифтсервис", Kind: app.OrgLift},
	}
	counts := map[int64]rating.Counts2{
		// Альфа: on time 6/8, localised 1/2, first fix 3/4, 2 repeats per 200
		// apartments = 1 per 100, overdue 1 of 4 open, accepted 9/10.
		1: {Requests: 20, OnTimeNum: 6, OnTimeDen: 8, LocalizeNum: 1, LocalizeDen: 2, FixNum: 3, FixDen: 4, Repeats: 2, Overdue: 1, Open: 4, AcceptNum: 9, AcceptDen: 10},
		// Бета: everything perfect, but 4 repeats per 100 apartments; no emergency.
		2: {Requests: 10, OnTimeNum: 5, OnTimeDen: 5, FixNum: 5, FixDen: 5, Repeats: 4, AcceptNum: 5, AcceptDen: 5},
		3: {Requests: 12, OnTimeNum: 12, OnTimeDen: 12},
		4: {Requests: 3},
	}
	d := rating.Compute2("2026-11-15", fixEnd, counts, orgs, app.DefaultRatingWeights)
	// Yardstick of the management table: median of 1 and 4 = 2.5 per 100.
	// Альфа: 35×0.75 + 15×0.5 + 20×0.75 + 15×1 (1 ≤ 2.5) + 10×0.75 + 5×0.9
	// = 26.25 + 7.5 + 15 + 15 + 7.5 + 4.5 = 75.75 → 75.8 (all weights present).
	// Бета: no emergency (15 dropped): (35 + 20 + 15×2.5/4 + 10 + 5) / 85 × 100
	// = (70 + 9.375) / 85 × 100 = 93.38 → 93.4.
	// Водоканал: on time 1, repeats 0 per 300 → 1, nothing open → 1; no fix,
	// no localisation, no acceptance: (35 + 15 + 10) / 60 = 100.
	want := []struct {
		id    int64
		rank  int
		score float64
	}{{2, 1, 93.4}, {1, 2, 75.8}, {3, 1, 100}, {4, 0, -1}}
	if len(d.Rows) != len(want) {
		t.Fatalf("%d rows", len(d.Rows))
	}
	for i, w := range want {
		r := d.Rows[i]
		if r.OrgID != w.id || r.Rank != w.rank || (w.score < 0) != (r.Score == nil) || (r.Score != nil && *r.Score != w.score) {
			t.Errorf("row %d: org %d rank %d score %v; want org %d rank %d score %v", i, r.OrgID, r.Rank, r.Score, w.id, w.rank, w.score)
		}
	}
	if y := d.Rows[0].Metrics.Repeats.Yardstick; y != 2.5 {
		t.Errorf("management yardstick %v, want 2.5", y)
	}
	if y := d.Rows[2].Metrics.Repeats.Yardstick; y != 1 {
		t.Errorf("suppliers' yardstick %v, want 1 (median 0 raised to the minimum)", y)
	}
	if d.Method != app.RatingMethodV2 {
		t.Errorf("method %d", d.Method)
	}
}

// rawDB opens the fixture's database for the columns other changes write (the
// emergencies' localisation, the centre's failed confirmation call), which this
// branch only reads.
func rawDB(t *testing.T, s *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", store.DSN(s.Path, false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestV2FromTrail files the hand-made histories through the domain's own
// operations and checks what the store's facts and the method make of them.
func TestV2FromTrail(t *testing.T) {
	f := newFixture(t)
	T := fixEnd
	op := func(h float64, a app.Action) step { return step{h: h, who: "op", action: a} }
	A := func(h float64, a app.Action) step { return step{h: h, who: "A", action: a} }
	acc, done, ok, rej := app.ActionAccept, app.ActionDone, app.ActionConfirm, app.ActionReject
	c := T.Add(-days(20))
	f.file(t, "late-redo", f.orgA, c, A(1, acc), A(50, done), op(60, rej), A(61, acc), A(130, done), op(140, ok))
	f.file(t, "pending", f.orgA, c, A(1, acc), A(50, done))
	f.file(t, "unreached", f.orgA, c, A(1, acc), A(50, done))
	f.file(t, "redo-in-time", f.orgA, c, A(1, acc), A(50, done), op(60, rej), A(61, acc), A(70, done), op(80, ok))
	f.fileWT(t, "loc29", f.orgA, "CW-01", T.Add(-days(3)), A(0.2, acc))
	f.fileWT(t, "loc31", f.orgA, "CW-01", T.Add(-days(3)), A(0.2, acc))
	// Repeats: ROOF-02 in Альфа's first building; «pending» and the others above
	// were filed at c, so the next ROOF-02 29 days after an earlier one is not
	// possible inside the window without them; Бета's building is used instead.
	f.file(t, "B-first", f.orgB, T.Add(-days(45)), step{h: 1, who: "B", action: acc}, step{h: 10, who: "B", action: done}, op(20, ok))
	f.file(t, "B-29", f.orgB, T.Add(-days(16)), step{h: 1, who: "B", action: acc}, step{h: 10, who: "B", action: done}, op(20, ok))
	f.file(t, "B-far", f.orgB, T.Add(-days(80)), step{h: 1, who: "B", action: acc}, step{h: 10, who: "B", action: done}, op(20, ok))
	// C: one ticket 31 days after the previous → not a repeat.
	f.file(t, "C-old", f.orgC, T.Add(-days(40)), step{h: 1, who: "C", action: acc})
	f.file(t, "C-31", f.orgC, T.Add(-days(9)), step{h: 1, who: "C", action: acc})

	db := rawDB(t, f.s)
	for name, q := range map[string]string{
		"loc29":     "UPDATE tickets SET localized_at = created_at + 29*60 WHERE number = ?",
		"loc31":     "UPDATE tickets SET localized_at = created_at + 31*60 WHERE number = ?",
		"unreached": "UPDATE tickets SET callback_failed_at = created_at + 70*3600 WHERE number = ?",
	} {
		if _, err := db.Exec(q, f.n[name]); err != nil {
			t.Fatal(err)
		}
	}
	facts, err := f.s.RatingFacts(context.Background(), T, rating.FactsFrom)
	if err != nil {
		t.Fatal(err)
	}
	counts := rating.CountFacts(T, facts)
	// Альфа. Requests: 6. Due in the window (c+120h): the four filed at c; the
	// emergencies (CW-01) are due after T. On time: only «redo-in-time» (confirmed,
	// last done c+70h); «late-redo» was redone at c+130h; «pending» awaits its
	// answer (pending); «unreached» is left out. So 1 of 3, pending 1, unreached 1.
	// Localised: 1 of 2 (29 minutes in time, 31 late). First fix: two first
	// answers, both rejections: 0 of 2. Open: the two emergencies, not overdue.
	// Accepted: all six in time (the emergencies' acceptance is due at 30 min).
	// Repeats: the four ROOF-02 filed at the same moment in the same building are
	// one complaint and three repeats; loc31 repeats loc29 (same building, same
	// category «Холодное водоснабжение», same moment): 4.
	wantA := rating.Counts2{Requests: 6, OnTimeNum: 1, OnTimeDen: 3, Pending: 1, Unreached: 1, LocalizeNum: 1, LocalizeDen: 2,
		FixDen: 2, Open: 2, AcceptNum: 6, AcceptDen: 6, Repeats: 4}
	if got := counts[f.orgA]; got != wantA {
		t.Errorf("Альфа:\ngot  %+v\nwant %+v", got, wantA)
	}
	// Бета: B-29 (T−16d) repeats B-first (T−45d, 29 days before); B-first is
	// itself 35 days after B-far: no repeat, and outside the window anyway.
	if got := counts[f.orgB]; got.Repeats != 1 || got.Requests != 1 {
		t.Errorf("Бета: %+v, want 1 request, 1 repeat", got)
	}
	// Гамма: C-31 is 31 days after C-old: no repeat.
	if got := counts[f.orgC]; got.Repeats != 0 || got.Requests != 1 {
		t.Errorf("Гамма: %+v, want 1 request, no repeat", got)
	}
}

// TestV2PastDayKeepsItsMethodAndWeights: a day stored under v1 is recomputed under
// v1 with its weights, a day stored under v2 under v2 with the weights it had,
// after the weights change; a new day takes the new weights.
func TestV2PastDayKeepsItsMethodAndWeights(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	ctx := context.Background()
	f.clock.Set(fixEnd.Add(days(2)))
	svc := rating.New(f.s, nil)
	svc.Method = app.RatingMethodV1
	v1, err := svc.ComputeDay(ctx, "2026-11-14")
	if err != nil {
		t.Fatal(err)
	}
	svc.Method = app.RatingMethodV2
	v2, err := svc.ComputeDay(ctx, fixDay)
	if err != nil {
		t.Fatal(err)
	}
	sup := &app.User{Login: "supervisor", Role: app.RoleSupervisor}
	if err := f.s.Write(ctx, func(tx *store.Tx) error { return tx.CreateDemoUser(sup) }); err != nil {
		t.Fatal(err)
	}
	nw := app.RatingWeights{OnTime: 50, Accept: 0, FirstFix: 20, Localize: 10, Repeats: 10, Overdue: 10}
	if err := f.s.SaveRatingSettings(ctx, sup, nw, "00:05"); err != nil {
		t.Fatal(err)
	}
	for _, old := range []*app.RatingDay{v1, v2} {
		again, err := svc.ComputeDay(ctx, old.Day)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := f.s.Rating(ctx, old.Day)
		again.ComputedAt, stored.ComputedAt = time.Time{}, time.Time{}
		old.ComputedAt = time.Time{}
		if !reflect.DeepEqual(again, stored) || again.Method != old.Method || again.Weights != old.Weights || !sameRows(again, old) {
			t.Errorf("day %s (v%d) changed on recompute:\nwas %+v\nnow %+v", old.Day, old.Method, old, again)
		}
	}
	if v1.Method != 1 || v1.Weights != app.DefaultRatingWeightsV1 || v2.Method != 2 || v2.Weights != app.DefaultRatingWeights {
		t.Errorf("stored v%d %v, v%d %v", v1.Method, v1.Weights, v2.Method, v2.Weights)
	}
	next, err := svc.ComputeDay(ctx, "2026-11-16")
	if err != nil {
		t.Fatal(err)
	}
	if next.Method != 2 || next.Weights != nw {
		t.Errorf("new day: v%d %v, want v2 %v", next.Method, next.Weights, nw)
	}
}

func sameRows(a, b *app.RatingDay) bool { return reflect.DeepEqual(a.Rows, b.Rows) }
