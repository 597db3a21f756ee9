package registry

import (
	"context"
	"sort"
	"time"
)

// The republic-wide rating uses the municipal rating's method (issue #6) over
// the records the registry holds, for the 30 days before now:
//
//	on-time resolution 40 %: of the tickets due in the window, the share done by due_at;
//	acceptance on time 15 %: of the tickets whose acceptance fell due in the window,
//	                         the share accepted by accept_due_at;
//	first-time fix     20 %: of the tickets closed in the window, the share never reopened;
//	overdue now        10 %: one minus the share of its open tickets that are overdue now;
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
// (no ticket fell due) drops out and the others' weights are scaled up.
const (
	ratingWindow = 30 * 24 * time.Hour
	// MinTickets is the fewest tickets in the window for a rank.
	MinTickets = 10
)

// Weights of the rating's components, in the order of Component.
var Weights = [5]float64{0.40, 0.15, 0.20, 0.10, 0.15}

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

// Rating computes the republic-wide rating of management organisations as of now.
func (db *DB) Rating(ctx context.Context, now time.Time) (*Rating, error) {
	from := now.Add(-ratingWindow)
	f, n := from.Unix(), now.Unix()
	rows, err := db.r.QueryContext(ctx, `SELECT municipality, organization_id, max(organization),
		sum(created_at >= ?1 AND created_at < ?2),
		sum(due_at >= ?1 AND due_at < ?2 AND status <> 'cancelled'),
		sum(due_at >= ?1 AND due_at < ?2 AND status <> 'cancelled' AND done_at IS NOT NULL AND done_at <= due_at),
		sum(accept_due_at >= ?1 AND accept_due_at < ?2 AND status <> 'cancelled'),
		sum(accept_due_at >= ?1 AND accept_due_at < ?2 AND status <> 'cancelled' AND accepted_at IS NOT NULL AND accepted_at <= accept_due_at),
		sum(closed_at >= ?1 AND closed_at < ?2 AND status = 'closed'),
		sum(closed_at >= ?1 AND closed_at < ?2 AND status = 'closed' AND reopen_count = 0),
		sum(`+openSQL+`), sum(`+openSQL+` AND due_at < ?2),
		count(DISTINCT building_id),
		(SELECT COALESCE(sum(a), 0) FROM (SELECT max(b.apartments) AS a FROM tickets b
			WHERE b.municipality = tickets.municipality AND b.organization_id = tickets.organization_id GROUP BY b.building_id))
		FROM tickets WHERE organization_id <> 0 AND parent = '' GROUP BY municipality, organization_id`, f, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []OrgScore
	type frac struct{ num, den int }
	var fr [][4]frac
	for rows.Next() {
		var o OrgScore
		var x [4]frac
		var open, overdue int
		if err := rows.Scan(&o.Municipality, &o.OrgID, &o.Name, &o.Tickets, &x[0].den, &x[0].num, &x[1].den, &x[1].num,
			&x[2].den, &x[2].num, &open, &overdue, &o.Buildings, &o.Apartments); err != nil {
			return nil, err
		}
		x[3] = frac{open - overdue, open}
		all = append(all, o)
		fr = append(fr, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Requests per 100 apartments where the municipality sends flat counts, else
	// per building; the median is of the municipality's organisations with enough
	// tickets.
	perApartments := map[string]bool{}
	for _, o := range all {
		if o.Apartments > 0 {
			perApartments[o.Municipality] = true
		}
	}
	loadOf := func(o *OrgScore) (float64, bool) {
		if perApartments[o.Municipality] {
			return 100 * float64(o.Tickets) / float64(o.Apartments), o.Apartments > 0
		}
		return float64(o.Tickets) / float64(o.Buildings), o.Buildings > 0
	}
	loads := map[string][]float64{}
	for i := range all {
		if l, ok := loadOf(&all[i]); ok && all[i].Tickets >= MinTickets {
			loads[all[i].Municipality] = append(loads[all[i].Municipality], l)
		}
	}
	r := &Rating{From: from, To: now, Titles: ComponentTitles, Weights: Weights}
	for i := range all {
		o := &all[i]
		for k, x := range fr[i] {
			if x.den > 0 {
				o.Components[k], o.Has[k] = float64(x.num)/float64(x.den), true
			}
		}
		if load, ok := loadOf(o); ok && len(loads[o.Municipality]) > 0 {
			med := median(loads[o.Municipality])
			o.Components[4], o.Has[4] = 1, true
			if load > med && load > 0 {
				o.Components[4] = med / load
			}
		}
		var sum, w float64
		for k := range Weights {
			if o.Has[k] {
				sum += Weights[k] * o.Components[k]
				w += Weights[k]
			}
		}
		if w > 0 {
			o.Score = 100 * sum / w
		}
		if o.Tickets >= MinTickets {
			r.Ranked = append(r.Ranked, *o)
		} else {
			r.Unranked = append(r.Unranked, *o)
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
	return r, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
