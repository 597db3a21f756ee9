package regstore_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/registry/regtest"
)

// TestRating checks each component and the score against figures worked out by
// hand (window: the 30 days before now).
func TestRating(t *testing.T) {
	db, _ := regtest.OpenDB(t)
	ctx := context.Background()
	day := 24 * time.Hour
	ts := func(d time.Duration) string { return regtest.Now.Add(d).Format(time.RFC3339) }
	p := func(d time.Duration) *string { s := ts(d); return &s }
	n := 0
	mk := func(org int64, building int64, status app.Status) *app.TicketRecord {
		n++
		r := regtest.Rec(n, 1)
		r.Organization = &app.OrganizationRf{ID: org, Name: fmt.Sprintf("УК %d", org)}
		r.Building.ID = building
		r.Status = status
		r.CreatedAt, r.AcceptDueAt, r.DueAt = ts(-10*day), p(-9*day), p(-5*day)
		return &r
	}
	var recs []app.TicketRecord
	add := func(r *app.TicketRecord) { recs = append(recs, *r) }
	// УК 1: ten tickets on five buildings (load 2 per building).
	for i := 0; i < 6; i++ { // accepted and done on time, closed first time
		r := mk(1, int64(i%5+1), app.StatusClosed)
		r.AcceptedAt, r.DoneAt, r.ClosedAt = p(-10*day+time.Hour), p(-5*day-time.Hour), p(-4*day)
		add(r)
	}
	r := mk(1, 2, app.StatusClosed) // late twice, reopened once
	r.AcceptedAt, r.DoneAt, r.ClosedAt, r.ReopenCount = p(-9*day+time.Hour), p(-5*day+time.Hour), p(-4*day), 1
	add(r)
	for i := 0; i < 2; i++ { // accepted on time, still open and overdue
		r := mk(1, 3, app.StatusAccepted)
		r.AcceptedAt = p(-10*day + time.Hour)
		add(r)
	}
	add(mk(1, 4, app.StatusRouted)) // never accepted, overdue
	linked := mk(1, 5, app.StatusRouted)
	parent := "TST-000001"
	linked.Parent = &parent // one incident: counted once, through its parent
	add(linked)
	old := mk(1, 1, app.StatusClosed) // outside the window
	old.CreatedAt, old.AcceptDueAt, old.DueAt = ts(-60*day), p(-59*day), p(-55*day)
	old.AcceptedAt, old.DoneAt, old.ClosedAt = p(-60*day), p(-56*day), p(-55*day)
	add(old)
	// УК 2: twelve tickets on two buildings (load 6), all perfect, none open.
	for i := 0; i < 12; i++ {
		r := mk(2, int64(6+i%2), app.StatusClosed)
		r.AcceptedAt, r.DoneAt, r.ClosedAt = p(-10*day+time.Hour), p(-6*day), p(-4*day)
		add(r)
	}
	// УК 3: three tickets, too few to rank.
	for i := 0; i < 3; i++ {
		add(mk(3, 9, app.StatusRouted))
	}
	b := regtest.BatchOf("rating", recs...)
	rows, err := regstore.Validate("TST", &b, regtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, "TST", &b, rows); err != nil {
		t.Fatal(err)
	}
	got, err := db.Rating(ctx, regtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Ranked) != 2 || len(got.Unranked) != 1 || got.Unranked[0].OrgID != 3 {
		t.Fatalf("ranked %+v, unranked %+v", got.Ranked, got.Unranked)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// The figures are app/rating's method's (rating.Compute): shares rounded to
	// four places, the score to one decimal.
	// УК 2: on time 12/12, accepted 12/12, first-time 12/12, nothing open (full
	// marks), load 6 per building against the median of 2 and 6 = 4: 4/6 = 0.6667.
	// Score = 100 × (0.40 + 0.15 + 0.20 + 0.10 + 0.15 × 0.6667) = 95.0005 → 95.0
	u2 := got.Ranked[0]
	if u2.OrgID != 2 || u2.Rank != 1 || u2.Tickets != 12 || !u2.Has[3] || !near(u2.Components[3], 1) || !near(u2.Components[4], 0.6667) || !near(u2.Score, 95.0) {
		t.Fatalf("УК 2: %+v", u2)
	}
	// УК 1: on time 6/10, accepted 8/10, first-time 6/7 closed (0.8571), overdue
	// now 3 of 3 open (component 0), load 2 ≤ median (1).
	// Score = 100 × (0.40×0.6 + 0.15×0.8 + 0.20×0.8571 + 0.10×0 + 0.15×1) = 68.142 → 68.1
	u1 := got.Ranked[1]
	want := [5]float64{0.6, 0.8, 0.8571, 0, 1}
	for k := range want {
		if !u1.Has[k] || !near(u1.Components[k], want[k]) {
			t.Errorf("УК 1 component %d (%s) = %v, want %v", k, regstore.ComponentTitles[k], u1.Components[k], want[k])
		}
	}
	if u1.OrgID != 1 || u1.Rank != 2 || u1.Tickets != 10 || u1.Buildings != 5 || !near(u1.Score, 68.1) {
		t.Fatalf("УК 1: %+v", u1)
	}
}

// TestRatingLoadPerApartments checks the load component where the records carry
// their buildings' flat counts: requests per 100 apartments against the median.
func TestRatingLoadPerApartments(t *testing.T) {
	db, _ := regtest.OpenDB(t)
	ctx := context.Background()
	day := 24 * time.Hour
	ts := func(d time.Duration) string { return regtest.Now.Add(d).Format(time.RFC3339) }
	p := func(d time.Duration) *string { s := ts(d); return &s }
	var recs []app.TicketRecord
	n := 0
	add := func(org, building int64, apartments int) {
		n++
		r := regtest.Rec(n, 1)
		r.Organization = &app.OrganizationRf{ID: org, Name: fmt.Sprintf("УК %d", org)}
		r.Building.ID, r.Building.Apartments = building, apartments
		r.Status = app.StatusClosed
		r.CreatedAt, r.AcceptDueAt, r.DueAt = ts(-10*day), p(-9*day), p(-5*day)
		a, d, c := ts(-10*day+time.Hour), ts(-6*day), ts(-4*day)
		r.AcceptedAt, r.DoneAt, r.ClosedAt = &a, &d, &c
		recs = append(recs, r)
	}
	// УК 1: 10 requests from one house of 100 flats: 10 per 100 apartments.
	for i := 0; i < 10; i++ {
		add(1, 1, 100)
	}
	// УК 2: 12 requests from two houses of 50 flats (each counted once): 12 per 100.
	for i := 0; i < 12; i++ {
		add(2, int64(2+i%2), 50)
	}
	b := regtest.BatchOf("load", recs...)
	rows, err := regstore.Validate("TST", &b, regtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, "TST", &b, rows); err != nil {
		t.Fatal(err)
	}
	got, err := db.Rating(ctx, regtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Ranked) != 2 {
		t.Fatalf("ranked %+v", got.Ranked)
	}
	by := map[int64]regstore.OrgScore{}
	for _, o := range got.Ranked {
		by[o.OrgID] = o
	}
	// Median of 10 and 12 = 11: УК 1 at or below it scores 1, УК 2 scores 11/12
	// (0.9167, the method's four places).
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if o := by[1]; o.Apartments != 100 || !near(o.Components[4], 1) {
		t.Errorf("УК 1: apartments %d, load component %v; want 100 and 1", o.Apartments, o.Components[4])
	}
	if o := by[2]; o.Apartments != 100 || !near(o.Components[4], 0.9167) {
		t.Errorf("УК 2: apartments %d, load component %v; want 100 and 11/12", o.Apartments, o.Components[4])
	}
	// A flat count out of range is refused with the batch.
	bad := recs[0]
	bad.Building.Apartments = -1
	bb := regtest.BatchOf("bad", bad)
	if _, err := regstore.Validate("TST", &bb, regtest.Now); err == nil {
		t.Error("a negative flat count was accepted")
	}
}
