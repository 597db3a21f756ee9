// Package rating computes the daily rating of management organisations from the
// audit trail (the method is written up in docs/rating.md and on the public page
// /rating/method), runs it every night, and builds the weekly meeting report and
// the administration's dashboard from the same data.
package rating

import (
	"math"
	"sort"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Compute applies method v1 to the counts of each organisation's tickets as they
// stood at cutoff (the end of day), for the organisations orgs, with the weights w.
// It is a pure function: the same counts give the same day, which with counts
// taken from the audit trail is what makes a past day reproducible.
func Compute(day string, cutoff time.Time, counts map[int64]app.RatingCounts, orgs []app.RatedOrg, w app.RatingWeights) *app.RatingDay {
	rows := make([]app.RatingRow, len(orgs))
	for i, o := range orgs {
		c := counts[o.ID]
		rows[i] = app.RatingRow{OrgID: o.ID, OrgName: o.Name, OrgKind: o.Kind, Tickets: c.Requests}
		m := &rows[i].Metrics
		m.Load = &app.LoadMetric{Apartments: o.Apartments}
		m.OnTime = app.Ratio{Num: c.OnTimeNum, Den: c.OnTimeDen}
		m.Accept = app.Ratio{Num: c.AcceptNum, Den: c.AcceptDen}
		m.FirstFix = app.Ratio{Num: c.FixNum, Den: c.FixDen}
		m.Overdue = app.Ratio{Num: c.Overdue, Den: c.Open}
	}

	// The load's yardstick: the median over the organisations that are ranked and
	// manage apartments, so that a new or empty organisation does not drag it down.
	var loads []float64
	for i := range rows {
		r := &rows[i]
		l := r.Metrics.Load
		l.Requests = r.Tickets
		if l.Apartments > 0 {
			l.Per100 = round(float64(l.Requests)*100/float64(l.Apartments), 4)
			if r.Tickets >= app.RatingMinTickets {
				loads = append(loads, l.Per100)
			}
		}
	}
	median := medianOf(loads)
	for i := range rows {
		r := &rows[i]
		m := &r.Metrics
		m.OnTime.Value = share(m.OnTime.Num, m.OnTime.Den)
		m.Accept.Value = share(m.Accept.Num, m.Accept.Den)
		m.FirstFix.Value = share(m.FirstFix.Num, m.FirstFix.Den)
		// Nothing open is nothing overdue: full marks, not "no data".
		one := 1.0
		m.Overdue.Value = &one
		if m.Overdue.Den > 0 {
			v := round(1-float64(m.Overdue.Num)/float64(m.Overdue.Den), 4)
			m.Overdue.Value = &v
		}
		m.Load.Median = median
		if m.Load.Apartments > 0 {
			v := 1.0
			if m.Load.Per100 > median && median > 0 {
				v = round(median/m.Load.Per100, 4)
			}
			m.Load.Value = &v
		}
		if r.Tickets < app.RatingMinTickets {
			continue
		}
		sum, weight := 0.0, 0
		for _, c := range []struct {
			w int
			v *float64
		}{{w.OnTime, m.OnTime.Value}, {w.Accept, m.Accept.Value}, {w.FirstFix, m.FirstFix.Value}, {w.Load, m.Load.Value}, {w.Overdue, m.Overdue.Value}} {
			if c.v != nil && c.w > 0 {
				sum += float64(c.w) * *c.v
				weight += c.w
			}
		}
		if weight > 0 {
			s := round(100*sum/float64(weight), 1)
			r.Score = &s
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return lessRow(rows[i], rows[j]) })
	// Equal scores share a rank (1, 1, 3): the order of names is no merit.
	for i := range rows {
		if rows[i].Score == nil {
			break
		}
		rows[i].Rank = i + 1
		if i > 0 && *rows[i].Score == *rows[i-1].Score {
			rows[i].Rank = rows[i-1].Rank
		}
	}
	return &app.RatingDay{Day: day, Method: app.RatingMethodV1, Cutoff: cutoff.UTC(), Weights: w, MedianLoad: median, Rows: rows}
}

func share(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	v := round(float64(num)/float64(den), 4)
	return &v
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return round((s[n/2-1]+s[n/2])/2, 4)
}
