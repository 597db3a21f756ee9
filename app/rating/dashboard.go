package rating

import (
	"context"
	"sort"
	"time"
)

// Dashboard is what the administration's charts show.
type Dashboard struct {
	Days       []time.Time // the last DashboardDays local days, oldest first
	Categories []string    // by total requests, most first
	Requests   [][]int     // [category][day]
	OnTime     []float64   // municipality-wide on-time share of each stored rating day; -1: none
	OnTimeDays []string
	Accept     []AcceptBar
	// The centre's own figures for the last 7 days against the 7 before.
	Centre []CentreLine
}

// AcceptBar is one bar of the acceptance time distribution.
type AcceptBar struct {
	Label string
	N     int
}

// DashboardDays is how far back the charts look.
const DashboardDays = 30

var acceptBounds = []float64{0.5, 1, 2, 4, 8, 24, 48}
var acceptLabels = []string{"до 30 мин", "30 мин–1 ч", "1–2 ч", "2–4 ч", "4–8 ч", "8–24 ч", "1–2 сут", "дольше 2 сут"}

// Dashboard builds the charts' data for the DashboardDays days up to today.
func (s *Service) Dashboard(ctx context.Context) (*Dashboard, error) {
	loc := s.Store.Municipality(ctx).Location
	now := s.Store.Now().In(loc)
	end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	start := end.AddDate(0, 0, -DashboardDays)
	d := &Dashboard{}
	weekAgo := s.Store.Now().Add(-7 * 24 * time.Hour)
	norm := s.Store.RouteNorm(ctx) // the centre's own norm (a setting)
	c, err := s.Store.Centre(ctx, weekAgo, s.Store.Now(), norm)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.Centre(ctx, weekAgo.Add(-7*24*time.Hour), weekAgo, norm)
	if err != nil {
		return nil, err
	}
	d.Centre = CentreLines(c, p, norm)
	index := map[string]int{}
	for t := start; t.Before(end); t = t.AddDate(0, 0, 1) {
		index[t.Format(DayLayout)] = len(d.Days)
		d.Days = append(d.Days, t)
	}
	counts, err := s.Store.RequestsByHour(ctx, start, end)
	if err != nil {
		return nil, err
	}
	byCat := map[string][]int{}
	totals := map[string]int{}
	for _, c := range counts {
		i, ok := index[time.Unix(c.Hour, 0).In(loc).Format(DayLayout)]
		if !ok {
			continue
		}
		if byCat[c.Category] == nil {
			byCat[c.Category] = make([]int, len(d.Days))
			d.Categories = append(d.Categories, c.Category)
		}
		byCat[c.Category][i] += c.N
		totals[c.Category] += c.N
	}
	sort.Slice(d.Categories, func(i, j int) bool {
		a, b := d.Categories[i], d.Categories[j]
		if totals[a] != totals[b] {
			return totals[a] > totals[b]
		}
		return a < b
	})
	for _, c := range d.Categories {
		d.Requests = append(d.Requests, byCat[c])
	}
	hist, err := s.Store.RatingHistory(ctx, start.AddDate(0, 0, -DashboardDays).Format(DayLayout), end.Format(DayLayout))
	if err != nil {
		return nil, err
	}
	num, den := map[string]int{}, map[string]int{}
	for _, p := range hist {
		if _, ok := num[p.Day]; !ok {
			d.OnTimeDays = append(d.OnTimeDays, p.Day)
		}
		num[p.Day] += p.OnTimeNum
		den[p.Day] += p.OnTimeDen
	}
	for _, day := range d.OnTimeDays {
		v := -1.0
		if den[day] > 0 {
			v = float64(num[day]) / float64(den[day])
		}
		d.OnTime = append(d.OnTime, v)
	}
	buckets, err := s.Store.AcceptDistribution(ctx, start, end, acceptBounds)
	if err != nil {
		return nil, err
	}
	for i, b := range buckets {
		d.Accept = append(d.Accept, AcceptBar{Label: acceptLabels[i], N: b.N})
	}
	return d, nil
}
