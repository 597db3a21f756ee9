// Package web is ecoz's HTTP side: the JSON API under /api/v1/ and the server-rendered
// screens, on Fiber, with one error handler that maps app errors to statuses.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/httperr"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/template/html/v2"
)

// Config wires a server.
type Config struct {
	Store   *store.Store
	Views   fs.FS // assets/views
	Static  fs.FS // assets/static
	Log     *slog.Logger
	Version string
	// BodyLimit caps request bodies (photos included).
	BodyLimit int
	// Hooks lets the jobs (rating, registry export) add their routes.
	Hooks []func(*Server)
	// DataDir is the data folder; photos go to DataDir/uploads. Default: the
	// database's folder.
	DataDir string
	// MinFillTime is how long a person takes at least to fill in the registration
	// form; faster is a bot. Default 3 s; negative turns the check off (tests).
	MinFillTime time.Duration
	// Importer loads buildings and organisations for the admin's import screen
	// (nil: app/importer, as the command line does).
	Importer Importer
	// Rating computes and reads the rating and the reports; nil: one over Store.
	Rating *rating.Service
}

// Server is the web side of one municipal centre.
type Server struct {
	App   *fiber.App
	Store *store.Store
	Log   *slog.Logger
	cfg   Config
	// Rating is the rating service; main starts its nightly run.
	Rating *rating.Service

	throttle *throttle
	inflight sync.WaitGroup
	portal   *portal // the residents' portal: its throttles, form secret, cached figures
	importer Importer
	imports  importJobs
	// ExportJob is the registry push job, set by main before serving (nil: not running).
	ExportJob *export.Job
	limiter   *createLimiter // tickets created per user
}

// DefaultBodyLimit fits three 5 MB photos and a form.
const DefaultBodyLimit = 16 << 20

// New builds the Fiber app with every route. Views are parsed here, so that a broken
// template fails at start-up and not on first use.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	engine := html.NewFileSystem(http.FS(cfg.Views), ".html")
	engine.AddFuncMap(funcMap())
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("шаблоны страниц не загрузились: %w", err)
	}
	s := &Server{Store: cfg.Store, Log: cfg.Log, cfg: cfg, throttle: newThrottle(5, 15*time.Minute), Rating: cfg.Rating}
	if s.Rating == nil {
		s.Rating = rating.New(cfg.Store, cfg.Log)
	}
	s.portal = newPortal(&s.cfg)
	s.limiter = newCreateLimiter(DefaultStaffCreateLimit, DefaultResidentCreateLimit)
	s.importer = cfg.Importer
	if s.importer == nil {
		s.importer = catalogImporter{s.Store}
	}
	s.App = fiber.New(fiber.Config{
		Views:                 engine,
		ViewsLayout:           "layouts/main",
		ErrorHandler:          s.handleError,
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		AppName:               "ecoz",
	})
	s.App.Use(s.recover, s.logRequests, securityHeaders)
	s.App.Use("/static", func(c *fiber.Ctx) error {
		c.Set("Cache-Control", "public, max-age=86400")
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: http.FS(cfg.Static), Browse: false}))
	s.routes()
	for _, h := range cfg.Hooks {
		h(s)
	}
	s.App.Use(func(c *fiber.Ctx) error {
		return app.Errorf(app.ENOTFOUND, "Страница не найдена.")
	})
	return s, nil
}

// Shutdown stops accepting connections and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.App.ShutdownWithContext(ctx)
}

func (s *Server) recover(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic", "path", c.Path(), "panic", r)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if e := (*fiber.Error)(nil); errors.As(err, &e) {
			status = e.Code
		} else {
			status = httpStatus(app.ErrorCode(err))
		}
	}
	if c.Path() != "/healthz" {
		s.Log.Info("request", "method", c.Method(), "path", c.Path(), "status", status, "ms", time.Since(start).Milliseconds(), "ip", c.IP())
	}
	return err
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	if c.Protocol() == "https" {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return c.Next()
}

// httpStatus is the one mapping of app error codes to statuses.
var httpStatus = httperr.Status

// handleError is the one place where errors become responses: JSON under /api/,
// an HTML page elsewhere. Only internal errors are logged.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	err = httperr.FromFiber(err)
	code := app.ErrorCode(err)
	status := httpStatus(code)
	if code == app.EINTERNAL {
		s.Log.Error("internal error", "method", c.Method(), "path", c.Path(), "err", err)
	}
	msg := app.ErrorMessage(err)
	if strings.HasPrefix(c.Path(), "/api/") {
		body := map[string]any{"code": code, "message": msg}
		if f := app.ErrorFields(err); len(f) > 0 {
			body["fields"] = f
		}
		return writeJSON(c, status, map[string]any{"error": body})
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next=" + c.OriginalURL())
	}
	c.Status(status)
	return s.render(c, "error", fiber.Map{"Title": errorTitle(status), "Status": status, "Message": msg})
}

func errorTitle(status int) string {
	switch status {
	case 404:
		return "Не найдено"
	case 403:
		return "Нет доступа"
	case 400:
		return "Ошибка в запросе"
	case 409:
		return "Действие невозможно"
	case 413:
		return "Слишком большой запрос"
	case 429:
		return "Слишком много попыток"
	}
	return "Ошибка"
}

func funcMap() template.FuncMap {
	return template.FuncMap{
		"phone":    app.FormatPhone,
		"hours":    app.HumanHours,
		"lower":    strings.ToLower,
		"join":     strings.Join,
		"add":      func(a, b int) int { return a + b },
		"safeAttr": func(s string) template.HTMLAttr { return template.HTMLAttr(s) },
	}
}
