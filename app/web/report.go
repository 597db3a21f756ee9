package web

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// reportTicketView is a ticket of the report's lists, formatted.
type reportTicketView struct {
	store.ReportTicket
	StatusTitle, Created, Due, Done, Hours string
}

// ticketListView is one of the report's lists of tickets.
type ticketListView struct {
	ID, Title, Hint, HoursTitle string
	All                         int
	Rows                        []reportTicketView
}

type totalsView struct {
	Key, Title string
	Cells      []string
}

type spotView struct {
	store.WeakSpot
	Link, PerApt string
}

func cellText(v any) string {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case float64:
		return num1(x)
	}
	return ""
}

func totalsViews(rows []store.Totals) []totalsView {
	out := make([]totalsView, len(rows))
	for i, r := range rows {
		out[i] = totalsView{Key: r.Key, Title: r.Title}
		for _, v := range rating.TotalsCells(r) {
			out[i].Cells = append(out[i].Cells, cellText(v))
		}
	}
	return out
}

// decisionForm is what the meeting's forms sent back when refused.
type decisionForm struct {
	In         app.NewDecision
	Tickets    string
	Err        error
	MeetingErr error
}

// totalsCmpView is a totals line with each figure's change since the week before.
type totalsCmpView struct {
	totalsView
	Pairs []cellPair
}

// cellPair is a figure and its change.
type cellPair struct {
	Value  string
	Change rating.Change
}

func totalsCmp(v totalsView, now, prev store.Totals) totalsCmpView {
	out := totalsCmpView{totalsView: v}
	for i, ch := range rating.TotalsChanges(now, prev) {
		out.Pairs = append(out.Pairs, cellPair{Value: v.Cells[i], Change: ch})
	}
	return out
}

func totalsCmpViews(rows []store.Totals, prev map[string]store.Totals) []totalsCmpView {
	out := make([]totalsCmpView, len(rows))
	for i, v := range totalsViews(rows) {
		out[i] = totalsCmp(v, rows[i], prev[rows[i].Key])
	}
	return out
}

func (s *Server) pageReport(c *fiber.Ctx) error {
	return s.showReport(c, c.Query("week"), c.Query("all") == "1", nil)
}

