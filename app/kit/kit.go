// Package kit is what both servers of this binary are built from — the municipal
// centre (app/web) and the republic registry (app/registry) — so that they cannot
// drift apart: the middleware (recover, request log, security headers), the error
// handler, the JSON writer and the strict JSON decoder. The database half is
// app/kit/sqlkit.
package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/httperr"
	"github.com/gofiber/fiber/v2"
)

// NewApp is a server's Fiber app: cfg as the server gives it (views, layout, body
// limit, read timeout, name), the kit's error handler with the server's own error
// page, the common read buffer (a longer request line or header block is 431, not
// 500), write and idle timeouts, and the kit's middleware — recover, request log
// (with the server's RequestLog options), security headers with the server's CSP —
// in front of every route.
func NewApp(cfg fiber.Config, log *slog.Logger, csp string, page func(c *fiber.Ctx, status int, err error) error, rl RequestLog) *fiber.App {
	cfg.ErrorHandler = ErrorHandler(log, page)
	cfg.DisableStartupMessage = true
	if cfg.ReadBufferSize == 0 {
		cfg.ReadBufferSize = httperr.ReadBufferSize
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 120 * time.Second
	}
	a := fiber.New(cfg)
	a.Use(Recover(log), LogRequests(log, rl), SecurityHeaders(csp))
	return a
}

// RequestLog are a server's options of the request log: Count, when not nil,
// counts the requests logged (a job that waits for a quiet moment watches it);
// Redact, when not nil, rewrites a path for the log (a secret in a link's path
// must not reach it); ClientIP, when not nil, names the client (through the
// reverse proxies the administrator trusts).
type RequestLog struct {
	Count    *atomic.Int64
	Redact   func(string) string
	ClientIP func(*fiber.Ctx) string
}

// Healthz answers GET /healthz: 200 {"status":"ok"} while ping (the database)
// answers, 503 {"status":"unavailable"} when it does not.
func Healthz(ping func(ctx context.Context) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := ping(c.UserContext()); err != nil {
			return WriteJSON(c, fiber.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		}
		return WriteJSON(c, fiber.StatusOK, map[string]string{"status": "ok"})
	}
}

// NotFound ends the routes: what no route took is a 404.
func NotFound(*fiber.Ctx) error {
	return app.Errorf(app.ENOTFOUND, "Страница не найдена.")
}

// Recover turns a handler's panic into an internal error, logged with the path.
func Recover(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic", "path", c.Path(), "panic", r)
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return c.Next()
	}
}

// LogRequests logs every request but the health check: method, path, status,
// duration and address.
// The options rl say what else it does (RequestLog).
func LogRequests(log *slog.Logger, rl RequestLog) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if c.Path() == "/healthz" {
			return err
		}
		if rl.Count != nil {
			rl.Count.Add(1)
		}
		status := c.Response().StatusCode()
		if err != nil {
			if e := (*fiber.Error)(nil); errors.As(err, &e) {
				status = e.Code
			} else {
				status = httperr.Status(app.ErrorCode(err))
			}
		}
		path, ip := c.Path(), c.IP()
		if rl.Redact != nil {
			path = rl.Redact(path)
		}
		if rl.ClientIP != nil {
			ip = rl.ClientIP(c)
		}
		log.Info("request", "method", c.Method(), "path", path, "status", status, "ms", time.Since(start).Milliseconds(), "ip", ip)
		return err
	}
}

// SecurityHeaders sets the headers every answer carries, with the server's own
// Content-Security-Policy, and HSTS when the request came over TLS.
func SecurityHeaders(csp string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Referrer-Policy", "same-origin")
		c.Set("Content-Security-Policy", csp)
		if c.Protocol() == "https" {
			c.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return c.Next()
	}
}

// ErrorHandler is the one place where a server's errors become responses: JSON
// {"error": {code, message, fields}} under /api/, the server's own page elsewhere.
// Only internal errors are logged.
func ErrorHandler(log *slog.Logger, page func(c *fiber.Ctx, status int, err error) error) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status := httperr.StatusOf(err) // before FromFiber: 414 and 431 keep their status
		err = httperr.FromFiber(err)
		code := app.ErrorCode(err)
		if code == app.EINTERNAL {
			log.Error("internal error", "method", c.Method(), "path", c.Path(), "err", err)
		}
		if strings.HasPrefix(c.Path(), "/api/") {
			body := map[string]any{"code": code, "message": app.ErrorMessage(err)}
			if f := app.ErrorFields(err); len(f) > 0 {
				body["fields"] = f
			}
			return WriteJSON(c, status, map[string]any{"error": body})
		}
		return page(c, status, err)
	}
}

// WriteJSON answers v as JSON with status.
func WriteJSON(c *fiber.Ctx, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/json; charset=utf-8")
	return c.Send(b)
}

// Bearer returns the token of an Authorization: Bearer header.
func Bearer(c *fiber.Ctx) string {
	t, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	return strings.TrimSpace(t)
}
