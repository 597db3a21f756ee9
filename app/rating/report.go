package rating

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/xuri/excelize/v2"
)

// Report is the weekly meeting report of one ISO week.
type Report struct {
	Week       string    // 2026-W46
	From, To   time.Time // the week: Monday 00:00 to the next Monday, local
	SpotsFrom  time.Time // the weak spots look at the 30 days before To
	ByOrg      []store.Totals
	ByCategory []store.Totals
	Total      store.Totals

	Overdue       []store.ReportTicket
	OverdueAll    int
	Reopened      []store.ReportTicket
	ReopenedAll   int
	Slowest       []store.ReportTicket
	Repeats       []store.WeakSpot
	RepeatsAll    int
	Busiest       []store.WeakSpot
	BusiestAll    int
	RepeatsMin    int
	GeneratedAt   time.Time
	Municipality  string
	TimeZone      *time.Location
	LastWeekShown bool // the default: the last full week
	Full          bool // every list complete (the XLSX, «показать все»)

	// The previous week, for the comparison: the same totals, counted now.
	PrevByOrg      map[string]store.Totals
	PrevByCategory map[string]store.Totals
	PrevTotal      store.Totals

	// Emergencies whose localisation fell due in the week; the late and the not
	// localised listed (complete).
	Emergencies      []store.EmergencyLine
	EmergencyTotal   store.EmergencyLine
	PrevEmergency    store.EmergencyLine
	EmergencyTickets []store.EmergencyTicket

	// The centre's own figures for the week and the week before.
	Centre, PrevCentre store.CentreFigures
	RouteNorm          time.Duration

	// Decisions: those of earlier meetings still open or done since the week
	// before this one, and those recorded at this week's meeting.
	EarlierDecisions []*app.Decision
	Decisions        []*app.Decision
	Meeting          store.Meeting
}

// Limits of the report's lists on the page: a meeting reads the top of each; the
// totals say how many there are in all, and «показать все» (Full) and the XLSX
// have every row.
const (
	ReportListLimit    = 100
	ReportSlowestLimit = 20
	ReportSpotsLimit   = 10
	RepeatsMin         = 3
)

// ParseWeek reads an ISO week "2026-W46" and returns its Monday and the next
// Monday in loc.
func ParseWeek(s string, loc *time.Location) (time.Time, time.Time, error) {
	bad := &app.Error{Code: app.EINVALID, Message: "Неделя — в виде ГГГГ-Wнн, например 2026-W46.", Fields: map[string]string{"week": "Формат ГГГГ-Wнн."}}
	y, w, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-W")
	year, err1 := strconv.Atoi(y)
	week, err2 := strconv.Atoi(w)
	if !ok || err1 != nil || err2 != nil || year < 2000 || year > 2200 || week < 1 || week > 53 {
		return time.Time{}, time.Time{}, bad
	}
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, loc)
	mon := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(week-1)*7)
	if yy, ww := mon.ISOWeek(); yy != year || ww != week {
		return time.Time{}, time.Time{}, bad // week 53 of a year that has 52
	}
	return mon, mon.AddDate(0, 0, 7), nil
}

// WeekOf names the ISO week that contains t.
func WeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// WeeklyReport builds the report of week ("" for the last full week) with the
// page's lists cut to their top rows.
func (s *Service) WeeklyReport(ctx context.Context, week string) (*Report, error) {
	return s.weeklyReport(ctx, week, false)
}

// FullWeeklyReport builds the report of week with every list complete.
func (s *Service) FullWeeklyReport(ctx context.Context, week string) (*Report, error) {
	return s.weeklyReport(ctx, week, true)
}

