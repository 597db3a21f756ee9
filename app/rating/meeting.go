package rating

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/xuri/excelize/v2"
)

// Direction says which way a figure is better.
type Direction int

const (
	Neutral      Direction = iota // more requests are neither good nor bad
	HigherBetter                  // done, on time, localised on time
	LowerBetter                   // overdue, reopened, hours, backlog
)

// Change is a figure against the previous week.
type Change struct {
	Now, Prev float64
	Diff      float64 // Now − Prev, one decimal
	Arrow     string  // ▲, ▼ or =
	Class     string  // "better", "worse" or "" (unchanged or neutral)
	Text      string  // "▲ +3", "▼ −1,5", "= 0"
}

// Compare describes now against prev.
func Compare(now, prev float64, dir Direction) Change {
	c := Change{Now: now, Prev: prev, Diff: Round1(now - prev)}
	switch {
	case c.Diff > 0:
		c.Arrow, c.Text = "▲", "▲ +"+Num1(c.Diff)
	case c.Diff < 0:
		c.Arrow, c.Text = "▼", "▼ −"+Num1(-c.Diff)
	default:
		c.Arrow, c.Text = "=", "= 0"
	}
	if c.Diff != 0 && dir != Neutral {
		if (c.Diff > 0) == (dir == HigherBetter) {
			c.Class = "better"
		} else {
			c.Class = "worse"
		}
	}
	return c
}

// Num1 writes x with at most one decimal and a decimal comma: 3, 2,5.
func Num1(x float64) string {
	x = Round1(x)
	if x == math.Trunc(x) {
		return fmt.Sprintf("%d", int64(x))
	}
	return strings.Replace(fmt.Sprintf("%.1f", x), ".", ",", 1)
}

// TotalsDirections are the directions of TotalsHeader's figures.
var TotalsDirections = []Direction{Neutral, HigherBetter, HigherBetter, LowerBetter, LowerBetter, LowerBetter}

// TotalsChanges compares a totals line with the previous week's.
func TotalsChanges(now, prev store.Totals) []Change {
	a, b := TotalsCells(now), TotalsCells(prev)
	out := make([]Change, len(a))
	for i := range a {
		out[i] = Compare(toF(a[i]), toF(b[i]), TotalsDirections[i])
	}
	return out
}

