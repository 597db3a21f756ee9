package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// intakeForm is what the operator types while the resident is on the phone. It is
// kept whole so that a form with a mistake comes back exactly as typed.
type intakeForm struct {
	Phone, Name, BuildingQ, Apartment, WorkQ, WorkType, Description, Parent string
	BuildingID                                                              int64
	Notify, Email                                                           string // the caller's choice of notifications (#16)
	HandedOff                                                               bool   // a gas smell: the call went to 104
	Key                                                                     string // the form's Idempotency-Key
}

func readIntake(c *fiber.Ctx) intakeForm {
	return intakeForm{
		Phone: strings.TrimSpace(c.FormValue("reporter_phone")), Name: c.FormValue("reporter_name"),
		BuildingQ: c.FormValue("building_q"), BuildingID: parseID(c.FormValue("building_id")),
		Apartment: c.FormValue("apartment"), WorkQ: c.FormValue("work_q"),
		WorkType: strings.ToUpper(strings.TrimSpace(c.FormValue("work_type"))), Description: c.FormValue("description"),
		Parent: strings.TrimSpace(c.FormValue("parent")), HandedOff: c.FormValue("handed_off") == "1",
		Notify: c.FormValue("notify"), Email: c.FormValue("reporter_email"), Key: strings.TrimSpace(c.FormValue("idempotency_key")),
	}
}

// buildingChoice is one address the operator can pick.
type buildingChoice struct {
	app.Building
	Checked bool
	Earlier bool // the caller's address from an earlier ticket
}

// workChoice is one work type the operator can pick, with its deadline.
type workChoice struct {
	*app.WorkType
	Checked  bool
	Question string // asked before choosing among tiers: «Какая температура в квартире?»
	Why      string // why it was suggested
}

func (s *Server) pageIntake(c *fiber.Ctx) error {
	return s.showIntake(c, intakeForm{}, nil)
}

// showIntake renders the intake form with f's values; a failed save passes its
// error, whose field messages are shown by the fields.
func (s *Server) showIntake(c *fiber.Ctx, f intakeForm, formErr error) error {
	bs, err := s.buildingChoices(c, f.BuildingQ, f.BuildingID)
	if err != nil {
		return err
	}
	ws, err := s.workChoices(c, f.WorkQ, f.WorkType)
	if err != nil {
		return err
	}
	if f.Key == "" {
		f.Key = newFormKey()
	}
	data := fiber.Map{"Title": "Новая заявка", "F": f, "Buildings": bs, "WorkTypes": ws, "Searched": f.BuildingQ != "", "WorkSearched": f.WorkQ != ""}
	formFailed(c, data, formErr)
	if f.Phone != "" {
		if err := s.addCaller(c, data, f.Phone); err != nil {
			return err
		}
	}
	return s.render(c, "intake", data)
}

// buildingChoices searches q and makes sure the chosen building stays on the list.
func (s *Server) buildingChoices(c *fiber.Ctx, q string, chosen int64) ([]buildingChoice, error) {
	var list []app.Building
	var err error
	if strings.TrimSpace(q) != "" {
		if list, err = s.Store.SearchBuildings(c.UserContext(), q, 8); err != nil {
			return nil, err
		}
	}
	out := make([]buildingChoice, 0, len(list)+1)
	found := false
	for _, b := range list {
		out = append(out, buildingChoice{Building: b, Checked: b.ID == chosen})
		found = found || b.ID == chosen
	}
	if chosen > 0 && !found {
		if b, err := s.Store.Building(c.UserContext(), chosen); err == nil {
			out = append([]buildingChoice{{Building: *b, Checked: true}}, out...)
			found = true
		}
	}
	if !found && len(out) > 0 {
		out[0].Checked = true // Enter right after typing takes the best match
	}
	return out, nil
}

func (s *Server) workChoices(c *fiber.Ctx, q, chosen string) ([]workChoice, error) {
	var list []app.WorkTypeMatch
	var err error
	if strings.TrimSpace(q) != "" {
		if list, err = s.Store.RankWorkTypes(c.UserContext(), q); err != nil {
			return nil, err
		}
		if len(list) > 8 {
			list = list[:8]
		}
	}
	list, questions := app.WithTiers(list, func(code string) *app.WorkType {
		w, err := s.Store.WorkType(c.UserContext(), code)
		if err != nil {
			return nil
		}
		return w
	})
	out := make([]workChoice, 0, len(list)+1)
	found := false
	for _, m := range list {
		out = append(out, workChoice{WorkType: m.Type, Checked: m.Type.Code == chosen, Question: questions[m.Type.Code], Why: m.Why})
		found = found || m.Type.Code == chosen
	}
	// Enter takes the best match — but never an emergency on its own unless it is
	// clearly the best: «холодно» must not send a crew for a burst riser.
	if !found && len(list) > 0 && list[0].Type.Emergency && !app.ClearBest(list) {
		return out, nil
	}
	if chosen != "" && !found {
		if w, err := s.Store.WorkType(c.UserContext(), chosen); err == nil {
			out = append([]workChoice{{WorkType: w, Checked: true}}, out...)
			found = true
		}
	}
	if !found && len(out) > 0 {
		out[0].Checked = true
	}
	return out, nil
}

// addCaller puts the caller's earlier tickets into data, found by their phone.
func (s *Server) addCaller(c *fiber.Ctx, data fiber.Map, phone string) error {
	p, err := app.NormalizePhone(phone)
	if err != nil {
		data["PhoneError"] = err.Error()
		return nil
	}
	list, _, err := s.Store.Tickets(c.UserContext(), store.TicketFilter{Phone: p, Limit: 10})
	if err != nil {
		return err
	}
	data["Earlier"] = s.rows(c, list)
	data["CallerPhone"] = p
	return nil
}

