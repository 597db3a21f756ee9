package kit

import "github.com/gofiber/fiber/v2"

// BodyValue is a field of a posted form's body (URL-encoded or multipart), never
// of the query string: a CSRF token must not travel in an address, where logs,
// the Referer header and the browser's history keep it. Fiber's FormValue
// would take it from the query string too.
func BodyValue(c *fiber.Ctx, key string) string {
	if v := c.Request().PostArgs().Peek(key); len(v) > 0 {
		return string(v)
	}
	if f, err := c.MultipartForm(); err == nil {
		if v := f.Value[key]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// CSRFToken is the CSRF token a request carries: in the form's body, or in the
// X-CSRF-Token header (scripts).
func CSRFToken(c *fiber.Ctx) string {
	if v := BodyValue(c, "csrf"); v != "" {
		return v
	}
	return c.Get("X-CSRF-Token")
}