func toF(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// CentreLine is one of the centre's figures, as the page and the XLSX show it.
type CentreLine struct {
	Title  string
	Value  string
	Change Change
	Hint   string
}

func pct100(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return Round1(100 * float64(num) / float64(den))
}

// CentreLines are the centre's figures of the week against the week before.
func CentreLines(c, p store.CentreFigures, norm time.Duration) []CentreLine {
	line := func(title string, now, prev float64, dir Direction, unit, hint string) CentreLine {
		return CentreLine{Title: title, Value: Num1(now) + unit, Change: Compare(now, prev, dir), Hint: hint}
	}
	normMin := int(norm.Minutes())
	return []CentreLine{
		line("Время до направления в организацию, медиана", c.MedianRouteMin, p.MedianRouteMin, LowerBetter, " мин",
			fmt.Sprintf("заявки, ждавшие в очереди центра (%d из %d зарегистрированных; остальные направлены при регистрации): от регистрации до первого направления; среднее %s мин", c.Queued, c.Registered, Num1(c.MeanRouteMin))),
		line(fmt.Sprintf("Направлено в пределах нормы центра (%d мин)", normMin), pct100(c.WithinNorm, c.Registered), pct100(p.WithinNorm, p.Registered), HigherBetter, " %",
			fmt.Sprintf("%d из %d; норма — муниципальная, не федеральная", c.WithinNorm, c.Registered)),
		line("Ждут направления сейчас (из зарегистрированных за неделю)", float64(c.Waiting), float64(p.Waiting), LowerBetter, "", ""),
		{Title: "Ждут звонка для подтверждения сейчас", Value: Num1(float64(c.Backlog)), Change: Change{Now: float64(c.Backlog), Prev: float64(c.Backlog), Text: "—"},
			Hint: fmt.Sprintf("выполнены, житель ещё не опрошен; возраст: медиана %s ч, самая давняя %s ч (на момент отчёта, без сравнения)", Num1(c.BacklogMedianH), Num1(c.BacklogOldestH))},
		line("Попыток дозвона на одно подтверждение", Round1(c.AttemptsPerConfirmation), Round1(p.AttemptsPerConfirmation), LowerBetter, "",
			fmt.Sprintf("звонков %d (ответов %d, недозвонов %d), подтверждений %d", c.Answers+c.FailedCalls, c.Answers, c.FailedCalls, c.Confirmations)),
		line("Не удалось связаться с жителем", pct100(c.NeverReached, c.CallbacksEnded), pct100(p.NeverReached, p.CallbacksEnded), LowerBetter, " %",
			fmt.Sprintf("%d из %d завершённых обзвонов", c.NeverReached, c.CallbacksEnded)),
	}
}

// DecisionRow is a decision as the report, the minutes and the XLSX show it.
type DecisionRow struct {
	*app.Decision
	Due, Done, StateTitle string
	State                 app.DecisionState
}

// DecisionRows formats decisions at now.
func DecisionRows(list []*app.Decision, now time.Time, loc *time.Location) []DecisionRow {
	out := make([]DecisionRow, len(list))
	for i, d := range list {
		st := d.State(now, loc)
		r := DecisionRow{Decision: d, State: st, StateTitle: st.Title()}
		if t, err := time.ParseInLocation(app.DecisionLayout, d.DueOn, loc); err == nil {
			r.Due = t.Format("02.01.2006")
		}
		if !d.DoneAt.IsZero() {
			r.Done = d.DoneAt.In(loc).Format(app.DateTimeLayout)
		}
		out[i] = r
	}
	return out
}

// DecisionHeader are the columns of a list of decisions.
var DecisionHeader = []string{"№", "Совещание", "Поручение", "Ответственный", "Дом", "Заявки", "Срок", "Состояние", "Выполнено", "Отметка организации"}

func decisionCells(r DecisionRow) []any {
	return []any{r.ID, r.MeetingWeek, r.Text, r.OrgName, r.Address, strings.Join(r.Tickets, ", "), r.Due, r.StateTitle, r.Done, r.DoneNote}
}

// addMeetingSheets adds the meeting's sheets to f: the comparison with the week
// before, the emergencies, the centre and the decisions.
func (r *Report) addMeetingSheets(f *excelize.File) error {
	loc := r.TimeZone
	cmp := [][]any{{"Организация", "Показатель", "Эта неделя", "Прошлая неделя", "Изменение"}}
	add := func(title string, now, prev store.Totals) {
		for i, ch := range TotalsChanges(now, prev) {
			cmp = append(cmp, []any{title, TotalsHeader[i], ch.Now, ch.Prev, ch.Diff})
		}
	}
	for _, t := range r.ByOrg {
		add(t.Title, t, r.PrevByOrg[t.Key])
	}
	add("Всего", r.Total, r.PrevTotal)
	em := [][]any{{"Организация", "Срок локализации на неделе", "Локализовано в срок", "С опозданием", "Ещё не локализовано"}}
	for _, l := range append(append([]store.EmergencyLine{}, r.Emergencies...), r.EmergencyTotal) {
		em = append(em, []any{l.Title, l.Due, l.OnTime, l.Late, l.NotYet})
	}
	em = append(em, []any{}, []any{"Номер", "Адрес", "Категория", "Организация", "Статус", "Зарегистрирована", "Срок локализации", "Локализована", "Минут до локализации (или до сих пор)"})
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(app.DateTimeLayout)
	}
	for _, e := range r.EmergencyTickets {
		em = append(em, []any{e.Number, e.Address, e.Category, e.OrgName, app.Status(e.Status).Title(), when(e.CreatedAt), when(e.LocalizeDueAt), when(e.LocalizedAt), Round1(e.Minutes)})
	}
	centre := [][]any{{"Показатель", "Эта неделя", "Прошлая неделя", "Изменение", "Пояснение"}}
	for _, l := range CentreLines(r.Centre, r.PrevCentre, r.RouteNorm) {
		centre = append(centre, []any{l.Title, l.Change.Now, l.Change.Prev, l.Change.Diff, l.Hint})
	}
	dec := [][]any{strs(DecisionHeader)}
	for _, d := range DecisionRows(append(append([]*app.Decision{}, r.EarlierDecisions...), r.Decisions...), r.GeneratedAt, loc) {
		dec = append(dec, decisionCells(d))
	}
	for _, sh := range []struct {
		name string
		rows [][]any
	}{{"К прошлой неделе", cmp}, {"Аварии", em}, {"Центр", centre}, {"Поручения", dec}} {
		if err := writeSheet(f, sh.name, sh.rows); err != nil {
			return err
		}
	}
	return nil
}

