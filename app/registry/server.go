// Package registry is the republic registry's HTTP side: the ingest endpoint, its
// API and its web pages, over the data of app/registry/regstore. It is the same
// binary as a centre, run as `ecoz registry serve`, with its own database.
package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/template/html/v2"
)

// Config wires a registry server.
type Config struct {
	DB      *regstore.DB
	Views   fs.FS // assets/registry: its pages, apart from the centre's (other template functions)
	Static  fs.FS // assets/static
	Log     *slog.Logger
	Version string
	// StaleAfter: a municipality that has not pushed for longer is flagged (default 1 h).
	StaleAfter time.Duration
	// Rate and Burst limit requests per municipality token (default 20/s, burst 40).
	Rate  float64
	Burst int
	// BodyLimit caps a batch as sent (any other body: 64 KB), MaxUnzipped a gzip body once unpacked
	// (defaults 16 MB and 64 MB; a batch of 1,000 records is about 1.5 MB).
	BodyLimit   int
	MaxUnzipped int64
	// Location shows times (default Europe/Moscow).
	Location *time.Location
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client (--trusted-proxy); none: the peer's address counts.
	TrustedProxies kit.Proxies
	// RatingEvery: the republic rating is computed at most this often and shown
	// with the time it was computed (0: at every view). On a country's registry
	// it reads a month of tickets — about a second per ten million held.
	RatingEvery time.Duration
}

// Server is the registry's HTTP side.
type Server struct {
	App     *fiber.App
	db      *regstore.DB
	cfg     Config
	limiter *kit.Limiter
	signIn  *kit.SignInGuard

	ratingMu sync.Mutex
	rating   *regstore.Rating
	ratedAt  time.Time
}

// New builds the registry's Fiber app.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = time.Hour
	}
	if cfg.Rate <= 0 {
		cfg.Rate, cfg.Burst = 20, 40
	}
	if cfg.Burst <= 0 {
		cfg.Burst = int(cfg.Rate * 2)
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 16 << 20
	}
	if cfg.MaxUnzipped <= 0 {
		cfg.MaxUnzipped = 64 << 20
	}
	if cfg.Location == nil {
		cfg.Location, _ = time.LoadLocation("Europe/Moscow")
		if cfg.Location == nil {
			cfg.Location = time.UTC
		}
	}
	engine := html.NewFileSystem(http.FS(cfg.Views), ".html")
	engine.AddFuncMap(template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "никогда"
			}
			return t.In(cfg.Location).Format(app.DateTimeLayout)
		},
		// at shows a record's RFC 3339 time (string or *string) in the registry's zone.
		"at": func(v any) string {
			var s string
			switch x := v.(type) {
			case string:
				s = x
			case *string:
				if x != nil {
					s = *x
				}
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return "—"
			}
			return t.In(cfg.Location).Format(app.DateTimeLayout)
		},
		"pct": func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
		"score": func(f float64) string {
			return strings.Replace(fmt.Sprintf("%.1f", f), ".", ",", 1)
		},
	})
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("шаблоны страниц реестра не загрузились: %w", err)
	}
	s := &Server{db: cfg.DB, cfg: cfg, limiter: kit.NewLimiter(cfg.Rate, cfg.Burst), signIn: kit.NewSignInGuard(max(1, runtime.NumCPU()/2), 32)}
	s.App = kit.NewApp(fiber.Config{Views: engine, ViewsLayout: "layout", ReadTimeout: 60 * time.Second, AppName: "ecoz registry",
		BodyLimit:                    smallBody,
		StreamRequestBody:            true, // a larger body waits on the connection for bodyGuard
		DisablePreParseMultipartForm: true,
	}, cfg.Log, csp, s.errorPage, kit.RequestLog{ClientIP: cfg.TrustedProxies.ClientIP})
	s.App.Use(s.bodyGuard)
	s.App.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(cfg.Static)}))
	s.routes()
	s.App.Use(kit.NotFound)
	return s, nil
}

// routes lists every route of the registry in one place.
func (s *Server) routes() {
	a := s.App
	a.Get("/healthz", kit.Healthz(s.db.Ping))
	api := a.Group("/api/registry/v1")
	api.Post("/batches", s.apiBatch)
	api.Get("/municipalities", s.apiReader, s.apiMunicipalities)
	api.Get("/tickets/:municipality/:number", s.apiReader, s.apiTicket)

	web := a.Group("", s.webSession)
	web.Get("/login", s.pageLogin)
	web.Post("/login", s.pageLoginPost)
	staff := web.Group("", s.requireUser)
	staff.Post("/logout", s.pageLogout)
	staff.Get("/", s.pageOverview)
	staff.Get("/search", s.pageSearch)
	staff.Get("/rating", s.pageRating)
	staff.Post("/municipalities", s.pageMunicipalityAdd)
	staff.Get("/m/:code", s.pageMunicipality)
	staff.Post("/m/:code/revoke", s.pageRevoke)
	staff.Post("/m/:code/reissue", s.pageReissue)
	staff.Get("/m/:code/:number", s.pageTicket)
}

