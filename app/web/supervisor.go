package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// orgDay is one line of the overview: an organisation today.
type orgDay struct {
	Org                       *app.Organization
	NewToday, InWork, Overdue int
}

// pageOverview is the housing department's «today at a glance».
func (s *Server) pageOverview(c *fiber.Ctx) error {
	ctx := c.UserContext()
	orgs, err := s.Store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	from, to := s.today(c)
	counts, err := s.Store.Overview(ctx, from, to)
	if err != nil {
		return err
	}
	var lines []orgDay
	var total orgDay
	for _, o := range orgs {
		d := orgDay{Org: o}
		if n := counts[o.ID]; n != nil {
			d.NewToday, d.InWork, d.Overdue = n.NewToday, n.Open, n.Overdue
		}
		total.NewToday += d.NewToday
		total.InWork += d.InWork
		total.Overdue += d.Overdue
		if d.NewToday+d.InWork+d.Overdue > 0 || o.Active {
			lines = append(lines, d)
		}
	}
	unrouted := 0
	if n := counts[0]; n != nil {
		unrouted = n.Open
	}
	overdue, next, err := s.Store.Tickets(ctx, store.TicketFilter{Overdue: true, Limit: 50})
	if err != nil {
		return err
	}
	routing, err := s.Store.RoutingFigures(ctx, from, to)
	if err != nil {
		return err
	}
	return s.render(c, "overview", fiber.Map{"Title": "Сводка", "Lines": lines, "Total": total, "Unrouted": unrouted,
		"Day": from.Format(app.DateLayout), "Rows": s.rows(c, overdue), "More": next != "", "Routing": routing,
		"RouteNormMin": int(routing.Norm.Minutes())})
}

// searchForm keeps the filters as typed, for the form and the export links.
type searchForm struct {
	Status, OrganizationID, BuildingQ, BuildingID, WorkType, From, To string
	Overdue                                                           bool
}

// searchFilter reads the search form: the same parameters as the API's list, plus
// an address typed in words.
func (s *Server) searchFilter(c *fiber.Ctx) (store.TicketFilter, searchForm, string, error) {
	sf := searchForm{Status: c.Query("status"), OrganizationID: c.Query("organization_id"), BuildingQ: c.Query("building_q"),
		BuildingID: c.Query("building_id"), WorkType: c.Query("work_type"), From: c.Query("from"), To: c.Query("to"), Overdue: c.Query("overdue") == "1" || c.Query("overdue") == "true"}
	f, err := parseFilter(c)
	if err != nil {
		return f, sf, "", err
	}
	loc := s.loc(c)
	if !f.CreatedFrom.IsZero() {
		f.CreatedFrom = time.Date(f.CreatedFrom.Year(), f.CreatedFrom.Month(), f.CreatedFrom.Day(), 0, 0, 0, 0, loc)
	}
	if !f.CreatedTo.IsZero() {
		f.CreatedTo = time.Date(f.CreatedTo.Year(), f.CreatedTo.Month(), f.CreatedTo.Day()+1, 0, 0, 0, 0, loc)
	}
	if !f.CreatedFrom.IsZero() && !f.CreatedTo.IsZero() && !f.CreatedFrom.Before(f.CreatedTo) {
		return f, sf, "", &app.Error{Code: app.EINVALID, Message: "Проверьте период.", Fields: map[string]string{"to": "Конец периода раньше начала."}}
	}
	building := ""
	if f.BuildingID == 0 && strings.TrimSpace(sf.BuildingQ) != "" {
		bs, err := s.Store.SearchBuildings(c.UserContext(), sf.BuildingQ, 1)
		if err != nil {
			return f, sf, "", err
		}
		if len(bs) == 0 {
			return f, sf, "", &app.Error{Code: app.EINVALID, Message: "Проверьте адрес.", Fields: map[string]string{"building_q": "Дом не найден."}}
		}
		f.BuildingID, building = bs[0].ID, bs[0].Address
	}
	return f, sf, building, nil
}

