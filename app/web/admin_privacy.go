package web

import (
	"fmt"
	"strings"

	"github.com/ecoz/ecoz/app/retention"
	"github.com/gofiber/fiber/v2"
)

// The administrator's screen for a resident's rights (152-ФЗ, ст. 14, 21):
// everything held about one phone number, as a page and as a JSON file to hand
// over, and its anonymisation on request.

func (s *Server) adminPersonal(c *fiber.Ctx) error {
	phone := strings.TrimSpace(c.Query("phone"))
	data := fiber.Map{"Title": "Персональные данные", "Section": "personal", "Phone": phone, "Years": s.Store.RetentionYears(c.UserContext())}
	if phone != "" {
		d, err := s.Store.PersonalData(c.UserContext(), phone)
		if err != nil {
			if err := formError(c, data, err); err != nil {
				return err
			}
		} else {
			data["Data"] = d
		}
	}
	return s.render(c, "admin_personal", data)
}

// adminPersonalExport is the subject-access answer as a file.
func (s *Server) adminPersonalExport(c *fiber.Ctx) error {
	d, err := s.Store.PersonalData(c.UserContext(), c.Query("phone"))
	if err != nil {
		return err
	}
	s.Log.Info("personal data exported", "by", currentUser(c).Login, "tickets", len(d.Tickets))
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="personal-data-%s.json"`, strings.TrimPrefix(d.Phone, "+")))
	return writeJSON(c, fiber.StatusOK, d)
}

func (s *Server) adminPersonalAnonymize(c *fiber.Ctx) error {
	phone := strings.TrimSpace(c.FormValue("phone"))
	n, files, open, err := s.Store.AnonymizePhone(c.UserContext(), phone)
	data := fiber.Map{"Title": "Персональные данные", "Section": "personal", "Phone": phone, "Years": s.Store.RetentionYears(c.UserContext())}
	if err != nil {
		if err := formError(c, data, err); err != nil {
			return err
		}
		return s.render(c, "admin_personal", data)
	}
	retention.RemoveFiles(s.portal.uploads, files, s.Log)
	s.Log.Info("personal data anonymised on request", "by", currentUser(c).Login, "tickets", n)
	data["Done"] = n
	data["Open"] = open
	if d, err := s.Store.PersonalData(c.UserContext(), phone); err == nil {
		data["Data"] = d
	}
	return s.render(c, "admin_personal", data)
}

// apiPersonalData is the subject-access answer for scripts (admin).
func (s *Server) apiPersonalData(c *fiber.Ctx) error {
	d, err := s.Store.PersonalData(c.UserContext(), c.Query("phone"))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, d)
}
