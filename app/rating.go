package app

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The rating of management organisations (issue #6): the method itself lives in
// package app/rating; here are the types the store, the method and the web share.

// RatingWindow is how far back the rating of a day looks.
const RatingWindow = 30 * 24 * time.Hour

// RatingMinTickets is the fewest requests in the window for an organisation to be
// ranked: below it one bad week decides everything.
const RatingMinTickets = 10

// RatingWeights are the administrator's weights of the components, in percent.
type RatingWeights struct {
	OnTime   int `json:"on_time"`
	Accept   int `json:"accept_on_time"`
	FirstFix int `json:"first_time_fix"`
	Load     int `json:"load"`
	Overdue  int `json:"overdue_now"`
}

// DefaultRatingWeights is the method's starting point.
var DefaultRatingWeights = RatingWeights{OnTime: 40, Accept: 15, FirstFix: 20, Load: 15, Overdue: 10}

// Validate checks that every weight is 0–100 and that they add up to 100.
func (w RatingWeights) Validate() error {
	fe := FieldErrors{}
	for _, f := range []struct {
		key string
		v   int
	}{{"on_time", w.OnTime}, {"accept_on_time", w.Accept}, {"first_time_fix", w.FirstFix}, {"load", w.Load}, {"overdue_now", w.Overdue}} {
		if f.v < 0 || f.v > 100 {
			fe.Add(f.key, "Вес — целое число от 0 до 100.")
		}
	}
	if len(fe) == 0 && w.Sum() != 100 {
		fe.Add("weights", fmt.Sprintf("Сумма весов должна быть 100 %%, сейчас %d %%.", w.Sum()))
	}
	return fe.Err()
}

// Sum adds the weights up.
func (w RatingWeights) Sum() int { return w.OnTime + w.Accept + w.FirstFix + w.Load + w.Overdue }

// String is the stored form of the weights (JSON).
func (w RatingWeights) String() string {
	b, _ := json.Marshal(w)
	return string(b)
}

// ParseRatingWeights reads the stored form; "" gives the defaults.
func ParseRatingWeights(s string) (RatingWeights, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultRatingWeights, nil
	}
	var w RatingWeights
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return DefaultRatingWeights, Errorf(EINVALID, "Веса рейтинга в настройках повреждены.")
	}
	return w, w.Validate()
}

// ParseClock reads a local time of day "HH:MM" as minutes after midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, &Error{Code: EINVALID, Message: "Время расчёта — ЧЧ:ММ, например 00:05.", Fields: map[string]string{"time": "Формат ЧЧ:ММ."}}
	}
	return hh*60 + mm, nil
}

// RatingCounts are what the audit trail says about one organisation's tickets as
// they stood at a cutoff (the end of a day), counted for the window before it.
// The rating is computed from these, never from the tickets' current state, so
// that a past day computes the same however its tickets moved on since. See
// docs/rating.md for the exact definition of each count.
type RatingCounts struct {
	Requests             int // registered in the window
	OnTimeNum, OnTimeDen int // due in the window; of them finally done by the deadline
	AcceptNum, AcceptDen int // to be accepted in the window; of them accepted in time
	FixNum, FixDen       int // first answer of the resident in the window; of them a confirmation
	Overdue, Open        int // open at the cutoff; of them past the deadline
}

// Add sums two sets of counts of the same organisation.
func (c RatingCounts) Add(d RatingCounts) RatingCounts {
	return RatingCounts{
		Requests: c.Requests + d.Requests, OnTimeNum: c.OnTimeNum + d.OnTimeNum, OnTimeDen: c.OnTimeDen + d.OnTimeDen,
		AcceptNum: c.AcceptNum + d.AcceptNum, AcceptDen: c.AcceptDen + d.AcceptDen, FixNum: c.FixNum + d.FixNum,
		FixDen: c.FixDen + d.FixDen, Overdue: c.Overdue + d.Overdue, Open: c.Open + d.Open,
	}
}

// Ratio is a component counted as a share: Value = Num/Den, nil when Den is 0 (no
// data: the component is left out and the other weights scaled up).
type Ratio struct {
	Num   int      `json:"num"`
	Den   int      `json:"den"`
	Value *float64 `json:"value"`
}

// LoadMetric is the load component: requests per 100 apartments against the
// municipality's median.
type LoadMetric struct {
	Requests   int      `json:"requests"`
	Apartments int      `json:"apartments"`
	Per100     float64  `json:"per_100"`
	Median     float64  `json:"median"`
	Value      *float64 `json:"value"`
}

// RatingMetrics are the components of one organisation's score.
type RatingMetrics struct {
	OnTime   Ratio      `json:"on_time"`
	Accept   Ratio      `json:"accept_on_time"`
	FirstFix Ratio      `json:"first_time_fix"`
	Load     LoadMetric `json:"load"`
	// Overdue counts overdue (Num) among open (Den) tickets; its Value is the
	// share NOT overdue, so that higher is better for every component.
	Overdue Ratio `json:"overdue_now"`
}

// RatingRow is one organisation's line of a computed day.
type RatingRow struct {
	OrgID   int64
	OrgName string
	Rank    int      // 0: not ranked («недостаточно данных»)
	Score   *float64 // 0–100, one decimal; nil when not ranked
	Tickets int      // requests in the window
	Metrics RatingMetrics
}

// RatingDay is the rating of one day.
type RatingDay struct {
	Day        string // YYYY-MM-DD, local
	Cutoff     time.Time
	ComputedAt time.Time
	Weights    RatingWeights
	MedianLoad float64
	Rows       []RatingRow // ranked first by rank, then the rest by name
}
