package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"regexp"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// SmallBodyLimit is what any request body may be: forms and JSON objects are a
// few kilobytes. bodyGuard reads a body up to this size before any handler runs
// (fasthttp itself, with StreamRequestBody, reads only the first 8 KB); a
// larger one is left unread on the connection until bodyGuard has decided
// whether it may be read at all.
const SmallBodyLimit = 64 << 10

// An upload route takes a body of up to Config.BodyLimit, and only from a
// signed-in user of the roles it serves, whose CSRF token comes first in the
// multipart form (the forms put it first; browsers send fields in order).
type uploadRoute struct {
	path  *regexp.Regexp
	roles []app.Role
}

var uploadRoutes = []uploadRoute{
	{regexp.MustCompile(`^/work/tickets/[^/]+/photos$`), []app.Role{app.RoleOrg, app.RoleOperator}},
	{regexp.MustCompile(`^/my/new$`), []app.Role{app.RoleResident}},
	{regexp.MustCompile(`^/admin/import$`), []app.Role{app.RoleAdmin}},
}

// bodyGuard lets small bodies through as read; a larger (or chunked) one only to
// an upload route, only after the session, the role and the CSRF token passed,
// and only up to the upload limit. Anything else is answered at once, without
// reading the body, and the connection closed: an anonymous 15 MB post costs the
// server a 64 KB buffer, not 15 MB.
func (s *Server) bodyGuard(c *fiber.Ctx) error {
	n := c.Request().Header.ContentLength()
	if n >= 0 && n <= SmallBodyLimit || n == -2 { // -2: no body
		// Read it whole now: an answer given before a handler read the rest
		// (a refused session, the rate limit) would leave it on the keep-alive
		// connection, to be read as the next request's headers.
		c.Request().Body()
		return c.Next()
	}
	c.Context().SetConnectionClose()
	var route *uploadRoute
	for i := range uploadRoutes {
		if c.Method() == fiber.MethodPost && uploadRoutes[i].path.MatchString(c.Path()) {
			route = &uploadRoutes[i]
		}
	}
	if route == nil {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d КБ.", SmallBodyLimit>>10)
	}
	sess, err := s.Store.SessionUser(c.UserContext(), c.Cookies(sessionCookie), "web")
	if err != nil {
		return app.Errorf(app.EUNAUTHORIZED, "Войдите в систему, чтобы приложить файлы.")
	}
	allowed := false
	for _, r := range route.roles {
		allowed = allowed || sess.User.Role == r
	}
	if !allowed {
		return app.Errorf(app.EFORBIDDEN, "Раздел недоступен для роли «%s».", sess.User.Role.Title())
	}
	if n > s.cfg.BodyLimit {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d МБ.", s.cfg.BodyLimit>>20)
	}
	boundary := string(c.Request().Header.MultipartFormBoundary())
	if boundary == "" {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d КБ.", SmallBodyLimit>>10)
	}
	// The first part is read through a copy of what is read, so that the whole
	// body can be handed on to the handler once it is allowed.
	var body bytes.Buffer
	stream := io.LimitReader(c.Request().BodyStream(), int64(s.cfg.BodyLimit)+1)
	mr := multipart.NewReader(io.TeeReader(stream, &body), boundary)
	bad := app.Errorf(app.EFORBIDDEN, "Форма устарела или отправлена не с этой страницы (нет CSRF-токена). Обновите страницу и повторите.")
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "csrf" {
		return bad
	}
	sent, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil || !sess.CheckCSRF(strings.TrimSpace(string(sent))) {
		return bad
	}
	if _, err := io.Copy(&body, stream); err != nil {
		return app.Errorf(app.EINVALID, "Файл не дошёл целиком; попробуйте ещё раз.")
	}
	if body.Len() > s.cfg.BodyLimit {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d МБ.", s.cfg.BodyLimit>>20)
	}
	c.Request().SetBodyRaw(body.Bytes())
	c.Request().Header.SetContentLength(body.Len())
	return c.Next()
}