// writeSheet writes rows to the sheet name (created unless it exists) through
// excelize's stream writer: a complete list is thousands of rows, and writing
// them cell by cell took most of the report's time on a million tickets.
func writeSheet(f *excelize.File, name string, rows [][]any) error {
	if idx, _ := f.GetSheetIndex(name); idx < 0 {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 3, 28); err != nil {
		return err
	}
	for j, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, j+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// MinutesDate is the day of the meeting as the minutes write it: the recorded
// one, else the day the report is generated.
func MinutesDate(r *Report) string {
	if t, err := time.ParseInLocation(app.DecisionLayout, r.Meeting.HeldOn, r.TimeZone); err == nil {
		return t.Format("02.01.2006")
	}
	return r.GeneratedAt.In(r.TimeZone).Format("02.01.2006")
}

// MinutesXLSX writes the minutes of the meeting as a workbook: one sheet with the
// heading, the figures and every decision, as the printed minutes have them.
func (r *Report) MinutesXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const name = "Протокол"
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	attendees := r.Meeting.Attendees
	if attendees == "" {
		attendees = "не указаны"
	}
	rows := [][]any{
		{"Протокол еженедельного совещания по работе с обращениями жителей"},
		{r.Municipality},
		{"Дата совещания", MinutesDate(r)},
		{"Неделя", r.Week, r.From.Format("02.01.2006") + " – " + r.To.AddDate(0, 0, -1).Format("02.01.2006")},
		{"Присутствовали", attendees},
		{},
		{"1. Итоги недели по организациям"},
	}
	head := []any{"Организация"}
	for _, h := range TotalsHeader {
		head = append(head, h, "изменение")
	}
	rows = append(rows, head)
	line := func(title string, now, prev store.Totals) []any {
		out := []any{title}
		for _, ch := range TotalsChanges(now, prev) {
			out = append(out, ch.Now, ch.Diff)
		}
		return out
	}
	for _, t := range r.ByOrg {
		rows = append(rows, line(t.Title, t, r.PrevByOrg[t.Key]))
	}
	rows = append(rows, line("Всего", r.Total, r.PrevTotal), []any{},
		[]any{"2. Аварии", "Срок на неделе", "В срок", "С опозданием", "Ещё не локализовано"},
		[]any{"Всего", r.EmergencyTotal.Due, r.EmergencyTotal.OnTime, r.EmergencyTotal.Late, r.EmergencyTotal.NotYet}, []any{},
		[]any{"3. Работа центра", "Неделя", "Прошлая неделя", "Изменение", "Пояснение"})
	for _, l := range CentreLines(r.Centre, r.PrevCentre, r.RouteNorm) {
		rows = append(rows, []any{l.Title, l.Change.Now, l.Change.Prev, l.Change.Diff, l.Hint})
	}
	rows = append(rows, []any{}, []any{"4. Исполнение поручений прошлых совещаний"}, strs(DecisionHeader))
	for _, d := range DecisionRows(r.EarlierDecisions, r.GeneratedAt, r.TimeZone) {
		rows = append(rows, decisionCells(d))
	}
	rows = append(rows, []any{}, []any{"5. Поручения"}, strs(DecisionHeader))
	for _, d := range DecisionRows(r.Decisions, r.GeneratedAt, r.TimeZone) {
		rows = append(rows, decisionCells(d))
	}
	if err := writeSheet(f, name, rows); err != nil {
		return nil, err
	}
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: intPtr(9)}); err != nil { // 9: A4
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func intPtr(n int) *int { return &n }
