package rating_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
)

func rowOf(t *testing.T, d *app.RatingDay, org int64) app.RatingRow {
	t.Helper()
	for _, r := range d.Rows {
		if r.OrgID == org {
			return r
		}
	}
	t.Fatalf("no row for organisation %d", org)
	return app.RatingRow{}
}

func checkRatio(t *testing.T, what string, got app.Ratio, num, den int, value float64) {
	t.Helper()
	if got.Num != num || got.Den != den || got.Value == nil || *got.Value != value {
		v := "nil"
		if got.Value != nil {
			v = fmtF(*got.Value)
		}
		t.Errorf("%s: got %d/%d = %s, want %d/%d = %s", what, got.Num, got.Den, v, num, den, fmtF(value))
	}
}

func fmtF(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestHandWorkedExample checks every component and the score of method v1 against
// figures worked out by hand for the fixture (see fixture_test.go), for 15
// November 2026 (window: 16 Oct 21:00 UTC – 15 Nov 21:00 UTC = T), weights
// 40/15/20/15/10 (v1's defaults). Days stored under v1 are still recomputed so.
func TestHandWorkedExample(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	svc := rating.New(f.s, nil)
	svc.Method = app.RatingMethodV1
	d, err := svc.ComputeDay(context.Background(), fixDay)
	if err != nil {
		t.Fatal(err)
	}
	// УК Альфа.
	// Requests in the window: A1–A10 = 10 (A11 is linked to A10: the same
	// incident counts once; A12 was cancelled; A13 is older than the window).
	a := rowOf(t, d, f.orgA)
	if a.Tickets != 10 {
		t.Errorf("Альфа: %d requests, want 10", a.Tickets)
	}
	// On time: due (c+120h) in the window: A1–A5 (T−15d), A6 (T−5d), A10 (T−3d) = 7;
	// A7, A8, A9 are due after T, A13 before the window. Done (finally) by the
	// deadline: A1, A2, A4 (redone at c+70h), A6, A10 = 5; A3 done at c+130h, A5
	// reopened and not redone. 5/7 = 0.7143.
	checkRatio(t, "Альфа on time", a.Metrics.OnTime, 5, 7, 0.7143)
	// Accepted on time: accept due (c+24h) in the window: A1–A8 and A10 = 9 (A9's
	// is after T, A13's before the window). Late or never: A2 (c+30h), A8. 7/9 = 0.7778.
	checkRatio(t, "Альфа accept", a.Metrics.Accept, 7, 9, 0.7778)
	// First-time fix: answers in the window: confirmed with no rejection A1, A2,
	// A3, A10; first rejected A4, A5 (A4's later confirmation does not undo it).
	// A6 still awaits its answer. 4/6 = 0.6667.
	checkRatio(t, "Альфа first fix", a.Metrics.FirstFix, 4, 6, 0.6667)
	// Overdue now: open at T: A5 (reopened), A7, A13 (in work), A8, A9 (routed) = 5;
	// past due: A5 (T−15d), A13 (T−35d) = 2. Value 1 − 2/5 = 0.6.
	checkRatio(t, "Альфа overdue", a.Metrics.Overdue, 2, 5, 0.6)
	// Load: 10 requests per 200 apartments = 5 per 100. Median over the ranked
	// organisations (Альфа 5, Бета 20) = 12.5; 5 ≤ 12.5 → full marks, 1.
	if l := a.Metrics.Load; l.Per100 != 5 || l.Median != 12.5 || l.Value == nil || *l.Value != 1 {
		t.Errorf("Альфа load %+v", l)
	}
	// Score: (40×5/7 + 15×7/9 + 20×4/6 + 15×1 + 10×0.6) = 28.571 + 11.667 + 13.333
	// + 15 + 6 = 74.571 → 74.6.
	if a.Score == nil || *a.Score != 74.6 || a.Rank != 2 {
		t.Errorf("Альфа score %v rank %d, want 74.6, 2", a.Score, a.Rank)
	}

	// УК Бета: 10 of 10 on time, accepted on time, fixed first time; nothing open
	// (value 1, 0/0). Load 10 per 50 apartments = 20 per 100, above the median
	// 12.5: 12.5/20 = 0.625. Score 40 + 15 + 20 + 15×0.625 + 10 = 94.375 → 94.4.
	b := rowOf(t, d, f.orgB)
	checkRatio(t, "Бета on time", b.Metrics.OnTime, 10, 10, 1)
	checkRatio(t, "Бета accept", b.Metrics.Accept, 10, 10, 1)
	checkRatio(t, "Бета first fix", b.Metrics.FirstFix, 10, 10, 1)
	checkRatio(t, "Бета overdue", b.Metrics.Overdue, 0, 0, 1)
	if l := b.Metrics.Load; l.Per100 != 20 || l.Value == nil || *l.Value != 0.625 {
		t.Errorf("Бета load %+v", l)
	}
	if b.Score == nil || *b.Score != 94.4 || b.Rank != 1 {
		t.Errorf("Бета score %v rank %d, want 94.4, 1", b.Score, b.Rank)
	}

	// УК Гамма: 3 requests < 10: «недостаточно данных», no score, no rank, but its
	// components are still kept.
	c := rowOf(t, d, f.orgC)
	if c.Tickets != 3 || c.Score != nil || c.Rank != 0 {
		t.Errorf("Гамма: %d requests, score %v, rank %d; want 3, none, 0", c.Tickets, c.Score, c.Rank)
	}
	if d.Rows[0].OrgID != f.orgB || d.Rows[1].OrgID != f.orgA || d.Rows[2].OrgID != f.orgC {
		t.Errorf("order %v", d.Rows)
	}
}

// TestPastDayIsReproducible: the stored rating of a day stays the same when the
// day is recomputed after its tickets have moved on — accepted, finished,
// confirmed, reopened, returned and sent to another organisation, and new tickets
// filed.
func TestPastDayIsReproducible(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	ctx := context.Background()
	svc := rating.New(f.s, nil)
	svc.Method = app.RatingMethodV1
	if _, err := svc.ComputeDay(ctx, fixDay); err != nil {
		t.Fatal(err)
	}
	before, err := f.s.Rating(ctx, fixDay)
	if err != nil {
		t.Fatal(err)
	}
	T := fixEnd
	later := func(h float64) time.Time { return T.Add(time.Duration(h * float64(time.Hour))) }
	f.act(t, "A8", later(1), step{who: "A", action: app.ActionAccept})
	f.act(t, "A5", later(2), step{who: "A", action: app.ActionAccept})
	f.act(t, "A5", later(3), step{who: "A", action: app.ActionDone})
	f.act(t, "A6", later(4), step{who: "op", action: app.ActionConfirm})
	f.act(t, "A7", later(5), step{who: "A", action: app.ActionDone})
	f.act(t, "A7", later(6), step{who: "op", action: app.ActionReject})
	f.act(t, "A9", later(7), step{who: "A", action: app.ActionReturn})
	f.act(t, "A9", later(8), step{who: "op", action: app.ActionRoute, in: store.ActInput{OrganizationID: f.orgB}})
	f.act(t, "A13", later(9), step{who: "op", action: app.ActionCancel})
	f.file(t, "late", f.orgA, later(10), step{h: 1, who: "A", action: app.ActionAccept})
	f.clock.Set(later(12))

	if _, err := svc.ComputeDay(ctx, fixDay); err != nil {
		t.Fatal(err)
	}
	after, err := f.s.Rating(ctx, fixDay)
	if err != nil {
		t.Fatal(err)
	}
	before.ComputedAt, after.ComputedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("recomputed day differs:\nbefore %+v\nafter  %+v", before, after)
	}
	// The changes are real: the next day sees them (A9 is now Бета's).
	next, err := svc.ComputeDay(ctx, "2026-11-16")
	if err == nil {
		t.Fatalf("a day not yet ended was computed: %+v", next)
	}
	f.clock.Set(T.Add(days(1) + time.Hour))
	next, err = svc.ComputeDay(ctx, "2026-11-16")
	if err != nil {
		t.Fatal(err)
	}
	if rowOf(t, next, f.orgB).Tickets != 11 || rowOf(t, next, f.orgA).Tickets != 10 {
		t.Errorf("next day: Бета %d, Альфа %d requests; want 11 (A9 moved), 10 (A9 gone, «late» added)",
			rowOf(t, next, f.orgB).Tickets, rowOf(t, next, f.orgA).Tickets)
	}
}