func (s *Server) showReport(c *fiber.Ctx, week string, all bool, form *decisionForm) error {
	ctx := c.UserContext()
	get := s.Rating.WeeklyReport
	if all {
		get = s.Rating.FullWeeklyReport
	}
	rep, err := get(ctx, week)
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return s.render(c, "report/week", fiber.Map{"Title": "Отчёт к еженедельному совещанию", "Error": app.ErrorMessage(err), "Week": week})
	}
	loc := rep.TimeZone
	when := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("02.01 15:04")
	}
	tickets := func(id, title, hint, hours string, all int, list []store.ReportTicket) ticketListView {
		v := ticketListView{ID: id, Title: title, Hint: hint, HoursTitle: hours, All: all, Rows: make([]reportTicketView, len(list))}
		for i, t := range list {
			v.Rows[i] = reportTicketView{ReportTicket: t, StatusTitle: app.Status(t.Status).Title(), Created: when(t.CreatedAt), Due: when(t.DueAt), Done: when(t.DoneAt)}
			if hours != "" {
				v.Rows[i].Hours = num1(rating.Round1(t.Hours))
			}
		}
		return v
	}
	day := func(t time.Time) string { return t.In(loc).Format(rating.DayLayout) }
	spots := func(list []store.WeakSpot, withCategory bool) []spotView {
		out := make([]spotView, len(list))
		for i, w := range list {
			q := url.Values{"building": {strconv.FormatInt(w.BuildingID, 10)}, "from": {day(rep.SpotsFrom)}, "to": {day(rep.To.Add(-time.Second))}}
			if withCategory {
				q.Set("category", w.Category)
			}
			out[i] = spotView{WeakSpot: w, Link: "/report/tickets?" + q.Encode(), PerApt: strings.Replace(strconv.FormatFloat(w.PerApt, 'f', 3, 64), ".", ",", 1)}
		}
		return out
	}
	type emergencyView struct {
		store.EmergencyTicket
		Created, LocalizeDue, Localized, Minutes string
	}
	var ems []emergencyView
	for _, e := range rep.EmergencyTickets {
		ems = append(ems, emergencyView{EmergencyTicket: e, Created: when(e.CreatedAt), LocalizeDue: when(e.LocalizeDueAt), Localized: when(e.LocalizedAt), Minutes: num1(rating.Round1(e.Minutes))})
	}
	prev, next := rep.From.AddDate(0, 0, -7), rep.From.AddDate(0, 0, 7)
	orgs, err := s.Store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	var active []*app.Organization
	for _, o := range orgs {
		if o.Active {
			active = append(active, o)
		}
	}
	buildings, err := s.Store.Buildings(ctx, 0)
	if err != nil {
		return err
	}
	now := s.Store.Now()
	data := fiber.Map{
		"Title": "Отчёт к совещанию, неделя " + rep.Week, "R": rep, "Week": rep.Week, "All": all,
		"Period":    rep.From.Format(app.DateLayout) + " – " + rep.To.AddDate(0, 0, -1).Format(app.DateLayout),
		"SpotsFrom": rep.SpotsFrom.Format(app.DateLayout),
		"Header":    rating.TotalsHeader,
		"ByOrg":     totalsCmpViews(rep.ByOrg, rep.PrevByOrg), "ByCategory": totalsCmpViews(rep.ByCategory, rep.PrevByCategory),
		"Total": totalsCmp(totalsViews([]store.Totals{rep.Total})[0], rep.Total, rep.PrevTotal),
		"Lists": []ticketListView{
			tickets("overdue", "Просроченные", "Срок истёк на этой неделе, а заявка выполнена позже или не выполнена до сих пор.", "Просрочка, ч", rep.OverdueAll, rep.Overdue),
			tickets("reopened", "Открытые повторно", "Житель не подтвердил выполнение на этой неделе.", "", rep.ReopenedAll, rep.Reopened),
			tickets("slowest", "Самые долгие", "Выполнены на этой неделе; дольше всего от регистрации до отметки «выполнено».", "Выполнялась, ч", len(rep.Slowest), rep.Slowest),
		},
		"Repeats": spots(rep.Repeats, true), "Busiest": spots(rep.Busiest, false),
		"Emergencies": rep.Emergencies, "EmTotal": rep.EmergencyTotal,
		"EmChanges": []rating.Change{rating.Compare(float64(rep.EmergencyTotal.Due), float64(rep.PrevEmergency.Due), rating.Neutral),
			rating.Compare(float64(rep.EmergencyTotal.OnTime), float64(rep.PrevEmergency.OnTime), rating.HigherBetter),
			rating.Compare(float64(rep.EmergencyTotal.Late), float64(rep.PrevEmergency.Late), rating.LowerBetter),
			rating.Compare(float64(rep.EmergencyTotal.NotYet), float64(rep.PrevEmergency.NotYet), rating.LowerBetter)},
		"EmTickets": ems,
		"Centre":    rating.CentreLines(rep.Centre, rep.PrevCentre, rep.RouteNorm),
		"Earlier":   rating.DecisionRows(rep.EarlierDecisions, now, loc), "Decisions": rating.DecisionRows(rep.Decisions, now, loc),
		"Orgs": active, "Buildings": buildings, "Today": now.In(loc).Format(rating.DayLayout),
		"CanDecide": currentUser(c) != nil && currentUser(c).Role == app.RoleSupervisor,
		"Saved":     c.Query("saved"),
		"PrevWeek":  rating.WeekOf(prev), "NextWeek": rating.WeekOf(next),
		"HasNext":   next.Before(now),
		"Generated": rep.GeneratedAt.In(loc).Format(app.DateTimeLayout),
	}
	held := rep.Meeting.HeldOn
	if held == "" {
		held = now.In(loc).Format(rating.DayLayout)
	}
	data["HeldOn"], data["Attendees"] = held, rep.Meeting.Attendees
	if form != nil {
		if form.Err != nil {
			c.Status(httpStatus(app.ErrorCode(form.Err)))
			data["DecisionError"] = app.ErrorMessage(form.Err)
			data["Fields"] = app.ErrorFields(form.Err)
			data["Form"] = form
		}
		if form.MeetingErr != nil {
			c.Status(httpStatus(app.ErrorCode(form.MeetingErr)))
			data["MeetingError"] = app.ErrorMessage(form.MeetingErr)
			data["MeetingFields"] = app.ErrorFields(form.MeetingErr)
		}
	}
	return s.render(c, "report/week", data)
}

