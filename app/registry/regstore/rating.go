package regstore

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
)

// The republic-wide rating is the municipal rating's first method (v1, with its
// own weights), computed by app/rating (rating.Compute) over counts taken from
// the records the registry holds, for the 30 days before now. (Method v2 needs
// what a record does not carry: how each closure came about and the centre's
// failed callbacks.)
//
//	on-time resolution 40 %: of the tickets due in the window, the share done by due_at;
//	acceptance on time 15 %: of the tickets whose acceptance fell due in the window,
//	                         the share accepted by accept_due_at;
//	first-time fix     20 %: of the tickets closed in the window, the share never reopened;
//	overdue now        10 %: one minus the share of its open tickets that are overdue now
//	                         (nothing open: full marks);
//	load               15 %: requests per 100 apartments of the buildings it serves,
//	                         scored against the median of its municipality (at or
//	                         below the median: full marks; twice the median: half).
//
// The apartments are those of the buildings that appear in the organisation's
// records (each record carries its building's flat count). A municipality whose
// records carry no flat counts (an older centre) is scored per building instead,
// against its own median, and the page says so. Calls linked to another ticket (one incident) count once, through
// the parent. An organisation with fewer than MinTickets in the window is shown
// as «недостаточно данных» and not ranked. A component with nothing to measure
// (no ticket fell due) drops out and the others' weights are scaled up. Shares
// are rounded to four places and scores to one decimal, as the method does.
const (
	ratingWindow = 30 * 24 * time.Hour
	// MinTickets is the fewest tickets in the window for a rank (the method's).
	MinTickets = app.RatingMinTickets
)

// Weights of the rating's components, in the order of Component: the method's
// default weights (app.DefaultRatingWeights), as shares.
var Weights = [5]float64{
	float64(app.DefaultRatingWeights.OnTime) / 100, float64(app.DefaultRatingWeights.Accept) / 100,
	float64(app.DefaultRatingWeights.FirstFix) / 100, float64(app.DefaultRatingWeights.Overdue) / 100,
	float64(app.DefaultRatingWeights.Load) / 100,
}

// ComponentTitles names the components for the page.
var ComponentTitles = [5]string{"Выполнено в срок", "Принято в срок", "Без повторных обращений", "Нет просрочки сейчас", "Нагрузка"}

// OrgScore is one organisation's place in the republic's rating.
type OrgScore struct {
	Municipality string
	OrgID        int64
	Name         string
	Tickets      int
	Buildings    int
	Apartments   int        // of the buildings in its records; 0: unknown
	Components   [5]float64 // 0..1
	Has          [5]bool    // false: nothing to measure
	Score        float64    // 0..100
	Rank         int        // 0: not ranked (too few tickets)
}

// Rating is the republic-wide rating as of a moment.
type Rating struct {
	From, To time.Time
	Ranked   []OrgScore
	Unranked []OrgScore
	Titles   [5]string
	Weights  [5]float64
}

// ratingCols are what the rating counts by: on PostgreSQL all of them are in the
// index tickets_rating.
const ratingCols = "municipality, organization_id, organization, status, created_at, due_at, accept_due_at, accepted_at, done_at, closed_at, reopen_count"

