package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ecoz/ecoz/app"
)

// Strict decodes one JSON value from body into v: unknown fields, wrong types and
// trailing data are EINVALID, with the field named where there is one.
func Strict(body []byte, v any) error {
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
		// The first letter lowered as a rune: a byte slice of Cyrillic broke the UTF-8.
		return &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("Поле «%s»: неверный тип значения: ожидается %s.", field, typeName(te.Type.Kind().String())), Fields: map[string]string{field: msg}}
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
