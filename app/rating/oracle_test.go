package rating_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// oracleCounts counts the rating's components the slow, obvious way, straight from
// the definitions in docs/rating.md: replaying every ticket's whole audit trail up
// to the cutoff. The store's fast path (first times kept by triggers, per-org
// aggregation in SQL) must agree with it.
func oracleCounts(t *testing.T, s *store.Store, cutoff time.Time) map[int64]app.RatingCounts {
	t.Helper()
	db, err := sql.Open("sqlite", store.DSN(s.Path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	T, w0 := cutoff.Unix(), cutoff.Add(-app.RatingWindow).Unix()
	in := func(x int64) bool { return x != 0 && x >= w0 && x < T }
	type ticket struct{ created, acceptDue, due int64 }
	tickets := map[int64]ticket{}
	rows, err := db.Query("SELECT id, created_at, accept_due_at, due_at FROM tickets WHERE created_at < ?", T)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var tk ticket
		rows.Scan(&id, &tk.created, &tk.acceptDue, &tk.due)
		tickets[id] = tk
	}
	rows.Close()
	orgs := map[int64]int64{}
	rows, err = db.Query("SELECT ticket_id, COALESCE(organization_id, 0) FROM ticket_orgs WHERE at < ? ORDER BY ticket_id, at, rowid", T)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, org int64
		rows.Scan(&id, &org)
		orgs[id] = org
	}
	rows.Close()
	type trail struct {
		status                                   app.Status
		linked                                   bool
		route, accept, reject, confirm, lastDone int64
	}
	trails := map[int64]*trail{}
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
		tr := trails[id]
		if tr == nil {
			tr = &trail{}
			trails[id] = tr
		}
		tr.status = to
		switch action {
		case app.ActionLink:
			tr.linked = true
		case app.ActionRoute:
			first(&tr.route, at)
		case app.ActionAccept:
			first(&tr.accept, at)
		case app.ActionReject:
			first(&tr.reject, at)
		case app.ActionConfirm:
			first(&tr.confirm, at)
		}
		if to == app.StatusDone && from != app.StatusDone {
			tr.lastDone = at
		}
	}
	rows.Close()
	out := map[int64]app.RatingCounts{}
	for id, tr := range trails {
		tk, ok := tickets[id]
		org := orgs[id]
		if !ok || org == 0 || tr.linked || tr.status == app.StatusCancelled {
			continue
		}
		c := out[org]
		if in(tk.created) {
			c.Requests++
		}
		if in(tk.due) {
			c.OnTimeDen++
			if (tr.status == app.StatusDone || tr.status == app.StatusClosed) && tr.lastDone <= tk.due {
				c.OnTimeNum++
			}
		}
		if in(tk.acceptDue) && tr.route != 0 && tr.route <= tk.acceptDue {
			c.AcceptDen++
			if tr.accept != 0 && tr.accept <= tk.acceptDue {
				c.AcceptNum++
			}
		}
		switch {
		case tr.reject != 0:
			if in(tr.reject) {
				c.FixDen++
			}
		case tr.status == app.StatusClosed && in(tr.confirm):
			c.FixDen++
			c.FixNum++
		}
		if tr.status == app.StatusRouted || tr.status == app.StatusAccepted || tr.status == app.StatusReopened {
			c.Open++
			if tk.due < T {
				c.Overdue++
			}
		}
		out[org] = c
	}
	return out
}

func compareCounts(t *testing.T, what string, got, want map[int64]app.RatingCounts) {
	t.Helper()
	for org, w := range want {
		if got[org] != w {
			t.Errorf("%s, organisation %d: fast %+v, replayed %+v", what, org, got[org], w)
		}
	}
	for org, g := range got {
		if _, ok := want[org]; !ok && g != (app.RatingCounts{}) {
			t.Errorf("%s: organisation %d only in the fast count: %+v", what, org, g)
		}
	}
}

// TestCountsAgreeWithReplayedTrail checks the fast counts against the replay on the
// hand-built fixture (links, returns, reopenings) before and after later changes,
// and on a bulk database at several past days (every status, reopenings, tickets
// finished long after the day).
func TestCountsAgreeWithReplayedTrail(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.build(t)
	for _, end := range []time.Time{fixEnd, fixEnd.Add(-days(9)), fixEnd.Add(-days(19))} {
		got, err := f.s.RatingCounts(ctx, end)
		if err != nil {
			t.Fatal(err)
		}
		compareCounts(t, "fixture "+end.String(), got, oracleCounts(t, f.s, end))
	}
	s, _ := apptest.OpenBulk(t, 3000) // the same cached database as apptest's own test
	for _, back := range []int{1, 5, 20, 45, 200} {
		end := time.Date(2026, 11, 16-back, 21, 0, 0, 0, time.UTC)
		got, err := s.RatingCounts(ctx, end)
		if err != nil {
			t.Fatal(err)
		}
		want := oracleCounts(t, s, end)
		if len(want) == 0 {
			t.Fatalf("nothing to compare at %s", end)
		}
		compareCounts(t, "bulk "+end.String(), got, want)
	}
}
