package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/gofiber/fiber/v2"
)

// ratingJSON is an item of the contract's GET /api/v1/ratings.
type ratingJSON struct {
	Organization app.OrganizationRf `json:"organization"`
	Kind         app.OrgKind        `json:"kind"`
	Table        string             `json:"table"` // "management", or "other": suppliers and contractors, ranked apart (method v2)
	Rank         *int               `json:"rank"`
	Score        *float64           `json:"score"`
	Metrics      ratingMetricsJSON  `json:"metrics"`
}

type ratingMetricsJSON struct {
	Requests     int  `json:"requests"`
	Insufficient bool `json:"insufficient_data"`
	app.RatingMetrics
}

// apiRatings is GET /api/v1/ratings?date=YYYY-MM-DD: public, the latest day by default.
func (s *Server) apiRatings(c *fiber.Ctx) error {
	d, err := s.Rating.Day(c.UserContext(), strings.TrimSpace(c.Query("date")))
	if err != nil {
		return err
	}
	items := make([]ratingJSON, len(d.Rows))
	for i, r := range d.Rows {
		table := "management"
		if r.OrgKind != app.OrgManagement {
			table = "other"
		}
		items[i] = ratingJSON{Organization: app.OrganizationRf{ID: r.OrgID, Name: r.OrgName}, Kind: r.OrgKind, Table: table, Score: r.Score,
			Metrics: ratingMetricsJSON{Requests: r.Tickets, Insufficient: r.Score == nil, RatingMetrics: r.Metrics}}
		if r.Rank > 0 {
			rank := r.Rank
			items[i].Rank = &rank
		}
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{"date": d.Day, "method": d.Method, "items": items})
}

// ratingCell is one component as the page shows it.
type ratingCell struct {
	Pct    string // "85,7 %" or "—"
	Detail string // "6 из 7"
	Weak   bool   // below two thirds: worth a look
	Change string // since the day before: "▲ 2,5", "▼ 1,0", "=" or "" (no figure either day)
}

// change is the change of a component since the day before, in percentage points.
func change(now, before *float64) string {
	if now == nil || before == nil {
		return ""
	}
	// The difference of the shown percentages (one decimal), so that the change
	// agrees with the two figures a reader compares.
	d := math.Round((math.Round(*now*1000) - math.Round(*before*1000))) / 10
	switch {
	case d > 0:
		return "▲ +" + num1(d)
	case d < 0:
		return "▼ −" + num1(-d)
	}
	return "= 0"
}

type ratingLine struct {
	app.RatingRow
	Score, Delta, DeltaClass string
	OnTime, Accept, FirstFix ratingCell
	Overdue, Load            ratingCell
	Localize, Repeats        ratingCell
	Chart                    template.HTML
}

// ratingTable is one table of the rating page: management organisations, or the
// others (suppliers, contractors), ranked apart.
type ratingTable struct {
	Title string
	Lines []ratingLine
}

func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return strings.Replace(strconv.FormatFloat(*v*100, 'f', 1, 64), ".", ",", 1) + " %"
}

func num1(x float64) string { return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1) }

func ratioCell(r app.Ratio, of string) ratingCell {
	return ratingCell{Pct: pct(r.Value), Detail: fmt.Sprintf("%d %s %d", r.Num, of, r.Den), Weak: r.Value != nil && *r.Value < 2.0/3}
}

// historyDays is how far back the rating page's charts go.
const historyDays = 60

