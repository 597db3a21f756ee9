package web

import (
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// The resident's own pages: filing a request, the list of their requests, and
// each one's timeline with the confirm/reject answer once the work is reported
// done. The store scopes every query to the resident, so another's request is
// simply not found.

type fileForm struct {
	Address     string
	BuildingID  int64
	Apartment   string
	WorkType    string
	Description string
	Key         string // the form's Idempotency-Key
}

func (s *Server) pageNew(c *fiber.Ctx) error {
	var f fileForm
	if id := parseID(c.Query("building")); id > 0 {
		if b, err := s.Store.Building(c.UserContext(), id); err == nil {
			f.Address, f.BuildingID = b.Address, b.ID
		}
	}
	return s.showNew(c, f, nil, nil)
}

func (s *Server) showNew(c *fiber.Ctx, f fileForm, candidates []app.Building, formErr error) error {
	cats, err := s.catalogue(c)
	if err != nil {
		return err
	}
	if f.Key == "" {
		f.Key = newFormKey()
	}
	all, err := s.Store.Buildings(c.UserContext(), 0)
	if err != nil {
		return err
	}
	m, err := s.buildMap(c, all, f.BuildingID, true)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Новая заявка", "F": f, "Catalogue": cats, "Candidates": candidates, "Fields": map[string]string{}, "Map": m}
	if w, err := s.Store.WorkType(c.UserContext(), f.WorkType); f.WorkType != "" && err == nil && w.Handoff != "" {
		data["Handoff"] = app.HandoffMessage(w)
	}
	formFailed(c, data, formErr)
	return s.render(c, "portal/new", data)
}

// resolveBuilding finds the house a resident means when the address was typed
// without picking from the suggestions (no script, or typed too fast): an exact
// or single match is taken, several are offered to choose from.
func (s *Server) resolveBuilding(c *fiber.Ctx, f *fileForm) ([]app.Building, error) {
	if f.BuildingID > 0 {
		b, err := s.Store.Building(c.UserContext(), f.BuildingID)
		if err == nil {
			f.Address = b.Address
			return nil, nil
		}
		f.BuildingID = 0
	}
	if f.Address == "" {
		return nil, nil
	}
	list, err := s.Store.SearchBuildings(c.UserContext(), f.Address, 10)
	if err != nil {
		return nil, err
	}
	key := app.AddressKey(f.Address)
	for _, b := range list {
		if app.AddressKey(b.Address) == key {
			f.BuildingID, f.Address = b.ID, b.Address
			return nil, nil
		}
	}
	if len(list) == 1 {
		f.BuildingID, f.Address = list[0].ID, list[0].Address
		return nil, nil
	}
	return list, nil
}

func (s *Server) pageNewPost(c *fiber.Ctx) error {
	f := fileForm{
		Address:     strings.TrimSpace(c.FormValue("address")),
		BuildingID:  parseID(c.FormValue("building_id")),
		Apartment:   strings.TrimSpace(c.FormValue("apartment")),
		WorkType:    strings.TrimSpace(c.FormValue("work_type")),
		Description: strings.TrimSpace(c.FormValue("description")),
		Key:         strings.TrimSpace(c.FormValue("idempotency_key")),
	}
	// A gas smell is not filed online: the resident is told to call 104 now, before
	// anything else about the form matters, and nothing is saved.
	if w, err := s.Store.WorkType(c.UserContext(), f.WorkType); f.WorkType != "" && err == nil && w.Handoff != "" {
		msg := app.HandoffMessage(w)
		return s.showNew(c, f, nil, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"work_type": msg}})
	}
	candidates, err := s.resolveBuilding(c, &f)
	if err != nil {
		return err
	}
	if f.BuildingID <= 0 {
		msg := "Выберите дом из списка подсказок."
		switch {
		case f.Address == "":
			msg = "Укажите адрес дома."
		case len(candidates) == 0:
			msg = "Дом по такому адресу не найден; проверьте улицу и номер дома."
		}
		return s.showNew(c, f, candidates, &app.Error{Code: app.EINVALID, Message: "Проверьте выделенные поля.", Fields: map[string]string{"address": msg}})
	}
	photos, err := formPhotos(c)
	if err != nil {
		if app.ErrorCode(err) == app.EINVALID {
			return s.showNew(c, f, nil, err)
		}
		return err
	}
	u := currentUser(c)
	if err := s.limiter.take(u, s.Store.Now()); err != nil {
		return s.showNew(c, f, nil, err)
	}
	atts, undo, err := s.savePhotos(photos)
	if err != nil {
		s.limiter.undo(u)
		return err
	}
	// The form carries a key of its own: a second press of «Отправить» after a
	// slow answer finds the ticket the first one filed.
	t, replay, err := s.Store.FileTicketOnce(c.UserContext(), app.NewTicket{BuildingID: f.BuildingID, Apartment: f.Apartment, WorkType: f.WorkType, Description: f.Description}, f.Key, atts)
	if replay {
		undo()
		s.limiter.undo(u)
	}
	if err != nil {
		undo()
		s.limiter.undo(u)
		if app.ErrorCode(err) == app.EINVALID {
			if len(atts) > 0 {
				err = withPhotosAgain(err)
			}
			return s.showNew(c, f, nil, err)
		}
		return err
	}
	return c.Redirect("/my/tickets/"+t.Number+"?filed=1", fiber.StatusSeeOther)
}