func (s *Service) weeklyReport(ctx context.Context, week string, full bool) (*Report, error) {
	m := s.Store.Municipality(ctx)
	now := s.Store.Now()
	r := &Report{Municipality: m.Name, TimeZone: m.Location, GeneratedAt: now, RepeatsMin: RepeatsMin, Full: full, RouteNorm: s.Store.RouteNorm(ctx)}
	listLimit, slowLimit, spotLimit := ReportListLimit, ReportSlowestLimit, ReportSpotsLimit
	if full {
		listLimit, slowLimit, spotLimit = -1, -1, -1 // SQLite: no limit
	}
	if week == "" {
		week, r.LastWeekShown = WeekOf(now.In(m.Location).AddDate(0, 0, -7)), true
	}
	from, to, err := ParseWeek(week, m.Location)
	if err != nil {
		return nil, err
	}
	r.Week, r.From, r.To, r.SpotsFrom = WeekOf(from), from, to, to.Add(-app.RatingWindow)
	if r.ByOrg, r.ByCategory, err = s.Store.WeekTotals(ctx, from, to); err != nil {
		return nil, err
	}
	r.Total = sumTotals(r.ByOrg)
	prevFrom := from.AddDate(0, 0, -7)
	pOrg, pCat, err := s.Store.WeekTotals(ctx, prevFrom, from)
	if err != nil {
		return nil, err
	}
	r.PrevByOrg, r.PrevByCategory, r.PrevTotal = byKey(pOrg), byKey(pCat), sumTotals(pOrg)
	if r.Overdue, r.OverdueAll, err = s.Store.OverdueInWeek(ctx, from, to, listLimit); err != nil {
		return nil, err
	}
	if r.Reopened, r.ReopenedAll, err = s.Store.ReopenedInWeek(ctx, from, to, listLimit); err != nil {
		return nil, err
	}
	if r.Slowest, err = s.Store.SlowestInWeek(ctx, from, to, slowLimit); err != nil {
		return nil, err
	}
	if r.Repeats, r.RepeatsAll, err = s.Store.RepeatSpots(ctx, r.SpotsFrom, to, RepeatsMin, spotLimit); err != nil {
		return nil, err
	}
	if r.Busiest, r.BusiestAll, err = s.Store.BusiestSpots(ctx, r.SpotsFrom, to, spotLimit); err != nil {
		return nil, err
	}
	if r.Emergencies, r.EmergencyTickets, err = s.Store.EmergenciesInWeek(ctx, from, to); err != nil {
		return nil, err
	}
	r.EmergencyTotal = sumEmergencies(r.Emergencies)
	prevEm, _, err := s.Store.EmergenciesInWeek(ctx, prevFrom, from)
	if err != nil {
		return nil, err
	}
	r.PrevEmergency = sumEmergencies(prevEm)
	if r.Centre, err = s.Store.Centre(ctx, from, to, r.RouteNorm); err != nil {
		return nil, err
	}
	if r.PrevCentre, err = s.Store.Centre(ctx, prevFrom, from, r.RouteNorm); err != nil {
		return nil, err
	}
	if r.EarlierDecisions, err = s.Store.Decisions(ctx, store.DecisionFilter{BeforeWeek: r.Week, NotDoneOrSince: prevFrom}); err != nil {
		return nil, err
	}
	if r.Decisions, err = s.Store.Decisions(ctx, store.DecisionFilter{Week: r.Week}); err != nil {
		return nil, err
	}
	if r.Meeting, err = s.Store.Meeting(ctx, r.Week); err != nil {
		return nil, err
	}
	return r, nil
}

func byKey(rows []store.Totals) map[string]store.Totals {
	out := make(map[string]store.Totals, len(rows))
	for _, r := range rows {
		out[r.Key] = r
	}
	return out
}

func sumEmergencies(lines []store.EmergencyLine) store.EmergencyLine {
	t := store.EmergencyLine{Title: "Всего", Key: "total"}
	for _, l := range lines {
		t.Due += l.Due
		t.OnTime += l.OnTime
		t.Late += l.Late
		t.NotYet += l.NotYet
	}
	return t
}