// TestWeightsValidation: weights not summing to 100, a weight of «нагрузка» (not
// in v2) and a bad time are refused with nothing saved; a good change is stored
// with who made it.
func TestWeightsValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sup := &app.User{Login: "supervisor", Role: app.RoleSupervisor}
	if err := f.s.Write(ctx, func(tx *store.Tx) error { return tx.CreateDemoUser(sup) }); err != nil {
		t.Fatal(err)
	}
	bad := app.RatingWeights{OnTime: 50, Accept: 15, FirstFix: 20, Localize: 15, Overdue: 10}
	err := f.s.SaveRatingSettings(ctx, sup, bad, "00:05")
	if app.ErrorCode(err) != app.EINVALID || app.ErrorFields(err)["weights"] != "Сумма весов должна быть 100 %, сейчас 110 %." {
		t.Fatalf("weights summing to 110 accepted: %v", err)
	}
	if err := f.s.SaveRatingSettings(ctx, sup, app.DefaultRatingWeightsV1, "00:05"); app.ErrorFields(err)["load"] == "" {
		t.Fatalf("a weight of load accepted: %v", err)
	}
	if err := f.s.SaveRatingSettings(ctx, sup, app.DefaultRatingWeights, "25:00"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("time 25:00 accepted: %v", err)
	}
	if w, _ := f.s.RatingSettings(ctx); w != app.DefaultRatingWeights {
		t.Fatalf("refused weights stored: %v", w)
	}
	if ch, _ := f.s.RatingWeightChanges(ctx); len(ch) != 0 {
		t.Fatalf("refused changes recorded: %+v", ch)
	}
	good := app.RatingWeights{OnTime: 40, Accept: 5, FirstFix: 20, Localize: 10, Repeats: 15, Overdue: 10}
	f.clock.Set(fixEnd)
	if err := f.s.SaveRatingSettings(ctx, sup, good, "01:30"); err != nil {
		t.Fatal(err)
	}
	if w, at := f.s.RatingSettings(ctx); w != good || at != "01:30" {
		t.Fatalf("stored %v %s", w, at)
	}
	ch, err := f.s.RatingWeightChanges(ctx)
	if err != nil || len(ch) != 1 || ch[0].Actor != "supervisor" || ch[0].Weights != good || !ch[0].At.Equal(fixEnd) {
		t.Fatalf("changes %+v, %v; want one by supervisor at %s", ch, err, fixEnd)
	}
	// Saving the same weights again (only the time changed) records no change.
	if err := f.s.SaveRatingSettings(ctx, sup, good, "02:00"); err != nil {
		t.Fatal(err)
	}
	if ch, _ := f.s.RatingWeightChanges(ctx); len(ch) != 1 {
		t.Fatalf("%d changes after saving the same weights", len(ch))
	}
}

