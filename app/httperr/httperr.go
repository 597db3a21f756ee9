// Package httperr maps app errors to HTTP statuses, and Fiber's own errors to app
// errors, once for both servers this binary runs: the municipal centre and the
// republic registry.
package httperr

import (
	"errors"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// Status is the HTTP status of an app error code.
func Status(code string) int {
	switch code {
	case app.EINVALID:
		return fiber.StatusBadRequest
	case app.EUNAUTHORIZED:
		return fiber.StatusUnauthorized
	case app.EFORBIDDEN:
		return fiber.StatusForbidden
	case app.ENOTFOUND:
		return fiber.StatusNotFound
	case app.ECONFLICT:
		return fiber.StatusConflict
	case app.ETOOLARGE:
		return fiber.StatusRequestEntityTooLarge
	case app.ERATELIMITED:
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusInternalServerError
}

// FromFiber turns Fiber's own errors (no route, body too large, bad method) into
// app errors with Russian messages; other errors pass through.
func FromFiber(err error) error {
	var fe *fiber.Error
	if !errors.As(err, &fe) {
		return err
	}
	switch fe.Code {
	case fiber.StatusNotFound:
		return app.Errorf(app.ENOTFOUND, "Страница не найдена.")
	case fiber.StatusRequestEntityTooLarge:
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос.")
	case fiber.StatusMethodNotAllowed:
		return app.Errorf(app.ENOTFOUND, "Такого действия нет.")
	case fiber.StatusBadRequest:
		return app.Errorf(app.EINVALID, "Неверный запрос.")
	case fiber.StatusTooManyRequests:
		return app.Errorf(app.ERATELIMITED, "Слишком много запросов; подождите немного.")
	}
	return &app.Error{Code: app.EINTERNAL, Message: app.ErrorMessage(nil)}
}
