package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// decisionJSON is a decision of the contract's /api/v1/decisions.
type decisionJSON struct {
	ID           int64              `json:"id"`
	Text         string             `json:"text"`
	Organization app.OrganizationRf `json:"organization"`
	DueOn        string             `json:"due_on"`
	Building     *buildingRefJSON   `json:"building"`
	Tickets      []string           `json:"tickets"`
	Status       app.DecisionState  `json:"status"`
	DoneAt       *string            `json:"done_at"`
	DoneNote     string             `json:"done_note"`
	MeetingWeek  string             `json:"meeting_week"`
}

type buildingRefJSON struct {
	ID      int64  `json:"id"`
	Address string `json:"address"`
}

func (s *Server) decisionOut(c *fiber.Ctx, d *app.Decision) decisionJSON {
	loc := s.loc(c)
	out := decisionJSON{ID: d.ID, Text: d.Text, Organization: app.OrganizationRf{ID: d.OrgID, Name: d.OrgName}, DueOn: d.DueOn,
		Tickets: append([]string{}, d.Tickets...), Status: d.State(s.Store.Now(), loc), DoneNote: d.DoneNote, MeetingWeek: d.MeetingWeek}
	if d.BuildingID != 0 {
		out.Building = &buildingRefJSON{ID: d.BuildingID, Address: d.Address}
	}
	if !d.DoneAt.IsZero() {
		at := d.DoneAt.In(loc).Format(time.RFC3339)
		out.DoneAt = &at
	}
	return out
}

// decisionsFor lists the decisions u may see: an organisation its own, the
// centre's staff all (or one organisation's), filtered by state.
func (s *Server) decisionsFor(c *fiber.Ctx, u *app.User, orgID int64, status string) ([]*app.Decision, error) {
	f := store.DecisionFilter{OrgID: orgID}
	if u.Role == app.RoleOrg {
		f.OrgID = u.OrganizationID
	}
	switch status {
	case "", "open", "done", "overdue":
	default:
		return nil, &app.Error{Code: app.EINVALID, Message: "Состояние — open, done или overdue.", Fields: map[string]string{"status": "open, done или overdue."}}
	}
	list, err := s.Store.Decisions(c.UserContext(), f)
	if err != nil || status == "" {
		return list, err
	}
	now, loc := s.Store.Now(), s.loc(c)
	out := []*app.Decision{}
	for _, d := range list {
		st := d.State(now, loc)
		if string(st) == status || (status == "done" && st == app.DecisionDoneLate) {
			out = append(out, d)
		}
	}
	return out, nil
}

