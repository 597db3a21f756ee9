package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

func writeJSON(c *fiber.Ctx, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/json; charset=utf-8")
	return c.Send(b)
}

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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return app.Errorf(app.EINVALID, "После JSON-объекта есть лишние данные.")
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return app.Errorf(app.EINVALID, "Ожидается JSON-объект.")
		}
		msg := fmt.Sprintf("Неверный тип значения: ожидается %s.", typeName(te.Type.Kind().String()))
		return &app.Error{Code: app.EINVALID, Message: "Поле «" + field + "»: неверный тип значения: ожидается " + typeName(te.Type.Kind().String()) + ".", Fields: map[string]string{field: msg}}
	case errors.As(err, &se):
		return app.Errorf(app.EINVALID, "Неверный JSON (позиция %d).", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return app.Errorf(app.EINVALID, "JSON обрывается.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &app.Error{Code: app.EINVALID, Message: "Неизвестное поле «" + f + "».", Fields: map[string]string{f: "Неизвестное поле."}}
	}
	return app.Errorf(app.EINVALID, "Неверный JSON.")
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "строка"
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "число"
	case "bool":
		return "true или false"
	case "slice":
		return "массив"
	case "struct", "map":
		return "объект"
	}
	return kind
}
