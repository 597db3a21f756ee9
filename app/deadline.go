package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// NormKind says whose a deadline is.
type NormKind string

const (
	NormFederal NormKind = "federal" // a federal source gives the figure
	NormLocal   NormKind = "local"   // the municipality's own norm («местный норматив»)
	NormNone    NormKind = "none"    // a hand-off type: no deadline in hours
)

// AcceptRule says where an acceptance deadline comes from.
type AcceptRule string

const (
	AcceptLocalize  AcceptRule = "localize"  // an emergency: its localisation clock
	AcceptEmergency AcceptRule = "emergency" // an emergency without one: at once (30 min)
	AcceptRuleHalf  AcceptRule = "rule"      // the earlier of 24 h and half the resolution deadline
	AcceptLocal     AcceptRule = "local"     // the municipality's own norm
	AcceptNone      AcceptRule = "none"      // a hand-off type
)

// Defaults of the rules.
const (
	EmergencyAcceptHours = 0.5 // an emergency without a localisation clock is taken at once
	MaxAcceptHours       = 24  // Moscow-region practice: a request is taken into work within 24 h
	FallbackHours        = 72  // no federal and no local norm at all
)

// MonthDay is a day of the year.
type MonthDay struct {
	Month time.Month
	Day   int
}

// ColdPeriod is the municipality's cold period, during which a work type's
// cold-period deadline applies (broken glass 1 day instead of 3). It may run over
// the new year, as it does everywhere in Russia.
type ColdPeriod struct{ From, To MonthDay }

// DefaultColdPeriod is 1 October – 30 April.
var DefaultColdPeriod = ColdPeriod{MonthDay{time.October, 1}, MonthDay{time.April, 30}}

// Contains reports whether the day of t (in t's location) lies in the period,
// both ends included.
func (p ColdPeriod) Contains(t time.Time) bool {
	md := int(t.Month())*100 + t.Day()
	from, to := int(p.From.Month)*100+p.From.Day, int(p.To.Month)*100+p.To.Day
	if from <= to {
		return md >= from && md <= to
	}
	return md >= from || md <= to
}

// String is the setting's form, «01.10-30.04».
func (p ColdPeriod) String() string {
	return fmt.Sprintf("%02d.%02d-%02d.%02d", p.From.Day, p.From.Month, p.To.Day, p.To.Month)
}

// ParseColdPeriod reads «ДД.ММ-ДД.ММ», e.g. «01.10-30.04».
func ParseColdPeriod(s string) (ColdPeriod, error) {
	bad := fmt.Errorf("холодный период «%s»: нужен вид ДД.ММ-ДД.ММ, например 01.10-30.04", s)
	a, b, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "-")
	if !ok {
		return ColdPeriod{}, bad
	}
	day := func(x string) (MonthDay, bool) {
		d, m, ok := strings.Cut(x, ".")
		dn, err1 := strconv.Atoi(d)
		mn, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || mn < 1 || mn > 12 || dn < 1 {
			return MonthDay{}, false
		}
		// A leap year's February has 29 days: the longest each month can be.
		if dn > time.Date(2024, time.Month(mn)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			return MonthDay{}, false
		}
		return MonthDay{time.Month(mn), dn}, true
	}
	from, ok1 := day(a)
	to, ok2 := day(b)
	if !ok1 || !ok2 || from == to {
		return ColdPeriod{}, bad
	}
	return ColdPeriod{from, to}, nil
}

// Norms are the municipality's settings the deadlines depend on.
type Norms struct {
	Loc  *time.Location // the municipality's time zone: clock windows and the cold period
	Cold ColdPeriod
	// AcceptHours is the municipality's own acceptance norm for non-emergencies;
	// 0: the rule (the earlier of 24 h and half the resolution deadline).
	AcceptHours float64
}

// DefaultNorms are the norms of a municipality that set nothing, in Moscow time.
func DefaultNorms() Norms {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		loc = time.FixedZone("MSK", 3*3600)
	}
	return Norms{Loc: loc, Cold: DefaultColdPeriod}
}

