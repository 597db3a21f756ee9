package rating_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/ecoz/ecoz/app/rating"
)

// TestWeeklyReportHandWorked checks the report of week 2026-W46 (9–15 November,
// Moscow; it ends at the fixture's T) on the hand-built fixture, as it stands at
// apptest.Now (T + 12 h).
func TestWeeklyReportHandWorked(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	r, err := rating.New(f.s, nil).WeeklyReport(context.Background(), "2026-W46")
	if err != nil {
		t.Fatal(err)
	}
	// Registered in the week (from T − 7 d): A7, A8 (T − 2 d), A9 (T − 12 h) and
	// C1–C3 (T − 3 d); A12 (T − 5 d) is cancelled. Nothing is done yet and nothing
	// is past its deadline (c + 120 h).
	byOrg := map[int64]int{}
	for _, o := range r.ByOrg {
		id, _ := strconv.ParseInt(o.Key, 10, 64)
		byOrg[id] = o.Registered
		if o.Done != 0 || o.Overdue != 0 || o.Reopened != 0 {
			t.Errorf("%s: %+v, want nothing done, overdue or reopened", o.Title, o)
		}
	}
	if byOrg[f.orgA] != 3 || byOrg[f.orgC] != 3 || len(byOrg) != 2 || r.Total.Registered != 6 {
		t.Errorf("registered by organisation %v, total %d; want Альфа 3, Гамма 3, total 6", byOrg, r.Total.Registered)
	}
	if len(r.ByCategory) != 1 || r.ByCategory[0].Key != "Кровля" || r.ByCategory[0].Registered != 6 {
		t.Errorf("by category %+v", r.ByCategory)
	}
	// Due in the week: A6 (T − 5 d), A10 (T − 3 d), B1–B10 (T − 5 d + i h): all done
	// in time. Rejected in the week: none (A4 and A5 were rejected at T − 20 d + 60 h).
	if r.OverdueAll != 0 || r.ReopenedAll != 0 {
		t.Errorf("overdue %d, reopened %d; want 0, 0", r.OverdueAll, r.ReopenedAll)
	}
	// Done in the week: only A10 (T − 8 d + 40 h); A6 and Бета's were done before.
	if len(r.Slowest) != 1 || r.Slowest[0].Number != f.n["A10"] || r.Slowest[0].Hours != 40 {
		t.Errorf("slowest %+v, want A10 at 40 h", r.Slowest)
	}
	// Weak spots over the 30 days before T, all «Кровля»: Альфа's first building
	// A1–A10 = 10 (A11 linked, A12 cancelled), Бета's 10, Гамма's 3.
	if r.RepeatsAll != 3 || r.Repeats[0].Requests != 10 || r.Repeats[1].Requests != 10 || r.Repeats[2].Requests != 3 {
		t.Errorf("repeats %d: %+v", r.RepeatsAll, r.Repeats)
	}
	// Per apartment: Бета 10/50 = 0.2, Альфа 10/100 = 0.1, Гамма 3/100 = 0.03.
	if len(r.Busiest) != 3 || r.Busiest[0].PerApt != 0.2 || r.Busiest[1].PerApt != 0.1 || r.Busiest[2].PerApt != 0.03 {
		t.Errorf("busiest %+v", r.Busiest)
	}
}
