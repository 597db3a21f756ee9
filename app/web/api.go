package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) loc(c *fiber.Ctx) *time.Location {
	return s.Store.Municipality(c.UserContext()).Location
}

func (s *Server) apiLogin(c *fiber.Ctx) error {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	u, err := s.login(c, in.Login, in.Password)
	if err != nil {
		return err
	}
	sess, err := s.Store.CreateSession(c.UserContext(), u, "api", apiTokenTTL)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{
		"token":      sess.Token,
		"expires_at": app.FormatTime(sess.ExpiresAt, s.loc(c)),
		"user":       userJSON(u),
	})
}

func userJSON(u *app.User) fiber.Map {
	m := fiber.Map{"login": u.Login, "role": u.Role, "name": u.Name}
	if u.OrganizationID != 0 {
		m["organization_id"] = u.OrganizationID
	} else {
		m["organization_id"] = nil
	}
	return m
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	token := strings.TrimSpace(strings.TrimPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "))
	if err := s.Store.DeleteSession(c.UserContext(), token); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{"status": "ok"})
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	return writeJSON(c, fiber.StatusOK, userJSON(currentUser(c)))
}

type workTypeJSON struct {
	Code           string       `json:"code"`
	Category       string       `json:"category"`
	Name           string       `json:"name"`
	Emergency      bool         `json:"emergency"`
	DeadlineHours  *float64     `json:"deadline_hours"` // null: a hand-off type
	DeadlineSource app.NormKind `json:"deadline_source"`
	DeadlineNote   string       `json:"deadline_note"`
	AcceptHours    float64      `json:"accept_hours"`
	// LocalizeMinutes is null where the type has no localisation clock, Handoff
	// null where the call is not handed over.
	LocalizeMinutes *int        `json:"localize_minutes"`
	Responsible     app.OrgKind `json:"responsible"`
	Handoff         *string     `json:"handoff"`
}

func workTypeOut(w *app.WorkType) workTypeJSON {
	out := workTypeJSON{Code: w.Code, Category: w.Category, Name: w.Name, Emergency: w.Emergency,
		DeadlineSource: w.DeadlineKind, DeadlineNote: w.Note, AcceptHours: w.AcceptHours, Responsible: w.Routes()}
	if w.DeadlineKind != app.NormNone {
		h := w.DeadlineHours
		out.DeadlineHours = &h
	}
	if w.LocalizeMinutes > 0 {
		m := w.LocalizeMinutes
		out.LocalizeMinutes = &m
	}
	if w.Handoff != "" {
		h := w.Handoff
		out.Handoff = &h
	}
	return out
}

