package web

import (
	"bytes"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/gofiber/fiber/v2"
)

// writeJSON answers v as JSON (the kit's, shared with the registry).
var writeJSON = kit.WriteJSON

// decodeJSON reads a request body strictly into v: unknown fields, wrong types,
// trailing data and a non-JSON content type are EINVALID with the field named.
// An empty body is allowed when optional.
func decodeJSON(c *fiber.Ctx, v any, optional bool) error {
	return DecodeStrict(c.Get(fiber.HeaderContentType), c.Body(), v, optional)
}

// MaxJSONBody caps a JSON request: the server's body limit is sized for photos, far
// more than any API object needs.
const MaxJSONBody = 256 << 10

// DecodeStrict is decodeJSON without Fiber, for the fuzz target.
func DecodeStrict(contentType string, body []byte, v any, optional bool) error {
	if len(body) > MaxJSONBody {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d КБ.", MaxJSONBody>>10)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return app.Errorf(app.EINVALID, "Пустой запрос: ожидается JSON.")
	}
	// The content type is not insisted on: clients such as curl -d send JSON as a
	// form, and the strict decoding below is what keeps bad input out.
	_ = contentType
	return kit.Strict(body, v)
}