func (s *Server) pageRating(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d, err := s.Rating.Day(ctx, strings.TrimSpace(c.Query("date")))
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return s.render(c, "rating/index", fiber.Map{"Title": "Рейтинг управляющих организаций", "Error": app.ErrorMessage(err)})
	}
	start, _, _ := rating.ParseDay(d.Day, time.UTC)
	prevDay := start.AddDate(0, 0, -1).Format(rating.DayLayout)
	prev := map[int64]app.RatingRow{}
	if p, err := s.Store.Rating(ctx, prevDay); err == nil {
		for _, r := range p.Rows {
			prev[r.OrgID] = r
		}
	}
	from := start.AddDate(0, 0, -historyDays+1)
	hist, err := s.Store.RatingHistory(ctx, from.Format(rating.DayLayout), d.Day)
	if err != nil {
		return err
	}
	byOrg := map[int64][]float64{}
	for _, p := range hist {
		day, _, _ := rating.ParseDay(p.Day, time.UTC)
		i := int(day.Sub(from).Hours() / 24)
		if i < 0 || i >= historyDays {
			continue
		}
		if byOrg[p.OrgID] == nil {
			byOrg[p.OrgID] = nanSlice(historyDays)
		}
		if p.Score != nil {
			byOrg[p.OrgID][i] = *p.Score
		}
	}
	lines := make([]ratingLine, len(d.Rows))
	var chart []series
	for i, r := range d.Rows {
		p, hasPrev := prev[r.OrgID]
		l := ratingLine{RatingRow: r, Score: "недостаточно данных", Delta: "—"}
		m := r.Metrics
		l.OnTime = ratioCell(m.OnTime, "из")
		if d.Method >= app.RatingMethodV2 {
			l.OnTime.Detail += fmt.Sprintf("; ждут ответа жителя %d", m.Pending)
			if m.Unreached > 0 {
				l.OnTime.Detail += fmt.Sprintf("; не учтены (житель недоступен) %d", m.Unreached)
			}
		}
		l.Accept = ratioCell(m.Accept, "из")
		l.FirstFix = ratioCell(m.FirstFix, "из")
		l.Overdue = ratingCell{Pct: pct(m.Overdue.Value), Detail: fmt.Sprintf("просрочено %d из %d открытых", m.Overdue.Num, m.Overdue.Den), Weak: m.Overdue.Value != nil && *m.Overdue.Value < 2.0/3}
		if m.Load != nil {
			l.Load = ratingCell{Pct: pct(m.Load.Value), Detail: fmt.Sprintf("%s на 100 кв. (медиана %s)", num1(m.Load.Per100), num1(m.Load.Median))}
			if m.Load.Apartments == 0 {
				l.Load.Detail = "нет данных о квартирах"
			}
		}
		if m.Localize != nil {
			l.Localize = ratioCell(*m.Localize, "из")
		}
		if rp := m.Repeats; rp != nil {
			l.Repeats = ratingCell{Pct: pct(rp.Value), Detail: fmt.Sprintf("%d повторных, %s на 100 кв. (ориентир %s)", rp.Repeats, num1(rp.Per100), num1(rp.Yardstick)),
				Weak: rp.Value != nil && *rp.Value < 2.0/3}
			if rp.Apartments == 0 {
				l.Repeats.Detail = fmt.Sprintf("%d повторных; нет данных о квартирах", rp.Repeats)
			}
		}
		if hasPrev {
			l.OnTime.Change = change(m.OnTime.Value, p.Metrics.OnTime.Value)
			l.Accept.Change = change(m.Accept.Value, p.Metrics.Accept.Value)
			l.FirstFix.Change = change(m.FirstFix.Value, p.Metrics.FirstFix.Value)
			l.Overdue.Change = change(m.Overdue.Value, p.Metrics.Overdue.Value)
			if m.Localize != nil && p.Metrics.Localize != nil {
				l.Localize.Change = change(m.Localize.Value, p.Metrics.Localize.Value)
			}
			if m.Repeats != nil && p.Metrics.Repeats != nil {
				l.Repeats.Change = change(m.Repeats.Value, p.Metrics.Repeats.Value)
			}
		}
		if r.Score != nil {
			l.Score = num1(*r.Score)
			if hasPrev && p.Score != nil {
				delta := math.Round((*r.Score-*p.Score)*10) / 10
				l.Delta = num1(delta)
				switch {
				case delta > 0:
					l.Delta, l.DeltaClass = "+"+l.Delta, "up"
				case delta < 0:
					l.Delta, l.DeltaClass = "−"+num1(-delta), "down"
				}
			}
		}
		if v := byOrg[r.OrgID]; v != nil {
			l.Chart = sparkline("Балл «"+r.OrgName+"» за "+strconv.Itoa(historyDays)+" дней", v, 0, 100)
			if r.Score != nil && r.OrgKind == app.OrgManagement {
				chart = append(chart, series{Name: r.OrgName, Values: v})
			}
		}
		lines[i] = l
	}
	tables := []ratingTable{{Title: "Управляющие организации"}, {Title: "Ресурсоснабжающие организации и подрядчики"}}
	for _, l := range lines {
		if l.OrgKind == app.OrgManagement || d.Method == app.RatingMethodV1 {
			tables[0].Lines = append(tables[0].Lines, l)
		} else {
			tables[1].Lines = append(tables[1].Lines, l)
		}
	}
	if len(tables[1].Lines) == 0 {
		tables = tables[:1]
	}
	labels := make([]string, historyDays)
	for i := range labels {
		labels[i] = from.AddDate(0, 0, i).Format("02.01")
	}
	var big template.HTML
	if len(chart) > 0 {
		big = lineChart("Балл организаций по дням", labels, chart, 0, 100, func(v float64) string { return f1(v) })
	}
	w, _ := s.Store.RatingSettings(ctx)
	return s.render(c, "rating/index", fiber.Map{
		"Title": "Рейтинг управляющих организаций", "Day": d, "DayTitle": start.Format(app.DateLayout), "Tables": tables,
		"Chart": big, "Weights": d.Weights, "Current": w, "V2": d.Method >= app.RatingMethodV2, "Prev": prevDay, "Next": start.AddDate(0, 0, 1).Format(rating.DayLayout),
		"Computed": d.ComputedAt.In(s.loc(c)).Format(app.DateTimeLayout), "MinTickets": app.RatingMinTickets,
	})
}