func sumTotals(rows []store.Totals) store.Totals {
	t := store.Totals{Title: "Всего"}
	hours := 0.0
	for _, r := range rows {
		t.Registered += r.Registered
		t.Done += r.Done
		t.OnTime += r.OnTime
		t.Overdue += r.Overdue
		t.Reopened += r.Reopened
		hours += r.AvgHours * float64(r.Done)
	}
	if t.Done > 0 {
		t.AvgHours = hours / float64(t.Done)
	}
	return t
}

// Sheet names of the XLSX, one per section, in the page's order.
var SheetNames = []string{"По организациям", "По категориям", "Просроченные", "Открытые повторно", "Самые долгие", "Повторы в домах", "Заявок на квартиру",
	"К прошлой неделе", "Аварии", "Центр", "Поручения"}

// listSheets is how many of SheetNames hold the totals and the lists; the rest
// are the meeting's (addMeetingSheets).
const listSheets = 7

// TotalsHeader, TicketHeader and SpotHeader are the columns of the sections, the
// same on the page and in the XLSX.
var (
	TotalsHeader = []string{"Поступило", "Выполнено", "В срок", "Просрочено", "Открыто повторно", "Среднее время выполнения, ч"}
	TicketHeader = []string{"Номер", "Адрес", "Категория", "Организация", "Статус", "Зарегистрирована", "Срок", "Выполнена", "Открыта повторно, раз", "Часов"}
)

// TotalsCells are the numbers of a totals line, as both the page and the XLSX show them.
func TotalsCells(t store.Totals) []any {
	return []any{t.Registered, t.Done, t.OnTime, t.Overdue, t.Reopened, Round1(t.AvgHours)}
}

// Round1 rounds to one decimal, the precision the report shows.
func Round1(x float64) float64 { return round(x, 1) }

// XLSX writes the report as a workbook with one sheet per section.
func (r *Report) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	loc := r.TimeZone
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(app.DateTimeLayout)
	}
	sheets := make([][][]any, listSheets)
	totals := func(first string, rows []store.Totals, withTotal bool) [][]any {
		out := [][]any{append([]any{first}, strs(TotalsHeader)...)}
		for _, t := range rows {
			out = append(out, append([]any{t.Title}, TotalsCells(t)...))
		}
		if withTotal {
			out = append(out, append([]any{"Всего"}, TotalsCells(r.Total)...))
		}
		return out
	}
	tickets := func(list []store.ReportTicket) [][]any {
		out := [][]any{strs(TicketHeader)}
		for _, t := range list {
			out = append(out, []any{t.Number, t.Address, t.Category, t.OrgName, app.Status(t.Status).Title(), when(t.CreatedAt), when(t.DueAt), when(t.DoneAt), t.Reopens, Round1(t.Hours)})
		}
		return out
	}
	sheets[0] = totals("Организация", r.ByOrg, true)
	sheets[1] = totals("Категория", r.ByCategory, false)
	sheets[2] = tickets(r.Overdue)
	sheets[3] = tickets(r.Reopened)
	sheets[4] = tickets(r.Slowest)
	sheets[5] = [][]any{{"Адрес", "Организация", "Категория", "Заявок за 30 дней"}}
	for _, w := range r.Repeats {
		sheets[5] = append(sheets[5], []any{w.Address, w.OrgName, w.Category, w.Requests})
	}
	sheets[6] = [][]any{{"Адрес", "Организация", "Заявок за 30 дней", "Квартир", "Заявок на квартиру"}}
	for _, w := range r.Busiest {
		sheets[6] = append(sheets[6], []any{w.Address, w.OrgName, w.Requests, w.Apartments, round(w.PerApt, 3)})
	}
	if err := f.SetSheetName("Sheet1", SheetNames[0]); err != nil {
		return nil, err
	}
	for i, name := range SheetNames[:listSheets] {
		if err := writeSheet(f, name, sheets[i]); err != nil {
			return nil, err
		}
	}
	if err := r.addMeetingSheets(f); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
