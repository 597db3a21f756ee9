// Package web is ecoz's HTTP side: the JSON API under /api/v1/ and the server-rendered
// screens, on Fiber, with one error handler that maps app errors to statuses.
package web

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/httperr"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/notify"
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
	I18n    fs.FS // assets/i18n: the UI's dictionaries, one file a locale
	Log     *slog.Logger
	Version string
	// BodyLimit caps the body of an upload (photos, an import file); any other
	// request's body is capped at SmallBodyLimit (bodyGuard).
	BodyLimit int
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
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client (for sign-in throttling); none: the peer's address counts.
	TrustedProxies kit.Proxies
}

// Server is the web side of one municipal centre.
type Server struct {
	App   *fiber.App
	Store *store.Store
	Log   *slog.Logger
	cfg   Config
	// Rating is the rating service; main starts its nightly run.
	Rating *rating.Service

	signIn   *kit.SignInGuard
	inflight sync.WaitGroup // the background imports
	bg       context.Context
	stopBg   context.CancelFunc
	portal   *portal   // the residents' portal: its throttles, form secret, cached figures
	pages    pageCache // the public pages as anonymous visitors get them
	requests atomic.Int64
	idle     idleGC // the collector's setting while idle (memory.go)
	importer Importer
	imports  importJobs
	// o311Limit holds each Open311 API key to its rate limit.
	o311Limit keyLimiter
	// ExportJob is the registry push job, set by main before serving (nil: not running).
	ExportJob *export.Job
	// NotifyJob sends the outbox, set by main before serving (nil: not running).
	NotifyJob *notify.Job
	alerts    *alertHub       // live alerts to the staff's open pages (alerts.go)
	limiter   *createLimiter  // tickets created per user
	turns     *kit.Turns      // the staff's and residents' reads, in order of arrival (routes.go)
	langs     map[string]Lang // the UI's dictionaries by locale (i18n.go)
}

// hashers is how many password hashes run at once: half the cores, so that a
// flood of sign-ins leaves the other half to the pages.
func hashers() int { return max(1, runtime.NumCPU()/2) }

// readTurnWait is how long a read waits for its turn (kit.Turns) before the
// server answers that it is busy: far beyond any page's time under load.
const readTurnWait = 20 * time.Second

// DefaultBodyLimit fits three 5 MB photos and a form.
const DefaultBodyLimit = 16 << 20

// New builds the Fiber app with every route. Views and the UI's dictionaries are
// parsed here, so that a broken template or translation fails at start-up and not
// on first use.
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
	langs, err := loadLangs(cfg.I18n)
	if err != nil {
		return nil, err
	}
	s := &Server{Store: cfg.Store, Log: cfg.Log, cfg: cfg, signIn: kit.NewSignInGuard(hashers(), 32), Rating: cfg.Rating, alerts: newAlertHub(), langs: langs}
	if s.Rating == nil {
		s.Rating = rating.New(cfg.Store, cfg.Log)
	}
	s.bg, s.stopBg = context.WithCancel(context.Background())
	s.portal = newPortal(&s.cfg)
	s.limiter = newCreateLimiter(DefaultStaffCreateLimit, DefaultResidentCreateLimit)
	s.turns = kit.NewTurns(cfg.Store.Readers(), readTurnWait)
	s.importer = cfg.Importer
	if s.importer == nil {
		s.importer = catalogImporter{s.Store}
	}
	s.App = kit.NewApp(fiber.Config{Views: engine, ViewsLayout: "layouts/main", ReadTimeout: 30 * time.Second, AppName: "ecoz",
		BodyLimit:         SmallBodyLimit,
		StreamRequestBody: true, // a larger body waits on the connection for bodyGuard
		// fasthttp would otherwise parse a multipart body before any handler,
		// keeping files of up to 16 MB in memory.
		DisablePreParseMultipartForm: true,
	}, cfg.Log, csp, s.errorPage, kit.RequestLog{Count: &s.requests, Redact: logPath, ClientIP: s.clientIP})
	s.App.Use(s.awake, s.mapCSP, s.bodyGuard)
	s.App.Use("/static", func(c *fiber.Ctx) error {
		c.Set("Cache-Control", "public, max-age=86400")
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: http.FS(cfg.Static), Browse: false}))
	s.routes()
	s.App.Use(kit.NotFound)
	return s, nil
}

// Requests counts the requests served since the start (health checks aside): the
// nightly backup waits for a moment when it stands still.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Shutdown stops accepting connections (open alert streams end, or they would
// hold it up) and waits for requests in flight and for the administrator's
// imports running in the background: the store must not close under them. An
// import still running when ctx ends is cancelled (it imports nothing: one
// transaction), and waited for.
func (s *Server) Shutdown(ctx context.Context) error {
	s.alerts.close()
	err := s.App.ShutdownWithContext(ctx)
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.Log.Warn("shutdown: cancelling the import still running")
		s.stopBg()
		<-done
	}
	s.stopBg()
	if err == nil {
		s.signIn.Close()
	}
	return err
}

// csp is the centre's Content-Security-Policy (photos are shown from data: URLs).
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"

// httpStatus is the one mapping of app error codes to statuses.
var httpStatus = httperr.Status

// errorPage answers an error outside /api/ (the kit's error handler answers JSON
// there): a GET that needs a sign-in goes to the sign-in page, the rest get the
// error page.
func (s *Server) errorPage(c *fiber.Ctx, status int, err error) error {
	if strings.HasPrefix(c.Path(), "/open311/") {
		return s.open311Error(c, status, err)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next=" + c.OriginalURL())
	}
	c.Status(status)
	return s.render(c, "error", fiber.Map{"Title": errorTitle(status), "Status": status, "Message": app.ErrorMessage(err)})
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
		"phone":          app.FormatPhone,
		"ticketRows":     ticketRows,
		"emergencyItems": emergencyItems,
		"hours":          app.HumanHours,
		"handoffMessage": app.HandoffMessage,
		"lower":          strings.ToLower,
		"join":           strings.Join,
		"add":            func(a, b int) int { return a + b },
		"safeAttr":       func(s string) template.HTMLAttr { return template.HTMLAttr(s) },
		// dict builds a map for a partial that needs more than one value.
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				if k, ok := kv[i].(string); ok {
					m[k] = kv[i+1]
				}
			}
			return m
		},
	}
}