// lookupCaller answers the phone field: the caller's earlier tickets, and their
// addresses offered first in the address list.
func (s *Server) lookupCaller(c *fiber.Ctx) error {
	data := fiber.Map{}
	phone := strings.TrimSpace(c.Query("reporter_phone"))
	if phone != "" {
		if err := s.addCaller(c, data, phone); err != nil {
			return err
		}
	}
	if rows, ok := data["Earlier"].([]row); ok && len(rows) > 0 && parseID(c.Query("building_id")) <= 0 {
		// The caller's earlier addresses are offered as a list; one is chosen for the
		// operator only when there is exactly one (a caller with a flat and a dacha,
		// or a daughter calling for her mother, must be asked).
		seen := map[int64]bool{}
		flats := map[string]bool{}
		var bs []buildingChoice
		for _, r := range rows {
			flats[strconv.FormatInt(r.BuildingID, 10)+"/"+r.Apartment] = true
			if seen[r.BuildingID] {
				continue
			}
			seen[r.BuildingID] = true
			if b, err := s.Store.Building(c.UserContext(), r.BuildingID); err == nil {
				bs = append(bs, buildingChoice{Building: *b, Earlier: true})
			}
		}
		if len(bs) == 1 {
			bs[0].Checked = true
		}
		data["Buildings"], data["OOB"], data["SeveralAddresses"] = bs, true, len(bs) > 1
		if len(flats) == 1 {
			data["Apartment"] = rows[0].Apartment
		}
		data["Name"] = rows[0].ReporterName
	}
	return s.renderPartial(c, "partials/caller", data)
}

func (s *Server) lookupBuildings(c *fiber.Ctx) error {
	bs, err := s.buildingChoices(c, c.Query("building_q"), 0)
	if err != nil {
		return err
	}
	return s.renderPartial(c, "partials/building_options", fiber.Map{"Buildings": bs, "Searched": strings.TrimSpace(c.Query("building_q")) != ""})
}

func (s *Server) lookupWorkTypes(c *fiber.Ctx) error {
	ws, err := s.workChoices(c, c.Query("work_q"), "")
	if err != nil {
		return err
	}
	return s.renderPartial(c, "partials/worktype_options", fiber.Map{"WorkTypes": ws, "WorkSearched": strings.TrimSpace(c.Query("work_q")) != ""})
}

// lookupDuplicates lists the open tickets of the chosen building and work type's
// category from the last week: the operator links the call instead of filing twice.
func (s *Server) lookupDuplicates(c *fiber.Ctx) error {
	b, code := parseID(c.Query("building_id")), strings.TrimSpace(c.Query("work_type"))
	data := fiber.Map{}
	if b > 0 && code != "" {
		if w, err := s.Store.WorkType(c.UserContext(), code); err == nil {
			probe := &app.Ticket{BuildingID: b, WorkType: *w, Apartment: strings.TrimSpace(c.Query("apartment")), CreatedAt: s.Store.Now()}
			dups, err := s.Store.Duplicates(c.UserContext(), probe)
			if err != nil {
				return err
			}
			data["Dups"], data["DupWhy"] = s.rows(c, dups), app.DuplicateReason(probe)
		}
	}
	return s.renderPartial(c, "partials/dups", data)
}

// saveIntake files the ticket — and, when the operator pressed «link» on a
// possible duplicate, links it in the same transaction (the store's FileLinked).
func (s *Server) saveIntake(c *fiber.Ctx) error {
	f := readIntake(c)
	n := app.NewTicket{BuildingID: f.BuildingID, Apartment: f.Apartment, WorkType: f.WorkType, Description: f.Description,
		ReporterName: f.Name, ReporterPhone: f.Phone, Notify: f.Notify, ReporterEmail: f.Email, HandedOff: f.HandedOff}
	if n.BuildingID < 0 {
		n.BuildingID = 0
	}
	u := currentUser(c)
	if err := s.limiter.take(u, s.Store.Now()); err != nil {
		return s.showIntake(c, f, err)
	}
	t, replay, err := s.Store.FileLinked(c.UserContext(), n, f.Parent, f.Key)
	if err != nil || replay {
		s.limiter.undo(u)
	}
	if err != nil {
		switch app.ErrorCode(err) {
		case app.EINVALID, app.ECONFLICT:
			return s.showIntake(c, f, err)
		}
		return err
	}
	return c.Redirect("/work/tickets/"+t.Number+"?created=1", fiber.StatusSeeOther)
}

// createdNote is what the operator reads to the caller after saving.
type createdNote struct {
	Number, Due, Deadline string
	RouteWhy              string // why it went to the management organisation instead
	Dups                  []row
	Why                   string // why the duplicates match
}

func (s *Server) created(c *fiber.Ctx, t *app.Ticket) (*createdNote, error) {
	if c.Query("created") != "1" {
		return nil, nil
	}
	dups, err := s.Store.Duplicates(c.UserContext(), t)
	if err != nil {
		return nil, err
	}
	if t.ParentID != 0 {
		dups = nil
	}
	return &createdNote{Number: t.Number, Due: fullTime(t.DueAt, s.loc(c)), Deadline: s.ticketNorms(c, t).Due, Dups: s.rows(c, dups), Why: app.DuplicateReason(t)}, nil
}

// now in the municipality's time zone, for the «today» of the overview.
func (s *Server) today(c *fiber.Ctx) (time.Time, time.Time) {
	now := s.Store.Now().In(s.loc(c))
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	return from, from.AddDate(0, 0, 1)
}
