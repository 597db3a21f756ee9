package rating

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/ecoz/ecoz/app"
)

// RepeatWindow is how soon after an earlier ticket of the same building and
// category a new one counts as a repeated complaint (method v2).
const RepeatWindow = 30 * 24 * time.Hour

// RepeatsYardstickMin is the least yardstick of the repeats component, in repeats
// per 100 apartments: where nearly nobody has repeats, one more should not halve
// a score.
const RepeatsYardstickMin = 1.0

// FactsFrom is how far before the cutoff the facts handed to ComputeFacts must
// reach: the window, and the 30 days before it where an earlier complaint of a
// repeat can lie.
const FactsFrom = app.RatingWindow + RepeatWindow

// Counts2 are one organisation's counts under method v2.
type Counts2 struct {
	Requests                 int // registered in the window
	OnTimeNum, OnTimeDen     int // due in the window, not left out; of them confirmed and last done by due
	Pending, Unreached       int // of the due: awaiting the resident's answer; left out (the centre failed to reach)
	LocalizeNum, LocalizeDen int // emergencies with the localisation deadline in the window; of them localised by it
	FixNum, FixDen           int // first answer of the resident in the window; of them a confirmation
	Repeats                  int // registered in the window, with an earlier one of the same building and category
	Overdue, Open            int // open at the cutoff; of them past the deadline
	AcceptNum, AcceptDen     int // to be accepted in the window (routed by then); of them accepted in time
}

// CountFacts applies the definitions of method v2 to each ticket's facts as they
// stood at cutoff, for the window of app.RatingWindow before it, and adds them up
// per organisation. facts must include every ticket registered since FactsFrom
// before the cutoff, and any older one due, to be accepted, answered or open in
// the window. It is pure: the registry applies it to its own records.
func CountFacts(cutoff time.Time, facts []app.RatingFact) map[int64]Counts2 {
	T := cutoff.Unix()
	w0 := cutoff.Add(-app.RatingWindow).Unix()
	in := func(x int64) bool { return x != 0 && x >= w0 && x < T }
	repeats := repeatedTickets(facts, T)
	out := map[int64]Counts2{}
	for i := range facts {
		f := &facts[i]
		if f.Org == 0 || f.Excluded || f.Created >= T {
			continue
		}
		c := out[f.Org]
		if in(f.Created) {
			c.Requests++
			if repeats[f.Ticket] {
				c.Repeats++
			}
		}
		if in(f.Due) {
			switch {
			case f.Confirmed != 0:
				c.OnTimeDen++
				if f.LastDone != 0 && f.LastDone <= f.Due {
					c.OnTimeNum++
				}
			case f.Unreached:
				c.Unreached++
			default:
				c.OnTimeDen++
				if !f.Open && f.LastDone != 0 {
					c.Pending++
				}
			}
		}
		if f.Emergency && in(f.LocalizeDue) {
			c.LocalizeDen++
			if f.Localized != 0 && f.Localized <= f.LocalizeDue {
				c.LocalizeNum++
			}
		}
		if in(f.AcceptDue) && f.Routed != 0 && f.Routed <= f.AcceptDue {
			c.AcceptDen++
			if f.Accepted != 0 && f.Accepted <= f.AcceptDue {
				c.AcceptNum++
			}
		}
		switch {
		case f.FirstReject != 0:
			if in(f.FirstReject) {
				c.FixDen++
			}
		case in(f.Confirmed):
			c.FixDen++
			c.FixNum++
		}
		if f.Open {
			c.Open++
			if f.Due < T {
				c.Overdue++
			}
		}
		out[f.Org] = c
	}
	return out
}

// repeatedTickets marks the tickets that repeat an earlier complaint: registered
// less than RepeatWindow after another ticket of the same building and category
// (neither cancelled nor linked before T).
func repeatedTickets(facts []app.RatingFact, T int64) map[int64]bool {
	// In order of registration, each ticket is compared with the latest earlier
	// one of its building and category.
	type ref struct {
		created, ticket int64
		i               int
	}
	order := make([]ref, 0, len(facts))
	for i := range facts {
		if f := &facts[i]; !f.Excluded && f.Created < T {
			order = append(order, ref{f.Created, f.Ticket, i})
		}
	}
	slices.SortFunc(order, func(a, b ref) int {
		if c := cmp.Compare(a.created, b.created); c != 0 {
			return c
		}
		return cmp.Compare(a.ticket, b.ticket)
	})
	type key struct {
		b int64
		c string
	}
	last := make(map[key]int64, len(order))
	out := map[int64]bool{}
	span := int64(RepeatWindow / time.Second)
	for _, r := range order {
		f := &facts[r.i]
		k := key{f.Building, f.Category}
		if prev, ok := last[k]; ok && f.Created-prev < span {
			out[f.Ticket] = true
		}
		last[k] = f.Created
	}
	return out
}

