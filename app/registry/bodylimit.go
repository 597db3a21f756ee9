package registry

import (
	"bytes"
	"io"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// smallBody is what any request body but a batch may be: the sign-in and the
// registry's own forms are a few hundred bytes.
const smallBody = 64 << 10

// bodyGuard lets a body over smallBody through only to the batch endpoint and
// only with a live municipality token, read up to Config.BodyLimit; anything
// else is answered before its body is read, and the connection closed, so that
// an anonymous flood of large posts costs the registry a buffer each, not the
// posts' size.
func (s *Server) bodyGuard(c *fiber.Ctx) error {
	n := c.Request().Header.ContentLength()
	if n >= 0 && n <= smallBody || n == -2 {
		// Read it whole now: with StreamRequestBody, fasthttp reads only the
		// first 8 KB before the handlers, and an answer given before a handler
		// reads the rest (a refused token, the rate limit, a database error) left
		// the rest on the connection, read as the next request's headers — a 431
		// for whatever the centre sent next on it.
		c.Request().Body()
		return c.Next()
	}
	c.Context().SetConnectionClose()
	if c.Method() != fiber.MethodPost || c.Path() != "/api/registry/v1/batches" {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d КБ.", smallBody>>10)
	}
	if _, err := s.db.Authenticate(c.UserContext(), bearer(c)); err != nil {
		return err
	}
	if n > s.cfg.BodyLimit {
		return app.Errorf(app.ETOOLARGE, "Пакет больше %d МБ; отправляйте не больше %d записей за раз.", s.cfg.BodyLimit>>20, app.MaxBatch)
	}
	var body bytes.Buffer
	if _, err := io.Copy(&body, io.LimitReader(c.Request().BodyStream(), int64(s.cfg.BodyLimit)+1)); err != nil {
		return app.Errorf(app.EINVALID, "Пакет не дошёл целиком; повторите.")
	}
	if body.Len() > s.cfg.BodyLimit {
		return app.Errorf(app.ETOOLARGE, "Пакет больше %d МБ; отправляйте не больше %d записей за раз.", s.cfg.BodyLimit>>20, app.MaxBatch)
	}
	c.Request().SetBodyRaw(body.Bytes())
	c.Request().Header.SetContentLength(body.Len())
	return c.Next()
}