// Shutdown finishes the requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.App.ShutdownWithContext(ctx)
	if err == nil {
		s.signIn.Close()
	}
	return err
}

// csp is the registry's Content-Security-Policy.
const csp = "default-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"

// errorPage answers an error outside /api/ (the kit's error handler answers JSON
// there).
func (s *Server) errorPage(c *fiber.Ctx, status int, err error) error {
	if status == 401 && c.Method() == fiber.MethodGet {
		return c.Redirect("/login")
	}
	c.Status(status)
	return s.render(c, "error", fiber.Map{"Title": "Ошибка", "Status": status, "Message": app.ErrorMessage(err)})
}

// bearer returns the token of an Authorization: Bearer header.
var bearer = kit.Bearer

// apiBatch takes one push: rate-limited per token, then authenticated, unpacked
// within limits, validated whole and applied whole.
func (s *Server) apiBatch(c *fiber.Ctx) error {
	token := bearer(c)
	if token == "" {
		return app.Errorf(app.EUNAUTHORIZED, "Нужен токен муниципалитета: заголовок Authorization: Bearer <токен>.")
	}
	if wait := s.limiter.Take(regstore.HashToken(token), time.Now()); wait > 0 {
		c.Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
		return app.Errorf(app.ERATELIMITED, "Слишком много пакетов с этим токеном; повторите через %d с.", int(wait/time.Second)+1)
	}
	code, err := s.db.Authenticate(c.UserContext(), token)
	if err != nil {
		return err
	}
	body, err := s.unpack(c)
	if err != nil {
		return err
	}
	res, err := s.db.Ingest(c.UserContext(), code, body)
	if err != nil {
		if app.ErrorCode(err) != app.EINTERNAL {
			s.cfg.Log.Warn("batch refused", "municipality", code, "err", app.ErrorMessage(err))
		}
		return err
	}
	return c.JSON(res)
}

// unpack returns the request body, gunzipped when sent so, refusing a body that
// unpacks beyond MaxUnzipped (a "zip bomb").
func (s *Server) unpack(c *fiber.Ctx) ([]byte, error) {
	raw := c.BodyRaw()
	switch enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding))); enc {
	case "", "identity":
		return raw, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "Тело запроса не распаковывается как gzip: %v.", err)
		}
		b, err := io.ReadAll(io.LimitReader(zr, s.cfg.MaxUnzipped+1))
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "Тело запроса не распаковывается как gzip: %v.", err)
		}
		if int64(len(b)) > s.cfg.MaxUnzipped {
			return nil, app.Errorf(app.ETOOLARGE, "Распакованный пакет больше %d МБ; отправляйте не больше %d записей за раз.", s.cfg.MaxUnzipped>>20, app.MaxBatch)
		}
		return b, nil
	default:
		return nil, app.Errorf(app.EINVALID, "Сжатие «%s» не поддерживается; используйте gzip.", enc)
	}
}

// apiReader lets through a live municipality token or a signed-in registry user.
func (s *Server) apiReader(c *fiber.Ctx) error {
	if t := bearer(c); t != "" {
		if wait := s.limiter.Take(regstore.HashToken(t), time.Now()); wait > 0 {
			return app.Errorf(app.ERATELIMITED, "Слишком много запросов с этим токеном; подождите.")
		}
		if _, err := s.db.Authenticate(c.UserContext(), t); err != nil {
			return err
		}
		return c.Next()
	}
	if tok := c.Cookies(sessionCookie); tok != "" {
		if _, err := s.db.SessionFor(c.UserContext(), tok); err == nil {
			return c.Next()
		}
	}
	return app.Errorf(app.EUNAUTHORIZED, "Нужен токен муниципалитета или вход пользователя реестра.")
}

func (s *Server) apiMunicipalities(c *fiber.Ctx) error {
	gs, err := s.db.Glances(c.UserContext(), s.db.Now(), s.cfg.StaleAfter)
	if err != nil {
		return err
	}
	type item struct {
		Code       string  `json:"code"`
		Name       string  `json:"name"`
		Tickets    int     `json:"tickets"`
		LastPushAt *string `json:"last_push_at"`
	}
	out := make([]item, len(gs))
	for i, g := range gs {
		out[i] = item{Code: g.Code, Name: g.Name, Tickets: g.Tickets}
		if !g.LastPushAt.IsZero() {
			v := g.LastPushAt.In(s.cfg.Location).Format(time.RFC3339)
			out[i].LastPushAt = &v
		}
	}
	return c.JSON(out)
}

func (s *Server) apiTicket(c *fiber.Ctx) error {
	rec, err := s.db.TicketRecord(c.UserContext(), c.Params("municipality"), c.Params("number"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/json; charset=utf-8")
	return c.Send(rec)
}

// constantEq compares secrets without leaking their length of match.
var constantEq = kit.ConstantEq