// apiDecisions is GET /api/v1/decisions?status=&organization_id=.
func (s *Server) apiDecisions(c *fiber.Ctx) error {
	var org int64
	if v := strings.TrimSpace(c.Query("organization_id")); v != "" {
		if org = parseID(v); org <= 0 {
			return &app.Error{Code: app.EINVALID, Message: "Неверный номер организации.", Fields: map[string]string{"organization_id": "Целое число."}}
		}
	}
	list, err := s.decisionsFor(c, currentUser(c), org, strings.TrimSpace(c.Query("status")))
	if err != nil {
		return err
	}
	out := make([]decisionJSON, len(list))
	for i, d := range list {
		out[i] = s.decisionOut(c, d)
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// lastFullWeek is the week whose report a meeting held now discusses.
func (s *Server) lastFullWeek(c *fiber.Ctx) string {
	return rating.WeekOf(s.Store.Now().In(s.loc(c)).AddDate(0, 0, -7))
}

// createDecision validates the meeting's week and records the decision.
func (s *Server) createDecision(c *fiber.Ctx, n app.NewDecision) (*app.Decision, error) {
	if n.MeetingWeek == "" {
		n.MeetingWeek = s.lastFullWeek(c)
	}
	from, _, err := rating.ParseWeek(n.MeetingWeek, s.loc(c))
	if err != nil {
		return nil, err
	}
	n.MeetingWeek = rating.WeekOf(from)
	return s.Store.CreateDecision(c.UserContext(), currentUser(c), n)
}

// apiCreateDecision is POST /api/v1/decisions (the supervisor).
func (s *Server) apiCreateDecision(c *fiber.Ctx) error {
	var in struct {
		Text           string   `json:"text"`
		OrganizationID int64    `json:"organization_id"`
		DueOn          string   `json:"due_on"`
		BuildingID     int64    `json:"building_id"`
		Tickets        []string `json:"tickets"`
		MeetingWeek    string   `json:"meeting_week"`
	}
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	d, err := s.createDecision(c, app.NewDecision{Text: in.Text, OrgID: in.OrganizationID, DueOn: in.DueOn, BuildingID: in.BuildingID,
		Tickets: in.Tickets, MeetingWeek: in.MeetingWeek})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, "/api/v1/decisions?organization_id="+strconv.FormatInt(d.OrgID, 10))
	return writeJSON(c, fiber.StatusCreated, s.decisionOut(c, d))
}

// apiDecisionDone is POST /api/v1/decisions/{id}/done (the organisation or the supervisor).
func (s *Server) apiDecisionDone(c *fiber.Ctx) error {
	var in struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	id := parseID(c.Params("id"))
	if id <= 0 {
		return app.Errorf(app.ENOTFOUND, "Поручение не найдено.")
	}
	d, err := s.Store.MarkDecisionDone(c.UserContext(), currentUser(c), id, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.decisionOut(c, d))
}

// pageDecisionPost records a decision from the meeting's report page.
func (s *Server) pageDecisionPost(c *fiber.Ctx) error {
	week := strings.TrimSpace(c.FormValue("week"))
	tickets := strings.FieldsFunc(c.FormValue("tickets"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' })
	n := app.NewDecision{MeetingWeek: week, Text: c.FormValue("text"), OrgID: parseID(c.FormValue("organization_id")), DueOn: c.FormValue("due_on"),
		BuildingID: parseID(c.FormValue("building_id")), Tickets: tickets}
	if _, err := s.createDecision(c, n); err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		return s.showReport(c, week, c.Query("all") == "1", &decisionForm{In: n, Tickets: c.FormValue("tickets"), Err: err})
	}
	return c.Redirect("/report/?week="+week+"&saved=decision#decisions", fiber.StatusSeeOther)
}

// pageMeetingPost records the meeting's day and attendees.
func (s *Server) pageMeetingPost(c *fiber.Ctx) error {
	week := strings.TrimSpace(c.FormValue("week"))
	from, _, err := rating.ParseWeek(week, s.loc(c))
	if err != nil {
		return err
	}
	week = rating.WeekOf(from)
	if err := s.Store.SaveMeeting(c.UserContext(), currentUser(c), week, c.FormValue("held_on"), c.FormValue("attendees")); err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		return s.showReport(c, week, false, &decisionForm{MeetingErr: err})
	}
	return c.Redirect("/report/?week="+week+"&saved=meeting#meeting", fiber.StatusSeeOther)
}

// pageWorkDecisions is the organisation's list of the meetings' decisions given
// to it (the supervisor sees all), with a form to report each done.
func (s *Server) pageWorkDecisions(c *fiber.Ctx) error {
	return s.showWorkDecisions(c, 0, "", nil)
}

func (s *Server) showWorkDecisions(c *fiber.Ctx, failedID int64, note string, formErr error) error {
	u := currentUser(c)
	list, err := s.decisionsFor(c, u, 0, "")
	if err != nil {
		return err
	}
	rows := rating.DecisionRows(list, s.Store.Now(), s.loc(c))
	var open, closed []rating.DecisionRow
	for _, r := range rows {
		if r.DoneAt.IsZero() {
			open = append(open, r)
		} else {
			closed = append(closed, r)
		}
	}
	data := fiber.Map{"Title": "Поручения совещаний", "Open": open, "Closed": closed, "FailedID": failedID, "Note": note, "Saved": c.Query("saved")}
	if formErr != nil {
		data["Error"] = app.ErrorMessage(formErr)
		data["Fields"] = app.ErrorFields(formErr)
		c.Status(httpStatus(app.ErrorCode(formErr)))
	}
	return s.render(c, "decisions", data)
}

// pageWorkDecisionDone reports a decision done, with a note.
func (s *Server) pageWorkDecisionDone(c *fiber.Ctx) error {
	id := parseID(c.Params("id"))
	note := c.FormValue("note")
	if _, err := s.Store.MarkDecisionDone(c.UserContext(), currentUser(c), id, note); err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		return s.showWorkDecisions(c, id, note, err)
	}
	return c.Redirect("/work/decisions?saved="+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}