// Rating computes the republic-wide rating of management organisations as of now.
//
// It reads only the tickets that can count: those whose horizon (the latest of
// filing, deadlines and closure) lies in the window or after it, and those still
// open (older than the window) — through indexes (on PostgreSQL the covering
// tickets_rating), not the whole table. An organisation with none of
// them has nothing to rate in the window and is not listed. Its buildings and
// their flats are those seen in all its records (org_buildings).
func (db *DB) Rating(ctx context.Context, now time.Time) (*Rating, error) {
	from := now.Add(-ratingWindow)
	f, n := from.Unix(), now.Unix()
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if db.pg != nil {
		// A country's organisations are tens of thousands of groups: aggregated
		// in memory, not sorted on disk.
		if _, err := tx.ExecContext(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, db.q(`SELECT municipality, organization_id, max(organization),
		count(*) FILTER (WHERE created_at >= ?1 AND created_at < ?2),
		count(*) FILTER (WHERE due_at >= ?1 AND due_at < ?2 AND status <> 'cancelled'),
		count(*) FILTER (WHERE due_at >= ?1 AND due_at < ?2 AND status <> 'cancelled' AND done_at IS NOT NULL AND done_at <= due_at),
		count(*) FILTER (WHERE accept_due_at >= ?1 AND accept_due_at < ?2 AND status <> 'cancelled'),
		count(*) FILTER (WHERE accept_due_at >= ?1 AND accept_due_at < ?2 AND status <> 'cancelled' AND accepted_at IS NOT NULL AND accepted_at <= accept_due_at),
		count(*) FILTER (WHERE closed_at >= ?1 AND closed_at < ?2 AND status = 'closed'),
		count(*) FILTER (WHERE closed_at >= ?1 AND closed_at < ?2 AND status = 'closed' AND reopen_count = 0),
		count(*) FILTER (WHERE `+openSQL+`), count(*) FILTER (WHERE `+openSQL+` AND due_at < ?2)
		FROM (SELECT `+ratingCols+` FROM tickets WHERE horizon >= ?1 AND organization_id <> 0 AND parent = ''
			UNION ALL
			SELECT `+ratingCols+` FROM tickets WHERE horizon < ?1 AND `+openSQL+` AND organization_id <> 0 AND parent = '') t
		GROUP BY municipality, organization_id`), f, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []OrgScore
	var counts []app.RatingCounts
	type orgKey struct {
		m  string
		id int64
	}
	index := map[orgKey]int{}
	for rows.Next() {
		var o OrgScore
		var c app.RatingCounts
		if err := rows.Scan(&o.Municipality, &o.OrgID, &o.Name, &o.Tickets, &c.OnTimeDen, &c.OnTimeNum, &c.AcceptDen, &c.AcceptNum,
			&c.FixDen, &c.FixNum, &c.Open, &c.Overdue); err != nil {
			return nil, err
		}
		c.Requests = o.Tickets
		index[orgKey{o.Municipality, o.OrgID}] = len(all)
		all = append(all, o)
		counts = append(counts, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	bs, err := tx.QueryContext(ctx, "SELECT municipality, organization_id, count(*), sum(apartments) FROM org_buildings GROUP BY municipality, organization_id")
	if err != nil {
		return nil, err
	}
	defer bs.Close()
	for bs.Next() {
		var k orgKey
		var buildings, flats int
		if err := bs.Scan(&k.m, &k.id, &buildings, &flats); err != nil {
			return nil, err
		}
		if i, ok := index[k]; ok {
			all[i].Buildings, all[i].Apartments = buildings, flats
		}
	}
	if err := bs.Err(); err != nil {
		return nil, err
	}
	return republic(all, counts, from, now), nil
}

// republic scores the organisations with the one rating method, app/rating's
// Compute, municipality by municipality (the load's median is each
// municipality's own), then ranks them republic-wide. This is the seam between
// the registry and the method: the registry counts, the method scores.
//
// A municipality whose records carry no flat counts (an older centre) is scored
// per building: its buildings stand in for apartments, which leaves the load
// component (a ratio to the median) what it is per building.
func republic(all []OrgScore, counts []app.RatingCounts, from, now time.Time) *Rating {
	perApartments := map[string]bool{}
	for _, o := range all {
		if o.Apartments > 0 {
			perApartments[o.Municipality] = true
		}
	}
	type municipality struct {
		orgs   []store.RatedOrg
		counts map[int64]app.RatingCounts
		index  map[int64]int // into all
	}
	muns := map[string]*municipality{}
	for i, o := range all {
		m := muns[o.Municipality]
		if m == nil {
			m = &municipality{counts: map[int64]app.RatingCounts{}, index: map[int64]int{}}
			muns[o.Municipality] = m
		}
		flats := o.Apartments
		if !perApartments[o.Municipality] {
			flats = o.Buildings
		}
		m.orgs = append(m.orgs, store.RatedOrg{ID: o.OrgID, Name: o.Name, Apartments: flats})
		m.counts[o.OrgID] = counts[i]
		m.index[o.OrgID] = i
	}
	for _, m := range muns {
		day := rating.Compute("", now, m.counts, m.orgs, app.DefaultRatingWeightsV1)
		for _, row := range day.Rows {
			o := &all[m.index[row.OrgID]]
			met := row.Metrics
			for k, v := range [5]*float64{met.OnTime.Value, met.Accept.Value, met.FirstFix.Value, met.Overdue.Value, met.Load.Value} {
				if v != nil {
					o.Components[k], o.Has[k] = *v, true
				}
			}
			if row.Score != nil {
				o.Score = *row.Score
			}
		}
	}
	r := &Rating{From: from, To: now, Titles: ComponentTitles, Weights: Weights}
	for _, o := range all {
		if o.Tickets >= MinTickets {
			r.Ranked = append(r.Ranked, o)
		} else {
			r.Unranked = append(r.Unranked, o)
		}
	}
	sort.SliceStable(r.Ranked, func(i, j int) bool {
		if r.Ranked[i].Score != r.Ranked[j].Score {
			return r.Ranked[i].Score > r.Ranked[j].Score
		}
		return r.Ranked[i].Name < r.Ranked[j].Name
	})
	for i := range r.Ranked {
		r.Ranked[i].Rank = i + 1
		if i > 0 && r.Ranked[i].Score == r.Ranked[i-1].Score {
			r.Ranked[i].Rank = r.Ranked[i-1].Rank
		}
	}
	sort.Slice(r.Unranked, func(i, j int) bool { return r.Unranked[i].Name < r.Unranked[j].Name })
	return r
}