func (s *Server) pageTicketSearch(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var orgs []*app.Organization
	if currentUser(c).Role != app.RoleOrg { // a dispatcher searches its own tickets only
		var err error
		if orgs, err = s.Store.Organizations(ctx, ""); err != nil {
			return err
		}
	}
	wts, err := s.Store.WorkTypes(ctx)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Поиск", "Orgs": orgs, "WorkTypes": wts, "Statuses": app.Statuses}
	f, sf, building, err := s.searchFilter(c)
	data["S"], data["Building"] = sf, building
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		formFailed(c, data, err)
		return s.render(c, "search", data)
	}
	if len(c.Request().URI().QueryString()) > 0 {
		n, err := s.Store.CountTickets(ctx, f)
		if err != nil {
			return err
		}
		f.Limit = 50
		list, next, err := s.Store.Tickets(ctx, f)
		if err != nil {
			return err
		}
		data["Searched"], data["Found"], data["Rows"], data["Next"] = true, n, s.rows(c, list), next
		q := c.Request().URI().QueryArgs()
		q.Del("after")
		qs := string(q.QueryString())
		data["XLSX"], data["CSV"], data["More"] = template.URL("/work/search.xlsx?"+qs), template.URL("/work/search.csv?"+qs), template.URL("/work/search?"+qs+"&after="+next)
	}
	return s.render(c, "search", data)
}

// exportMax caps one export; a wider search is narrowed by the period.
const exportMax = 200000

var exportHeader = []string{"Номер", "Статус", "Источник", "Зарегистрирована", "Адрес", "Квартира", "Категория", "Вид работ", "Авария",
	"Организация", "Принять до", "Устранить до", "Принята", "Выполнена", "Закрыта", "Просрочена", "Повторно", "Описание"}

// exportRows walks every ticket of f page by page and hands each row to emit.
func (s *Server) exportRows(c *fiber.Ctx, f store.TicketFilter, emit func([]any) error) error {
	loc, now := s.loc(c), s.Store.Now()
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	yes := func(b bool) string {
		if b {
			return "да"
		}
		return "нет"
	}
	f.Limit, f.After = 500, ""
	n := 0
	for {
		list, next, err := s.Store.Tickets(c.UserContext(), f)
		if err != nil {
			return err
		}
		for _, t := range list {
			if err := emit([]any{t.Number, t.Status.Title(), string(t.Source), ts(t.CreatedAt), t.Address, t.Apartment, t.WorkType.Category, t.WorkType.Name,
				yes(t.WorkType.Emergency), t.OrgName, ts(t.AcceptDueAt), ts(t.DueAt), ts(t.AcceptedAt), ts(t.DoneAt), ts(t.ClosedAt), yes(t.Overdue(now)), t.ReopenCount, t.Description}); err != nil {
				return err
			}
			if n++; n >= exportMax {
				return nil
			}
		}
		if next == "" {
			return nil
		}
		f.After = next
	}
}

func (s *Server) exportName(c *fiber.Ctx, ext string) string {
	return fmt.Sprintf("zayavki-%s.%s", s.Store.Now().In(s.loc(c)).Format("2006-01-02-1504"), ext)
}

func (s *Server) exportCSV(c *fiber.Ctx) error {
	f, _, _, err := s.searchFilter(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\ufeff") // Excel opens a UTF-8 CSV as such only with a BOM
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write(exportHeader)
	err = s.exportRows(c, f, func(r []any) error {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = csvSafe(fmt.Sprint(v))
		}
		return w.Write(rec)
	})
	if err != nil {
		return err
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+s.exportName(c, "csv")+`"`)
	return c.SendString(b.String())
}

// csvSafe keeps a cell a resident typed from running as a formula in a spreadsheet.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) exportXLSX(c *fiber.Ctx) error {
	f, _, _, err := s.searchFilter(c)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Заявки"
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 1
	err = s.exportRows(c, f, func(r []any) error {
		row++ // XLSX cells are written as values, never as formulas: no escaping needed
		return sw.SetRow("A"+strconv.Itoa(row), r)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+s.exportName(c, "xlsx")+`"`)
	return c.Send(buf.Bytes())
}
