package rating_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
)

// replayFacts derives every ticket's facts at cutoff the slow, obvious way: by
// replaying its whole audit trail (ticket_events) up to the cutoff, without the
// summaries the store keeps for speed. The organisation holding a ticket is read
// from ticket_orgs (the trail's route events do not name it); the localisation
// and the failed confirmation call are single moments kept on the ticket.
func replayFacts(t *testing.T, s *store.Store, cutoff time.Time) []app.RatingFact {
	t.Helper()
	db, err := sql.Open("sqlite", store.DSN(s.Path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	T := cutoff.Unix()
	byID := map[int64]*app.RatingFact{}
	status := map[int64]app.Status{}
	var order []int64
	rows, err := db.Query(`SELECT id, building_id, category, emergency, created_at, accept_due_at, due_at, COALESCE(localize_due_at, 0),
		COALESCE(localized_at, 0), callback_failed_at < ? IS TRUE FROM tickets WHERE created_at < ?`, T, T)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		f := &app.RatingFact{}
		if err := rows.Scan(&f.Ticket, &f.Building, &f.Category, &f.Emergency, &f.Created, &f.AcceptDue, &f.Due, &f.LocalizeDue, &f.Localized, &f.Unreached); err != nil {
			t.Fatal(err)
		}
		if f.Localized >= T {
			f.Localized = 0
		}
		byID[f.Ticket] = f
		order = append(order, f.Ticket)
	}
	rows.Close()
	rows, err = db.Query("SELECT ticket_id, COALESCE(organization_id, 0) FROM ticket_orgs WHERE at < ? ORDER BY ticket_id, at, rowid", T)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, org int64
		rows.Scan(&id, &org)
		if f := byID[id]; f != nil {
			f.Org = org
		}
	}
	rows.Close()
	rows, err = db.Query("SELECT ticket_id, at, action, from_status, to_status FROM ticket_events WHERE at < ? ORDER BY ticket_id, id", T)
	if err != nil {
		t.Fatal(err)
	}
	first := func(p *int64, at int64) {
		if *p == 0 {
			*p = at
		}
	}
	for rows.Next() {
		var id, at int64
		var action app.Action
		var from, to app.Status
		rows.Scan(&id, &at, &action, &from, &to)
		f := byID[id]
		if f == nil {
			continue
		}
		status[id] = to
		switch action {
		case app.ActionLink, app.ActionCancel:
			f.Excluded = true
		case app.ActionRoute:
			first(&f.Routed, at)
		case app.ActionAccept:
			first(&f.Accepted, at)
		case app.ActionReject:
			first(&f.FirstReject, at)
		case app.ActionConfirm:
			first(&f.Confirmed, at)
		}
		if to == app.StatusDone && from != app.StatusDone {
			f.LastDone = at
		}
	}
	rows.Close()
	out := make([]app.RatingFact, 0, len(order))
	for _, id := range order {
		f := byID[id]
		st := status[id]
		f.Open = st == app.StatusNew || st == app.StatusRouted || st == app.StatusAccepted || st == app.StatusReopened || st == ""
		if f.Confirmed != 0 {
			f.Unreached = false
		}
		out = append(out, *f)
	}
	return out
}

// TestReplayDemoDays: the demo's last 30 stored days equal the method applied to
// the facts replayed from the audit trail with each day's own weights; after the
// supervisor changes the weights, recomputing every day leaves them as they were
// (each keeps its method and weights: the first ten were stored under v1), and
// only a new day takes the new weights.
func TestReplayDemoDays(t *testing.T) {
	s, clock := apptest.Demo(t)
	ctx := context.Background()
	svc := rating.New(s, nil)
	loc := s.Municipality(ctx).Location
	now := clock.Now().In(loc)
	var daysList []string
	for i := rating.BackfillDays; i >= 1; i-- {
		daysList = append(daysList, time.Date(now.Year(), now.Month(), now.Day()-i, 0, 0, 0, 0, loc).Format(rating.DayLayout))
	}
	// The demo may have stored days already: start from none, the first ten under v1.
	stored := map[string]*app.RatingDay{}
	for i, day := range daysList {
		svc.Method = app.RatingMethodV2
		if i < 10 {
			svc.Method = app.RatingMethodV1
		}
		if _, err := s.Rating(ctx, day); err == nil {
			if err := deleteDay(s, day); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.ComputeDay(ctx, day); err != nil {
			t.Fatal(err)
		}
		d, err := s.Rating(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		stored[day] = d
	}
	svc.Method = app.RatingMethodV2
	replay := func(what string) {
		t.Helper()
		checked := 0
		for _, day := range daysList {
			d := stored[day]
			if d.Method != app.RatingMethodV2 {
				continue
			}
			orgs, err := s.RatedOrgs(ctx, d.Method)
			if err != nil {
				t.Fatal(err)
			}
			want := rating.ComputeFacts(day, d.Cutoff, replayFacts(t, s, d.Cutoff), orgs, d.Weights)
			if !reflect.DeepEqual(want.Rows, d.Rows) {
				t.Errorf("%s: day %s stored differs from the replayed trail:\nstored   %s\nreplayed %s", what, day, rowsText(d.Rows), rowsText(want.Rows))
			}
			checked++
		}
		if checked != 20 {
			t.Fatalf("%s: %d v2 days checked, want 20", what, checked)
		}
	}
	replay("as computed")
	ranked := 0
	for _, r := range stored[daysList[len(daysList)-1]].Rows {
		if r.Score != nil {
			ranked++
		}
	}
	if ranked < 3 {
		t.Fatalf("only %d organisations ranked on the last day: the demo proves little", ranked)
	}
	sup := apptest.User(t, s, "supervisor")
	nw := app.RatingWeights{OnTime: 30, Accept: 10, FirstFix: 20, Localize: 10, Repeats: 20, Overdue: 10}
	if err := s.SaveRatingSettings(ctx, sup, nw, "00:05"); err != nil {
		t.Fatal(err)
	}
	for _, day := range daysList {
		if _, err := svc.ComputeDay(ctx, day); err != nil {
			t.Fatal(err)
		}
		again, err := s.Rating(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		old := *stored[day]
		again.ComputedAt, old.ComputedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(again, &old) {
			t.Errorf("day %s (v%d) changed after the weights changed:\nwas %s\nnow %s", day, old.Method, rowsText(old.Rows), rowsText(again.Rows))
		}
	}
	replay("after the weights changed")
}

func deleteDay(s *store.Store, day string) error {
	db, err := sql.Open("sqlite", store.DSN(s.Path, false))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("DELETE FROM ratings WHERE day = ?", day)
	return err
}

func rowsText(rows []app.RatingRow) string {
	out := ""
	for _, r := range rows {
		sc := "—"
		if r.Score != nil {
			sc = fmtF(*r.Score)
		}
		out += "\n  " + r.OrgName + " " + sc + " " + metricsText(r.Metrics)
	}
	return out
}

func metricsText(m app.RatingMetrics) string {
	s := ""
	for _, r := range []app.Ratio{m.OnTime, m.Accept, m.FirstFix, m.Overdue} {
		s += " " + itoa(r.Num) + "/" + itoa(r.Den)
	}
	if m.Localize != nil {
		s += " loc " + itoa(m.Localize.Num) + "/" + itoa(m.Localize.Den)
	}
	if m.Repeats != nil {
		s += " rep " + itoa(m.Repeats.Repeats)
	}
	return s + " pend " + itoa(m.Pending)
}

func itoa(n int) string { return fmtF(float64(n)) }