// withPhotosAgain adds to a form error that the photos, which a browser cannot put
// back into the form, must be chosen again.
func withPhotosAgain(err error) error {
	e := &app.Error{Code: app.ErrorCode(err), Message: app.ErrorMessage(err) + " Фотографии выберите заново.", Fields: map[string]string{}}
	for k, v := range app.ErrorFields(err) {
		e.Fields[k] = v
	}
	return e
}

func (s *Server) pageMy(c *fiber.Ctx) error {
	list, next, err := s.Store.Tickets(c.UserContext(), store.TicketFilter{Limit: 30, After: c.Query("after")})
	if err != nil {
		return err
	}
	return s.render(c, "portal/my", fiber.Map{"Title": "Мои заявки", "Rows": s.rows(c, list), "Next": next})
}

func (s *Server) pageMyTicket(c *fiber.Ctx) error {
	return s.showMyTicket(c, nil, "")
}

func (s *Server) showMyTicket(c *fiber.Ctx, formErr error, note string) error {
	t, err := s.Store.Ticket(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	evs, err := s.Store.Events(c.UserContext(), t.Number)
	if err != nil {
		return err
	}
	report, done, err := s.photoViews(c, t.Number)
	if err != nil {
		return err
	}
	loc := s.loc(c)
	views := make([]eventView, len(evs))
	for i, e := range evs {
		views[i] = eventView{e, e.At.In(loc).Format(app.DateTimeLayout)}
	}
	data := fiber.Map{
		"Title": "Заявка " + t.Number, "T": s.rows(c, []*app.Ticket{t})[0], "Events": views, "Note": note,
		"DueFull": fullTime(t.DueAt, loc), "Deadline": s.ticketNorms(c, t).Due,
		"Filed": c.Query("filed") == "1", "ReportPhotos": report, "DonePhotos": done,
		"CanAnswer": t.Status == app.StatusDone && !t.FollowsParent(),
	}
	formFailed(c, data, formErr)
	return s.render(c, "portal/ticket", data)
}

// pageMyAct is the resident's answer to «done»: confirm, or reject saying what is
// wrong — the same actions the operator takes on the confirmation call.
func (s *Server) pageMyAct(c *fiber.Ctx) error {
	a := app.Action(c.Params("action"))
	if a != app.ActionConfirm && a != app.ActionReject {
		return app.Errorf(app.ENOTFOUND, "Такого действия нет.")
	}
	note := strings.TrimSpace(c.FormValue("note"))
	in := store.ActInput{Note: note, Public: true, Version: parseID(c.FormValue("version"))}
	if in.Version < 0 {
		in.Version = 0
	}
	t, err := s.Store.Act(c.UserContext(), c.Params("number"), a, in)
	if err != nil {
		switch app.ErrorCode(err) {
		case app.EINVALID, app.ECONFLICT:
			if app.ErrorCode(err) == app.EINVALID && a == app.ActionReject && note == "" {
				err = &app.Error{Code: app.EINVALID, Message: "Напишите, что не устранено: без этого заявку нельзя вернуть в работу."}
			}
			return s.showMyTicket(c, err, note)
		}
		return err
	}
	return c.Redirect("/my/tickets/"+t.Number, fiber.StatusSeeOther)
}
