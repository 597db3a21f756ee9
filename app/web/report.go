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

func (s *Server) pageReport(c *fiber.Ctx) error {
	rep, err := s.Rating.WeeklyReport(c.UserContext(), c.Query("week"))
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return s.render(c, "report/week", fiber.Map{"Title": "Отчёт к еженедельному совещанию", "Error": app.ErrorMessage(err), "Week": c.Query("week")})
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
	prev, next := rep.From.AddDate(0, 0, -7), rep.From.AddDate(0, 0, 7)
	return s.render(c, "report/week", fiber.Map{
		"Title": "Отчёт к совещанию, неделя " + rep.Week, "R": rep, "Week": rep.Week,
		"Period":    rep.From.Format(app.DateLayout) + " – " + rep.To.AddDate(0, 0, -1).Format(app.DateLayout),
		"SpotsFrom": rep.SpotsFrom.Format(app.DateLayout),
		"Header":    rating.TotalsHeader,
		"ByOrg":     totalsViews(rep.ByOrg), "ByCategory": totalsViews(rep.ByCategory), "Total": totalsViews([]store.Totals{rep.Total})[0],
		"Lists": []ticketListView{
			tickets("overdue", "Просроченные", "Срок истёк на этой неделе, а заявка выполнена позже или не выполнена до сих пор.", "Просрочка, ч", rep.OverdueAll, rep.Overdue),
			tickets("reopened", "Открытые повторно", "Житель не подтвердил выполнение на этой неделе.", "", rep.ReopenedAll, rep.Reopened),
			tickets("slowest", "Самые долгие", "Выполнены на этой неделе; дольше всего от регистрации до отметки «выполнено».", "Выполнялась, ч", len(rep.Slowest), rep.Slowest),
		},
		"Repeats": spots(rep.Repeats, true), "Busiest": spots(rep.Busiest, false),
		"PrevWeek": rating.WeekOf(prev), "NextWeek": rating.WeekOf(next),
		"HasNext":   next.Before(s.Store.Now()),
		"Generated": rep.GeneratedAt.In(loc).Format(app.DateTimeLayout),
	})
}

func (s *Server) pageReportXLSX(c *fiber.Ctx) error {
	rep, err := s.Rating.WeeklyReport(c.UserContext(), c.Query("week"))
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
	data := fiber.Map{"Title": "Аналитика для администрации"}
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