// TestNightlyRun: the day just ended is due after the configured local time, once.
func TestNightlyRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := rating.New(f.s, nil)
	// 00:03 Moscow on 16 Nov = 21:03 UTC on 15 Nov: before 00:05, nothing due.
	if day, ok := svc.Due(ctx, time.Date(2026, 11, 15, 21, 3, 0, 0, time.UTC)); ok {
		t.Fatalf("due before time: %s", day)
	}
	at := time.Date(2026, 11, 15, 21, 6, 0, 0, time.UTC)
	day, ok := svc.Due(ctx, at)
	if !ok || day != fixDay {
		t.Fatalf("due %q %v, want %s", day, ok, fixDay)
	}
	f.clock.Set(at)
	if _, err := svc.ComputeDay(ctx, day); err != nil {
		t.Fatal(err)
	}
	if day, ok := svc.Due(ctx, at); ok {
		t.Fatalf("due again: %s", day)
	}
}

// TestBackfill: a server started on a database without stored days fills in the
// 30 days before today, and a second run leaves them as they are.
func TestBackfill(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	ctx := context.Background()
	svc := rating.New(f.s, nil)
	if err := svc.Backfill(ctx); err != nil {
		t.Fatal(err)
	}
	hist, err := f.s.RatingHistory(ctx, "2026-01-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]bool{}
	for _, p := range hist {
		days[p.Day] = true
	}
	if len(days) != rating.BackfillDays || !days["2026-10-17"] || !days[fixDay] {
		t.Fatalf("%d days stored: %v", len(days), days)
	}
	first, _ := f.s.Rating(ctx, fixDay)
	f.clock.Advance(time.Hour)
	if err := svc.Backfill(ctx); err != nil {
		t.Fatal(err)
	}
	again, _ := f.s.Rating(ctx, fixDay)
	if !again.ComputedAt.Equal(first.ComputedAt) {
		t.Errorf("a stored day was computed again: %s, then %s", first.ComputedAt, again.ComputedAt)
	}
}