func (s *Server) apiWorkTypes(c *fiber.Ctx) error {
	var list []*app.WorkType
	var err error
	if q := c.Query("q"); q != "" {
		list, err = s.Store.SearchWorkTypes(c.UserContext(), q)
	} else {
		list, err = s.Store.WorkTypes(c.UserContext())
	}
	if err != nil {
		return err
	}
	out := make([]workTypeJSON, 0, len(list))
	for _, w := range list {
		if !w.Active {
			continue
		}
		out = append(out, workTypeOut(w))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiOrganizations(c *fiber.Ctx) error {
	list, err := s.Store.Organizations(c.UserContext(), app.OrgKind(c.Query("kind")))
	if err != nil {
		return err
	}
	out := make([]*app.Organization, 0, len(list))
	for _, o := range list {
		if o.Active {
			out = append(out, o)
		}
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiBuildings(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 20)
	if err != nil {
		return err
	}
	var list []app.Building
	if q := strings.TrimSpace(c.Query("q")); q != "" {
		list, err = s.Store.SearchBuildings(c.UserContext(), q, int(limit))
	} else {
		list, err = s.Store.Buildings(c.UserContext(), 0)
	}
	if err != nil {
		return err
	}
	type bj struct {
		ID             int64    `json:"id"`
		Address        string   `json:"address"`
		OrganizationID int64    `json:"organization_id"`
		Lat            *float64 `json:"lat"` // null while the building's place is unknown
		Long           *float64 `json:"long"`
	}
	out := make([]bj, len(list))
	for i, b := range list {
		out[i] = bj{ID: b.ID, Address: b.Address, OrganizationID: b.OrganizationID}
		if b.Geo != nil {
			lat, lon := b.Geo.Lat, b.Geo.Lon
			out[i].Lat, out[i].Long = &lat, &lon
		}
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func queryInt(c *fiber.Ctx, name string, def int64) (int64, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, &app.Error{Code: app.EINVALID, Message: "Параметр «" + name + "» должен быть неотрицательным целым числом.", Fields: map[string]string{name: "Ожидается число."}}
	}
	return n, nil
}

// ticketOut is a ticket in the API, as the caller may see it.
func (s *Server) ticketOut(c *fiber.Ctx, t *app.Ticket) app.TicketJSON {
	u := currentUser(c)
	j := t.JSON(s.loc(c), s.Store.Now(), app.SeesReporter(u, t))
	if u != nil && u.SeesAllTickets() && t.Status == app.StatusDone {
		j.Callback = t.CallbackJSON(s.loc(c), s.Store.Now())
	}
	return j
}

func (s *Server) apiCreateTicket(c *fiber.Ctx) error {
	var in app.NewTicket
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	u := currentUser(c)
	if err := s.limiter.take(u, s.Store.Now()); err != nil {
		return err
	}
	t, dups, replay, err := s.Store.CreateTicketKeyed(c.UserContext(), in, c.Get("Idempotency-Key"))
	if err != nil || replay {
		s.limiter.undo(u)
	}
	if err != nil {
		return err
	}
	out := struct {
		app.TicketJSON
		PossibleDuplicates []app.TicketBriefJSON `json:"possible_duplicates"`
	}{TicketJSON: s.ticketOut(c, t), PossibleDuplicates: make([]app.TicketBriefJSON, 0, len(dups))}
	for _, d := range dups {
		out.PossibleDuplicates = append(out.PossibleDuplicates, d.JSON(s.loc(c)))
	}
	c.Set(fiber.HeaderLocation, "/api/v1/tickets/"+t.Number)
	if replay { // a retry: the ticket the first request created
		return writeJSON(c, fiber.StatusOK, out)
	}
	return writeJSON(c, fiber.StatusCreated, out)
}

func (s *Server) apiTicket(c *fiber.Ctx) error {
	t, err := s.Store.Ticket(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.ticketOut(c, t))
}

// parseFilter reads the list filters of the contract from the query string.
func parseFilter(c *fiber.Ctx) (store.TicketFilter, error) {
	var f store.TicketFilter
	fe := app.FieldErrors{}
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		for _, p := range strings.Split(v, ",") {
			st := app.Status(strings.TrimSpace(p))
			if st == "open" {
				f.Statuses = append(f.Statuses, app.OpenStatuses...)
				continue
			}
			if !st.Valid() {
				fe.Add("status", "Неизвестный статус «"+string(st)+"».")
				continue
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	for name, dst := range map[string]*int64{"organization_id": &f.OrganizationID, "building_id": &f.BuildingID} {
		n, err := queryInt(c, name, 0)
		if err != nil {
			fe.Add(name, "Ожидается число.")
		}
		*dst = n
	}
	f.WorkType = strings.TrimSpace(c.Query("work_type"))
	f.Category = strings.TrimSpace(c.Query("category"))
	switch v := c.Query("overdue"); v {
	case "", "false", "0":
	case "true", "1":
		f.Overdue = true
	default:
		fe.Add("overdue", "Ожидается true или false.")
	}
	if v := strings.TrimSpace(c.Query("phone")); v != "" {
		p, err := app.NormalizePhone(v)
		if err != nil {
			fe.Add("phone", err.Error())
		}
		f.Phone = p
	}
	for name, dst := range map[string]*time.Time{"from": &f.CreatedFrom, "to": &f.CreatedTo} {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				fe.Add(name, "Дата в формате ГГГГ-ММ-ДД.")
			}
			*dst = t
		}
	}
	limit, err := queryInt(c, "limit", 50)
	if err != nil || limit < 1 || limit > 500 {
		fe.Add("limit", "От 1 до 500.")
	}
	f.Limit = int(limit)
	f.After = strings.TrimSpace(c.Query("after"))
	switch v := c.Query("emergency"); v {
	case "", "false", "0":
	case "true", "1":
		f.Emergency = true
	default:
		fe.Add("emergency", "Ожидается true или false.")
	}
	switch f.Sort = strings.TrimSpace(c.Query("sort")); f.Sort {
	case "", app.SortCreated, app.SortClock:
	default:
		fe.Add("sort", "Допустимо: created (по регистрации) или clock (по срокам).")
	}
	return f, fe.Err()
}

// listParams are the parameters of GET /api/v1/tickets; any other is a mistake
// the caller should hear about rather than get an unfiltered list.
var listParams = map[string]bool{"status": true, "organization_id": true, "building_id": true, "work_type": true, "category": true,
	"phone": true, "from": true, "to": true, "overdue": true, "emergency": true, "sort": true, "limit": true, "after": true}

func unknownParams(c *fiber.Ctx) error {
	fe := app.FieldErrors{}
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if !listParams[string(k)] {
			fe.Add(string(k), "Неизвестный параметр списка.")
		}
	})
	return fe.Err()
}

func (s *Server) apiListTickets(c *fiber.Ctx) error {
	if err := unknownParams(c); err != nil {
		return err
	}
	f, err := parseFilter(c)
	if err != nil {
		return err
	}
	loc := s.loc(c)
	if !f.CreatedFrom.IsZero() {
		f.CreatedFrom = time.Date(f.CreatedFrom.Year(), f.CreatedFrom.Month(), f.CreatedFrom.Day(), 0, 0, 0, 0, loc)
	}
	if !f.CreatedTo.IsZero() {
		f.CreatedTo = time.Date(f.CreatedTo.Year(), f.CreatedTo.Month(), f.CreatedTo.Day()+1, 0, 0, 0, 0, loc)
	}
	list, next, err := s.Store.Tickets(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]app.TicketJSON, len(list))
	for i, t := range list {
		items[i] = s.ticketOut(c, t)
	}
	var nextJ *string
	if next != "" {
		nextJ = &next
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{"items": items, "next": nextJ})
}

type eventJSON struct {
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	From   string `json:"from"`
	To     string `json:"to"`
	Note   string `json:"note"`
}

func (s *Server) apiEvents(c *fiber.Ctx) error {
	evs, err := s.Store.Events(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	loc := s.loc(c)
	out := make([]eventJSON, len(evs))
	for i, e := range evs {
		out[i] = eventJSON{app.FormatTime(e.At, loc), e.Actor, string(e.Action), string(e.From), string(e.To), e.Note}
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// ActRequest is the body of POST /api/v1/tickets/{number}/{action}.
type ActRequest struct {
	Note           string `json:"note"`
	OrganizationID int64  `json:"organization_id"`
	Parent         string `json:"parent"`
	Version        int64  `json:"version"`
	Public         bool   `json:"public"`
	RetryAt        string `json:"retry_at"` // call-failed: RFC 3339
}

func (s *Server) apiAct(c *fiber.Ctx) error {
	number, action := c.Params("number"), app.Action(c.Params("action"))
	if app.FindTransition(action) == nil {
		return app.Errorf(app.ENOTFOUND, "Неизвестное действие «%s».", action)
	}
	var in ActRequest
	if err := decodeJSON(c, &in, true); err != nil {
		return err
	}
	retry, err := parseRetryAt(in.RetryAt, s.loc(c))
	if err != nil {
		return err
	}
	t, err := s.Store.Act(c.UserContext(), number, action, store.ActInput{Note: in.Note, OrganizationID: in.OrganizationID, Parent: in.Parent, Version: in.Version, Public: in.Public, RetryAt: retry})
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.ticketOut(c, t))
}
