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

// StatusOf is the status to answer err with: Status of its code, except that a
// request line or headers too long for the read buffer keep their own status
// (414, 431), which clients and proxies know, rather than 413.
func StatusOf(err error) int {
	var fe *fiber.Error
	if errors.As(err, &fe) && (fe.Code == fiber.StatusRequestHeaderFieldsTooLarge || fe.Code == fiber.StatusRequestURITooLong) {
		return fe.Code
	}
	return Status(app.ErrorCode(FromFiber(err)))
}

// ReadBufferSize is both servers' limit on a request line plus its headers
// (fasthttp's read buffer): nginx's default, twice Fiber's, so that a long
// filtered list's address fits, while anything longer is 431.
const ReadBufferSize = 8 << 10

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
	case fiber.StatusForbidden:
		// Fiber's own 403 is the static handler refusing to list a folder: for
		// the visitor there is simply nothing there.
		return app.Errorf(app.ENOTFOUND, "Страница не найдена.")
	case fiber.StatusRequestHeaderFieldsTooLarge, fiber.StatusRequestURITooLong:
		return app.Errorf(app.ETOOLARGE, "Слишком длинный адрес или заголовки запроса.")
	case fiber.StatusRequestTimeout:
		return app.Errorf(app.EINVALID, "Запрос не пришёл целиком вовремя.")
	}
	return &app.Error{Code: app.EINTERNAL, Message: app.ErrorMessage(nil)}
}
