package web

import (
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// The organisation's photos of the work done, which the resident sees before
// confirming; an operator can attach photos too (say, ones the resident sent by
// messenger). The form can report the work done in the same step.

func (s *Server) pagePhotos(c *fiber.Ctx) error {
	return s.showPhotos(c, "", "", false, nil)
}

// showPhotos renders the form. «Работа выполнена» is never ticked for the person:
// a photo of work in progress must not close the work by accident.
func (s *Server) showPhotos(c *fiber.Ctx, note, executor string, done bool, formErr error) error {
	t, err := s.Store.Ticket(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	report, donePhotos, err := s.photoViews(c, t.Number)
	if err != nil {
		return err
	}
	_, canDone := app.Check(currentUser(c), t, app.ActionDone, "")
	data := fiber.Map{"Title": "Фотографии к заявке " + t.Number, "T": t, "ReportPhotos": report, "DonePhotos": donePhotos,
		"CanDone": canDone == nil, "Note": note, "Executor": executor, "Done": done, "Fields": map[string]string{}}
	formFailed(c, data, formErr)
	return s.render(c, "portal/photos", data)
}

func (s *Server) pagePhotosPost(c *fiber.Ctx) error {
	number := strings.ToUpper(c.Params("number"))
	note, done := strings.TrimSpace(c.FormValue("note")), c.FormValue("done") == "1"
	executor := strings.TrimSpace(c.FormValue("executor"))
	photos, err := formPhotos(c)
	if err != nil {
		if app.ErrorCode(err) == app.EINVALID {
			return s.showPhotos(c, note, executor, done, err)
		}
		return err
	}
	// Reporting the work done asks who did it, as the ticket page does.
	if done && executor == "" {
		return s.showPhotos(c, note, executor, done, &app.Error{Code: app.EINVALID, Message: "Укажите исполнителя работ.", Fields: map[string]string{"executor": "Кто выполнил работу (ФИО или бригада)."}})
	}
	doneNote := note
	if done {
		doneNote = strings.TrimSpace("Исполнитель: " + executor + ". " + note)
	}
	if len(photos) == 0 && !done {
		return s.showPhotos(c, note, executor, done, &app.Error{Code: app.EINVALID, Message: "Выберите фотографии.", Fields: map[string]string{"photos": "Не выбрано ни одной фотографии."}})
	}
	atts, undo, err := s.savePhotos(photos)
	if err != nil {
		return err
	}
	kind := app.AttachReport
	if currentUser(c).Role == app.RoleOrg {
		kind = app.AttachDone
	}
	if err := s.Store.AddAttachments(c.UserContext(), number, kind, atts, done, doneNote); err != nil {
		undo()
		switch app.ErrorCode(err) {
		case app.EINVALID, app.ECONFLICT, app.EFORBIDDEN:
			if len(atts) > 0 {
				err = withPhotosAgain(err)
			}
			return s.showPhotos(c, note, executor, done, err)
		}
		return err
	}
	return c.Redirect("/work/tickets/"+number, fiber.StatusSeeOther)
}