// ComputeFacts is method v2 from the tickets' facts: CountFacts, then Compute2.
func ComputeFacts(day string, cutoff time.Time, facts []app.RatingFact, orgs []app.RatedOrg, w app.RatingWeights) *app.RatingDay {
	return Compute2(day, cutoff, CountFacts(cutoff, facts), orgs, w)
}

// Compute2 scores and ranks the organisations from their v2 counts. Management
// organisations are ranked among themselves, the others (suppliers, contractors)
// in a table of their own; each table has its own yardstick of repeats.
func Compute2(day string, cutoff time.Time, counts map[int64]Counts2, orgs []app.RatedOrg, w app.RatingWeights) *app.RatingDay {
	rows := make([]app.RatingRow, len(orgs))
	for i, o := range orgs {
		c := counts[o.ID]
		rows[i] = app.RatingRow{OrgID: o.ID, OrgName: o.Name, OrgKind: o.Kind, Tickets: c.Requests}
		m := &rows[i].Metrics
		m.OnTime = app.Ratio{Num: c.OnTimeNum, Den: c.OnTimeDen, Value: share(c.OnTimeNum, c.OnTimeDen)}
		m.Pending, m.Unreached = c.Pending, c.Unreached
		m.Accept = app.Ratio{Num: c.AcceptNum, Den: c.AcceptDen, Value: share(c.AcceptNum, c.AcceptDen)}
		m.FirstFix = app.Ratio{Num: c.FixNum, Den: c.FixDen, Value: share(c.FixNum, c.FixDen)}
		m.Localize = &app.Ratio{Num: c.LocalizeNum, Den: c.LocalizeDen, Value: share(c.LocalizeNum, c.LocalizeDen)}
		m.Overdue = app.Ratio{Num: c.Overdue, Den: c.Open}
		one := 1.0
		m.Overdue.Value = &one
		if c.Open > 0 {
			v := round(1-float64(c.Overdue)/float64(c.Open), 4)
			m.Overdue.Value = &v
		}
		m.Repeats = &app.RepeatsMetric{Repeats: c.Repeats, Apartments: o.Apartments}
		if o.Apartments > 0 {
			m.Repeats.Per100 = round(float64(c.Repeats)*100/float64(o.Apartments), 4)
		}
	}
	// The yardstick of repeats: the median per 100 apartments over the ranked
	// organisations of the same table that have apartments, at least RepeatsYardstickMin.
	management := func(r *app.RatingRow) bool { return r.OrgKind == app.OrgManagement }
	for _, group := range []bool{true, false} {
		var per []float64
		for i := range rows {
			r := &rows[i]
			if management(r) == group && r.Tickets >= app.RatingMinTickets && r.Metrics.Repeats.Apartments > 0 {
				per = append(per, r.Metrics.Repeats.Per100)
			}
		}
		yard := medianOf(per)
		if yard < RepeatsYardstickMin {
			yard = RepeatsYardstickMin
		}
		for i := range rows {
			r := &rows[i]
			if management(r) != group {
				continue
			}
			rp := r.Metrics.Repeats
			rp.Yardstick = yard
			if rp.Apartments > 0 {
				v := 1.0
				if rp.Per100 > yard {
					v = round(yard/rp.Per100, 4)
				}
				rp.Value = &v
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if r.Tickets < app.RatingMinTickets {
			continue
		}
		m := &r.Metrics
		sum, weight := 0.0, 0
		for _, c := range []struct {
			w int
			v *float64
		}{{w.OnTime, m.OnTime.Value}, {w.Accept, m.Accept.Value}, {w.FirstFix, m.FirstFix.Value}, {w.Localize, m.Localize.Value},
			{w.Repeats, m.Repeats.Value}, {w.Overdue, m.Overdue.Value}} {
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
	// Management organisations first, then the others; each ranked on its own.
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if management(&a) != management(&b) {
			return management(&a)
		}
		return lessRow(a, b)
	})
	rankRows(rows, management)
	return &app.RatingDay{Day: day, Method: app.RatingMethodV2, Cutoff: cutoff.UTC(), Weights: w, Rows: rows}
}

// lessRow orders rows by score (unranked last), then by name.
func lessRow(a, b app.RatingRow) bool {
	if (a.Score == nil) != (b.Score == nil) {
		return a.Score != nil
	}
	if a.Score != nil && *a.Score != *b.Score {
		return *a.Score > *b.Score
	}
	if a.OrgName != b.OrgName {
		return a.OrgName < b.OrgName
	}
	return a.OrgID < b.OrgID
}

// rankRows gives ranks within each table (the rows sorted by table, then by
// lessRow); equal scores share a rank (1, 1, 3).
func rankRows(rows []app.RatingRow, management func(*app.RatingRow) bool) {
	n := 0
	for i := range rows {
		if i > 0 && management(&rows[i]) != management(&rows[i-1]) {
			n = 0
		}
		if rows[i].Score == nil {
			continue
		}
		n++
		rows[i].Rank = n
		if n > 1 && *rows[i].Score == *rows[i-1].Score {
			rows[i].Rank = rows[i-1].Rank
		}
	}
}