func (s *Server) pageReportXLSX(c *fiber.Ctx) error {
	rep, err := s.Rating.FullWeeklyReport(c.UserContext(), c.Query("week"))
	if err != nil {
		return err
	}
	b, err := rep.XLSX()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="report-`+rep.Week+`.xlsx"`)
	return c.Send(b)
}

// pageReportTickets is the drill-down of the report: the tickets of one building
// (and category) registered in a period.
func (s *Server) pageReportTickets(c *fiber.Ctx) error {
	loc := s.loc(c)
	f := store.TicketFilter{Limit: 500, Category: strings.TrimSpace(c.Query("category"))}
	fe := app.FieldErrors{}
	if f.BuildingID = parseID(c.Query("building")); f.BuildingID <= 0 {
		fe.Add("building", "Не указан дом.")
	}
	from, _, err1 := rating.ParseDay(c.Query("from"), loc)
	_, to, err2 := rating.ParseDay(c.Query("to"), loc)
	if err1 != nil || err2 != nil || !to.After(from) {
		fe.Add("from", "Период — даты в виде ГГГГ-ММ-ДД, начало не позже конца.")
	}
	if err := fe.Err(); err != nil {
		return &app.Error{Code: app.EINVALID, Message: "Неверная ссылка на заявки дома: " + strings.Join(fieldMessages(fe), " "), Fields: fe}
	}
	f.CreatedFrom, f.CreatedTo = from, to
	b, err := s.Store.Building(c.UserContext(), f.BuildingID)
	if err != nil {
		return err
	}
	list, _, err := s.Store.Tickets(c.UserContext(), f)
	if err != nil {
		return err
	}
	return s.render(c, "report/tickets", fiber.Map{
		"Title": "Заявки: " + b.Address, "Building": b, "Category": f.Category, "Rows": s.rows(c, list),
		"From": from.Format(app.DateLayout), "To": to.AddDate(0, 0, -1).Format(app.DateLayout), "Limited": len(list) == f.Limit,
	})
}

func fieldMessages(fe app.FieldErrors) []string {
	var out []string
	for _, m := range fe {
		out = append(out, m)
	}
	return out
}

// dashboardCategories is how many categories the requests chart shows apart; the
// rest are summed up as «прочие».
const dashboardCategories = 8

func (s *Server) pageDashboard(c *fiber.Ctx) error {
	d, err := s.Rating.Dashboard(c.UserContext())
	if err != nil {
		return err
	}
	labels := make([]string, len(d.Days))
	for i, t := range d.Days {
		labels[i] = t.Format("02.01")
	}
	var req []series
	for i, cat := range d.Categories {
		vals := make([]float64, len(d.Days))
		for j, n := range d.Requests[i] {
			vals[j] = float64(n)
		}
		if i < dashboardCategories {
			req = append(req, series{Name: cat, Values: vals})
			continue
		}
		if i == dashboardCategories {
			req = append(req, series{Name: "прочие", Values: make([]float64, len(d.Days))})
		}
		for j, v := range vals {
			req[dashboardCategories].Values[j] += v
		}
	}
	data := fiber.Map{"Title": "Аналитика для администрации", "Centre": d.Centre}
	if len(req) > 0 {
		data["Requests"] = stackedBars("Заявки по дням и категориям", labels, req)
	}
	if len(d.OnTimeDays) > 0 {
		vals := make([]float64, len(d.OnTime))
		days := make([]string, len(d.OnTimeDays))
		for i, v := range d.OnTime {
			vals[i] = math.NaN()
			if v >= 0 {
				vals[i] = v * 100
			}
			t, _, _ := rating.ParseDay(d.OnTimeDays[i], time.UTC)
			days[i] = t.Format("02.01")
		}
		data["OnTime"] = lineChart("Доля заявок, выполненных в срок, за 30 дней до каждого дня, %", days, []series{{Name: "выполнено в срок, %", Values: vals}}, 0, 100, func(v float64) string { return f1(v) })
	}
	var labelsA []string
	var valsA []float64
	total := 0
	for _, b := range d.Accept {
		labelsA = append(labelsA, b.Label)
		valsA = append(valsA, float64(b.N))
		total += b.N
	}
	if total > 0 {
		data["Accept"] = bars("Время от регистрации до принятия в работу, заявок", labelsA, valsA)
	}
	data["AcceptTotal"] = total
	return s.render(c, "report/dashboard", data)
}

// pageMinutes is the minutes of the meeting of a week (протокол совещания): the
// date, the attendees, the figures and every decision; printed on A4.
func (s *Server) pageMinutes(c *fiber.Ctx) error {
	rep, err := s.Rating.FullWeeklyReport(c.UserContext(), c.Query("week"))
	if err != nil {
		return err
	}
	loc := rep.TimeZone
	now := s.Store.Now()
	return s.render(c, "report/minutes", fiber.Map{
		"Title": "Протокол совещания, неделя " + rep.Week, "R": rep, "Held": rating.MinutesDate(rep),
		"Period": rep.From.Format("02.01.2006") + " – " + rep.To.AddDate(0, 0, -1).Format("02.01.2006"),
		"Header": rating.TotalsHeader, "ByOrg": totalsCmpViews(rep.ByOrg, rep.PrevByOrg),
		"Total":   totalsCmp(totalsViews([]store.Totals{rep.Total})[0], rep.Total, rep.PrevTotal),
		"Centre":  rating.CentreLines(rep.Centre, rep.PrevCentre, rep.RouteNorm),
		"Earlier": rating.DecisionRows(rep.EarlierDecisions, now, loc), "Decisions": rating.DecisionRows(rep.Decisions, now, loc),
	})
}

// pageMinutesXLSX is the minutes as a workbook.
func (s *Server) pageMinutesXLSX(c *fiber.Ctx) error {
	rep, err := s.Rating.FullWeeklyReport(c.UserContext(), c.Query("week"))
	if err != nil {
		return err
	}
	b, err := rep.MinutesXLSX()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="minutes-`+rep.Week+`.xlsx"`)
	return c.Send(b)
}