func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func (s *Server) pageRatingMethod(c *fiber.Ctx) error {
	ctx := c.UserContext()
	w, at := s.Store.RatingSettings(ctx)
	changes, err := s.Store.RatingWeightChanges(ctx)
	if err != nil {
		return err
	}
	type change struct {
		At, Actor string
		Weights   app.RatingWeights
	}
	var list []change
	for _, ch := range changes {
		list = append(list, change{At: ch.At.In(s.loc(c)).Format(app.DateTimeLayout), Actor: ch.Actor, Weights: ch.Weights})
	}
	return s.render(c, "rating/method", fiber.Map{"Title": "Методика рейтинга", "Weights": w, "Time": at, "MinTickets": app.RatingMinTickets,
		"Method": app.RatingMethod, "Changes": list, "RepeatDays": int(rating.RepeatWindow.Hours() / 24), "Yardstick": num1(rating.RepeatsYardstickMin)})
}

// pageRatingAdmin shows the weights, the nightly time and the recompute form.
func (s *Server) pageRatingAdmin(c *fiber.Ctx) error {
	return s.showRatingAdmin(c, nil, "", nil)
}

func (s *Server) showRatingAdmin(c *fiber.Ctx, w *app.RatingWeights, at string, formErr error) error {
	ctx := c.UserContext()
	cw, cat := s.Store.RatingSettings(ctx)
	if w == nil {
		w, at = &cw, cat
	}
	loc := s.loc(c)
	changes, err := s.Store.RatingWeightChanges(ctx)
	if err != nil {
		return err
	}
	type change struct {
		At, Actor string
		Weights   app.RatingWeights
	}
	var list []change
	for _, ch := range changes {
		list = append(list, change{At: ch.At.In(s.loc(c)).Format(app.DateTimeLayout), Actor: ch.Actor, Weights: ch.Weights})
	}
	data := fiber.Map{"Title": "Настройки рейтинга", "Weights": w, "Time": at, "Sum": w.Sum(), "Changes": list,
		"Yesterday": s.Store.Now().In(loc).AddDate(0, 0, -1).Format(rating.DayLayout), "Done": c.Query("done")}
	formFailed(c, data, formErr)
	return s.render(c, "rating/admin", data)
}

func (s *Server) pageRatingSettingsPost(c *fiber.Ctx) error {
	fe := app.FieldErrors{}
	num := func(key string) int {
		v, err := strconv.Atoi(strings.TrimSpace(c.FormValue(key)))
		if err != nil {
			fe.Add(key, "Вес — целое число от 0 до 100.")
		}
		return v
	}
	w := app.RatingWeights{OnTime: num("on_time"), Accept: num("accept_on_time"), FirstFix: num("first_time_fix"), Overdue: num("overdue_now"),
		Localize: num("localized_on_time"), Repeats: num("repeats")}
	at := strings.TrimSpace(c.FormValue("time"))
	err := fe.Err()
	if err == nil {
		err = s.Store.SaveRatingSettings(c.UserContext(), currentUser(c), w, at)
	}
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		return s.showRatingAdmin(c, &w, at, err)
	}
	return c.Redirect("/rating/admin?done=settings", fiber.StatusSeeOther)
}

func (s *Server) pageRatingComputePost(c *fiber.Ctx) error {
	day := strings.TrimSpace(c.FormValue("date"))
	if _, err := s.Rating.ComputeDay(c.UserContext(), day); err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		return s.showRatingAdmin(c, nil, "", err)
	}
	return c.Redirect("/rating?date="+day, fiber.StatusSeeOther)
}
