package web

import (
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// The administrator's screen of Open311 API keys: issue one (shown once, only its
// hash is kept), see what each application filed, revoke one.

type apiKeyRow struct {
	*app.APIKey
	Created, Revoked string
}

func (s *Server) adminAPIKeys(c *fiber.Ctx) error {
	return s.showAPIKeys(c, fiber.Map{}, nil)
}

func (s *Server) showAPIKeys(c *fiber.Ctx, data fiber.Map, formErr error) error {
	keys, err := s.Store.APIKeys(c.UserContext())
	if err != nil {
		return err
	}
	loc := s.loc(c)
	rows := make([]apiKeyRow, len(keys))
	for i, k := range keys {
		rows[i] = apiKeyRow{APIKey: k, Created: k.CreatedAt.In(loc).Format(app.DateTimeLayout)}
		if !k.RevokedAt.IsZero() {
			rows[i].Revoked = k.RevokedAt.In(loc).Format(app.DateTimeLayout)
		}
	}
	data["Title"], data["Keys"], data["Section"] = "Ключи Open311", rows, "apikeys"
	if _, ok := data["Rate"]; !ok {
		data["Rate"] = strconv.Itoa(app.DefaultAPIKeyRate)
	}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "admin_apikeys", data)
}

func (s *Server) adminAPIKeyCreate(c *fiber.Ctx) error {
	name, rateS := strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("rate_limit"))
	data := fiber.Map{"Name": name, "Rate": rateS}
	rate, err := strconv.Atoi(rateS)
	if err != nil {
		return s.showAPIKeys(c, data, &app.Error{Code: app.EINVALID, Message: "Лимит — целое число заявок в минуту.", Fields: map[string]string{"rate_limit": "Целое число от 0 (0 — без ограничения)."}})
	}
	key, err := s.Store.AddAPIKey(c.UserContext(), name, rate)
	if err != nil {
		return s.showAPIKeys(c, data, err)
	}
	// The key is shown on this page only, never in a redirect's URL or a log.
	c.Set("Cache-Control", "no-store")
	return s.showAPIKeys(c, fiber.Map{"NewKey": key, "NewName": name}, nil)
}

func (s *Server) adminAPIKeyRevoke(c *fiber.Ctx) error {
	if err := s.Store.RevokeAPIKey(c.UserContext(), c.FormValue("name")); err != nil {
		return s.showAPIKeys(c, fiber.Map{}, err)
	}
	return c.Redirect("/admin/apikeys", fiber.StatusSeeOther)
}

// pagePublicText publishes (or, emptied, withdraws) the text everyone may read
// of a ticket: the only description Open311 shows.
func (s *Server) pagePublicText(c *fiber.Ctx) error {
	number := c.Params("number")
	if err := s.Store.PublishText(c.UserContext(), number, c.FormValue("public_text")); err != nil {
		if code := app.ErrorCode(err); code != app.EINVALID {
			return err
		}
		return s.showTicket(c, "ticket", err, actForm{})
	}
	return c.Redirect("/work/tickets/"+number, fiber.StatusSeeOther)
}