func (n Norms) loc() *time.Location {
	if n.Loc == nil {
		return time.UTC
	}
	return n.Loc
}

// Season says which of a type's two deadlines applies: "cold", "warm", or "" for a
// type with one deadline.
func (w *WorkType) Season(at time.Time, n Norms) string {
	if w.ColdHours <= 0 || w.FederalHours <= 0 {
		return ""
	}
	if n.Cold.Contains(at.In(n.loc())) {
		return "cold"
	}
	return "warm"
}

// deadlineAt is the resolution deadline of a ticket registered at at, and whose.
func (w *WorkType) deadlineAt(at time.Time, n Norms) (float64, NormKind) {
	switch {
	case w.Handoff != "":
		return 0, NormNone
	case w.Season(at, n) == "cold":
		return w.ColdHours, NormFederal
	case w.FederalHours > 0:
		return w.FederalHours, NormFederal
	case w.LocalHours > 0:
		return w.LocalHours, NormLocal
	}
	return FallbackHours, NormLocal
}

// acceptAt is the acceptance deadline of a ticket registered at at, and its rule.
// An emergency's is its localisation clock (or 30 minutes without one); otherwise
// the earlier of 24 hours and half the resolution deadline, unless the municipality
// set its own norm for the type or for all. Never later than the resolution deadline.
func (w *WorkType) acceptAt(at time.Time, n Norms) (float64, AcceptRule) {
	due, kind := w.deadlineAt(at, n)
	if kind == NormNone {
		return 0, AcceptNone
	}
	var h float64
	var r AcceptRule
	switch {
	case w.LocalAcceptHours > 0:
		h, r = w.LocalAcceptHours, AcceptLocal
	case w.Emergency && w.LocalizeMinutes > 0:
		h, r = float64(w.LocalizeMinutes)/60, AcceptLocalize
	case w.Emergency:
		h, r = EmergencyAcceptHours, AcceptEmergency
	case n.AcceptHours > 0:
		h, r = n.AcceptHours, AcceptLocal
	default:
		h, r = math.Min(MaxAcceptHours, due/2), AcceptRuleHalf
	}
	return math.Min(h, due), r
}

// Resolve fills the deadlines in force at now: DeadlineHours and DeadlineKind,
// AcceptHours and AcceptKind.
func (w *WorkType) Resolve(now time.Time, n Norms) {
	w.DeadlineHours, w.DeadlineKind = w.deadlineAt(now, n)
	w.DeadlineSeason = w.Season(now, n)
	w.AcceptHours, w.AcceptKind = w.acceptAt(now, n)
}

// DeadlineTitle says the deadline resolved last as a person reads it, and which
// norm applies: «3 сут», «1 сут, зимний период», «2 сут (местный норматив)»,
// «2 ч, с 8 до 23 ч», «передать в 104, срока нет».
func (w *WorkType) DeadlineTitle() string {
	if w.DeadlineKind == NormNone {
		return "передать в " + w.Handoff + ", срока нет"
	}
	s := HumanHours(w.DeadlineHours)
	switch {
	case w.DeadlineKind == NormLocal:
		s += " (местный норматив)"
	case w.DeadlineSeason == "cold":
		s += ", зимний период"
	case w.DeadlineSeason == "warm":
		s += ", летний период"
	}
	if w.ClockHours.Set() {
		s += fmt.Sprintf(", с %d до %d ч", w.ClockHours.From, w.ClockHours.To)
	}
	return s
}

// AcceptTitle says the acceptance deadline resolved last and its rule.
func (w *WorkType) AcceptTitle() string {
	switch w.AcceptKind {
	case AcceptNone:
		return "—"
	case AcceptLocalize:
		return HumanHours(w.AcceptHours) + " (срок локализации)"
	case AcceptEmergency:
		return HumanHours(w.AcceptHours) + " (авария: сразу)"
	case AcceptLocal:
		return HumanHours(w.AcceptHours) + " (местный норматив)"
	}
	return HumanHours(w.AcceptHours)
}

