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

// Rating methods. Each computed day records the method it used (ratings.method),
// and recomputing a day uses that day's method and weights, so that a stored day
// never changes when the method or the weights move on.
const (
	// RatingMethodV1 (issue #6): on time by the last «done», accepted on time,
	// first-time fix, load per 100 apartments, nothing overdue now.
	RatingMethodV1 = 1
	// RatingMethodV2 (issue #13): on time only when the resident's confirmation
	// closed it; emergencies localised on time; repeated complaints per 100
	// apartments instead of load; tickets the centre could not confirm left out;
	// organisations other than management ones in a table of their own.
	RatingMethodV2 = 2
	// RatingMethod is the method new days are computed with.
	RatingMethod = RatingMethodV2
)

// RatingWeights are the supervisor's weights of the components, in percent. A
// method uses only its own components: v1 has Load and no Localize or Repeats, v2
// the other way round; the unused ones are 0.
type RatingWeights struct {
	OnTime   int `json:"on_time"`
	Accept   int `json:"accept_on_time"`
	FirstFix int `json:"first_time_fix"`
	Load     int `json:"load,omitempty"`
	Overdue  int `json:"overdue_now"`
	Localize int `json:"localized_on_time,omitempty"`
	Repeats  int `json:"repeats,omitempty"`
}

// DefaultRatingWeightsV1 are the first method's weights.
var DefaultRatingWeightsV1 = RatingWeights{OnTime: 40, Accept: 15, FirstFix: 20, Load: 15, Overdue: 10}

// DefaultRatingWeights are the current method's starting point: acceptance on
// time has a small weight (it is a step, not a result).
var DefaultRatingWeights = RatingWeights{OnTime: 35, Accept: 5, FirstFix: 20, Localize: 15, Repeats: 15, Overdue: 10}

// Validate checks that every weight is 0–100 and that they add up to 100.
func (w RatingWeights) Validate() error {
	fe := FieldErrors{}
	for _, f := range []struct {
		key string
		v   int
	}{{"on_time", w.OnTime}, {"accept_on_time", w.Accept}, {"first_time_fix", w.FirstFix}, {"load", w.Load}, {"overdue_now", w.Overdue},
		{"localized_on_time", w.Localize}, {"repeats", w.Repeats}} {
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
func (w RatingWeights) Sum() int {
	return w.OnTime + w.Accept + w.FirstFix + w.Load + w.Overdue + w.Localize + w.Repeats
}

// String is the stored form of the weights (JSON).
func (w RatingWeights) String() string {
	b, _ := json.Marshal(w)
	return string(b)
}

// RatingWeightChange is one change of the weights: who made it and when.
type RatingWeightChange struct {
	At      time.Time
	Actor   string
	Weights RatingWeights
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
type LoadMetric struct { // method v1
	Requests   int      `json:"requests"`
	Apartments int      `json:"apartments"`
	Per100     float64  `json:"per_100"`
	Median     float64  `json:"median"`
	Value      *float64 `json:"value"`
}

// RatingMetrics are the components of one organisation's score.
type RatingMetrics struct {
	OnTime   Ratio       `json:"on_time"`
	Accept   Ratio       `json:"accept_on_time"`
	FirstFix Ratio       `json:"first_time_fix"`
	Load     *LoadMetric `json:"load,omitempty"` // method v1
	// Overdue counts overdue (Num) among open (Den) tickets; its Value is the
	// share NOT overdue, so that higher is better for every component.
	Overdue Ratio `json:"overdue_now"`
	// Method v2: emergencies localised by their localisation deadline; repeated
	// complaints per 100 apartments; tickets done and awaiting the resident's answer
	// at the cutoff (in OnTime's Den, not its Num); tickets due in the window the
	// centre could not reach the resident about (left out of OnTime altogether).
	Localize  *Ratio         `json:"localized_on_time,omitempty"`
	Repeats   *RepeatsMetric `json:"repeats,omitempty"`
	Pending   int            `json:"on_time_pending"`
	Unreached int            `json:"on_time_unreached"`
}

// RepeatsMetric is the repeated-complaints component of method v2: tickets
// registered in the window in the same building and category as an earlier one
// less than 30 days before, per 100 apartments, against a yardstick (the median of
// the ranked organisations of the same table, at least 1 per 100 apartments).
type RepeatsMetric struct {
	Repeats    int      `json:"repeats"`
	Apartments int      `json:"apartments"`
	Per100     float64  `json:"per_100"`
	Yardstick  float64  `json:"yardstick"`
	Value      *float64 `json:"value"`
}

// RatingFact is what the audit trail says about one ticket as it stood at a
// cutoff T: the plain facts the method v2 is applied to. Times are Unix seconds,
// 0 for "never" (or "not before T"). The store derives them from the trail; the
// registry can derive them from its records; the method needs nothing else.
type RatingFact struct {
	Ticket    int64
	Org       int64 // the organisation holding it at T; 0: none (at the centre)
	Building  int64
	Category  string
	Emergency bool
	Created   int64
	AcceptDue int64
	Due       int64
	// LocalizeDue is the emergency's localisation deadline (0: none); Localized
	// when it was localised, if before T.
	LocalizeDue, Localized int64
	Routed, Accepted       int64 // the first routing and acceptance before T
	LastDone               int64 // the last move to «done» before T
	Confirmed              int64 // the resident's confirmation before T (it closes the ticket)
	FirstReject            int64 // the resident's first rejection before T
	Open                   bool  // with the organisation at T: routed, accepted or reopened
	Unreached              bool  // at T the centre had failed to reach the resident to confirm
	Excluded               bool  // cancelled, or linked to another ticket, before T
}

// RatedOrg is an organisation as the rating sees it.
type RatedOrg struct {
	ID         int64
	Name       string
	Kind       OrgKind
	Apartments int // in the buildings it manages (a supplier: it supplies)
}

// RatingRow is one organisation's line of a computed day.
type RatingRow struct {
	OrgID   int64
	OrgName string
	OrgKind OrgKind  // v2 ranks management organisations and the others in separate tables
	Rank    int      // 0: not ranked («недостаточно данных»)
	Score   *float64 // 0–100, one decimal; nil when not ranked
	Tickets int      // requests in the window
	Metrics RatingMetrics
}

// RatingDay is the rating of one day.
type RatingDay struct {
	Day        string // YYYY-MM-DD, local
	Method     int    // RatingMethodV1, RatingMethodV2
	Cutoff     time.Time
	ComputedAt time.Time
	Weights    RatingWeights
	MedianLoad float64
	Rows       []RatingRow // ranked first by rank, then the rest by name
}