// TitleAt is DeadlineTitle for a ticket registered at at: which norm applied.
func (w WorkType) TitleAt(at time.Time, n Norms) string {
	w.Resolve(at, n)
	return w.DeadlineTitle()
}

// Deadlines are fixed at registration and never move afterwards. A hand-off type
// has none: all three are zero.
type Deadlines struct {
	AcceptDueAt   time.Time
	DueAt         time.Time
	LocalizeDueAt time.Time
}

// DeadlinesFor computes the deadlines of a ticket of work type w registered at at:
// the clock starts at registration (ПП № 416: «с момента регистрации заявки») and,
// for a type with a clock window, runs only inside it.
func DeadlinesFor(w *WorkType, at time.Time, n Norms) Deadlines {
	due, kind := w.deadlineAt(at, n)
	if kind == NormNone {
		return Deadlines{}
	}
	accept, _ := w.acceptAt(at, n)
	d := Deadlines{
		DueAt:       AddInWindow(at, hoursDur(due), w.ClockHours, n.loc()),
		AcceptDueAt: AddInWindow(at, hoursDur(accept), w.ClockHours, n.loc()),
	}
	if w.LocalizeMinutes > 0 {
		d.LocalizeDueAt = at.Add(time.Duration(w.LocalizeMinutes) * time.Minute)
	}
	return d
}

// AddInWindow adds d to at counting only the hours of win (in loc): 2 hours from
// 22:30 in 08-23 end at 09:30 the next day. A zero window counts every hour.
func AddInWindow(at time.Time, d time.Duration, win ClockWindow, loc *time.Location) time.Time {
	if !win.Set() {
		return at.Add(d)
	}
	t := at.In(loc)
	for i := 0; i < 4000; i++ { // bounded: a window of at least an hour a day
		y, m, day := t.Date()
		start := time.Date(y, m, day, win.From, 0, 0, 0, loc)
		end := time.Date(y, m, day, win.To, 0, 0, 0, loc)
		if t.Before(start) {
			t = start
		}
		if !t.Before(end) {
			t = time.Date(y, m, day+1, win.From, 0, 0, 0, loc)
			continue
		}
		left := end.Sub(t)
		if d <= left {
			return t.Add(d).In(at.Location())
		}
		d -= left
		t = time.Date(y, m, day+1, win.From, 0, 0, 0, loc)
	}
	return t.In(at.Location())
}

func hoursDur(h float64) time.Duration {
	return time.Duration(math.Round(h*3600)) * time.Second
}

// HumanHours writes a duration in hours the way the norms do: «30 мин», «4 ч»,
// «3 сут», «1 ч 30 мин». It rounds to the nearest minute, never floors: 0.083 h
// (4 min 59 s) is «5 мин».
func HumanHours(h float64) string {
	return HumanDuration(hoursDur(h))
}

// HumanDuration is HumanHours for a duration; a positive duration under half a
// minute is «1 мин», never «0 мин».
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int64(math.Round(d.Minutes()))
	if mins == 0 && d > 0 {
		mins = 1
	}
	switch {
	case mins < 60:
		return strconv.FormatInt(mins, 10) + " мин"
	case mins%(24*60) == 0:
		return strconv.FormatInt(mins/(24*60), 10) + " сут"
	case mins%60 == 0:
		return strconv.FormatInt(mins/60, 10) + " ч"
	}
	return strconv.FormatInt(mins/60, 10) + " ч " + strconv.FormatInt(mins%60, 10) + " мин"
}

// HandoffMessage is what a resident who picks a hand-off type is told, in large
// type, instead of filing it: «Запах газа — звоните 104 (с мобильного 112) сейчас».
func HandoffMessage(w *WorkType) string {
	if w.Handoff == "104" {
		return "Запах газа — звоните 104 (с мобильного 112) сейчас"
	}
	return w.Name + " — звоните " + w.Handoff + " сейчас"
}
