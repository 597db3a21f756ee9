package web

import (
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// Session lengths.
const (
	apiTokenTTL   = 12 * time.Hour
	webSessionTTL = 12 * time.Hour
	sessionCookie = "ecoz_session"
)

// throttle counts attempts per key in a sliding window: registrations per
// address. (Sign-in has kit.SignInGuard.)
type throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	hits   map[string][]time.Time
}

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{limit: limit, window: window, hits: map[string][]time.Time{}}
}

// Blocked reports whether key has used up its attempts.
func (t *throttle) Blocked(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.prune(key, now)) >= t.limit
}

// Fail records one failed attempt.
func (t *throttle) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hits[key] = append(t.prune(key, now), now)
	if len(t.hits) > 100000 { // a flood of keys: forget the oldest state rather than grow without end
		t.hits = map[string][]time.Time{}
	}
}

func (t *throttle) prune(key string, now time.Time) []time.Time {
	h := t.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) > t.window {
		i++
	}
	h = h[i:]
	if len(h) == 0 {
		delete(t.hits, key)
	} else {
		t.hits[key] = h
	}
	return h
}

// login checks credentials under the sign-in guard (kit.SignInGuard): growing
// delays per account and per address, hashing in a bounded pool.
func (s *Server) login(c *fiber.Ctx, login, password string) (*app.User, error) {
	login = strings.TrimSpace(phoneLogin(strings.TrimSpace(login))) // a resident's login is their phone
	var u *app.User
	err := s.signIn.Attempt(login, s.clientIP(c), func() error {
		var err error
		u, err = s.Store.Authenticate(c.UserContext(), login, password)
		return err
	})
	return u, err
}

// TrustProxies names the reverse proxies whose X-Forwarded-For names the client
// (ecoz serve --trusted-proxy); call it before serving.
func (s *Server) TrustProxies(p kit.Proxies) { s.cfg.TrustedProxies = p }

// clientIP is the request's address, through the proxies the administrator named.
func (s *Server) clientIP(c *fiber.Ctx) string { return s.cfg.TrustedProxies.ClientIP(c) }

// apiAuth requires a bearer token and puts its user in the request context.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return app.Errorf(app.EUNAUTHORIZED, "Нужна авторизация: заголовок Authorization: Bearer <токен>.")
	}
	sess, err := s.Store.SessionUser(c.UserContext(), strings.TrimSpace(token), "api")
	if err != nil {
		return err
	}
	c.SetUserContext(app.WithUser(c.UserContext(), sess.User))
	return c.Next()
}

// webSession loads the signed-in user, if any, from the session cookie; forms
// posted by a signed-in user must carry the session's CSRF token.
func (s *Server) webSession(c *fiber.Ctx) error {
	if tok := c.Cookies(sessionCookie); tok != "" {
		if sess, err := s.Store.SessionUser(c.UserContext(), tok, "web"); err == nil {
			c.Locals("session", sess)
			c.SetUserContext(app.WithUser(c.UserContext(), sess.User))
		}
	}
	if c.Method() == fiber.MethodPost {
		if err := s.checkCSRF(c); err != nil {
			return err
		}
	}
	return c.Next()
}

// checkCSRF refuses a POST whose token does not match the session's (signed in) or
// the pre-session cookie's (sign-in and registration forms).
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	sent := kit.CSRFToken(c)
	bad := app.Errorf(app.EFORBIDDEN, "Форма устарела или отправлена не с этой страницы (нет CSRF-токена). Обновите страницу и повторите.")
	if sess := session(c); sess != nil {
		if !sess.CheckCSRF(sent) {
			return bad
		}
		return nil
	}
	pre := c.Cookies("ecoz_csrf")
	if pre == "" || sent != pre {
		return bad
	}
	return nil
}

func session(c *fiber.Ctx) *store.Session {
	sess, _ := c.Locals("session").(*store.Session)
	return sess
}

func currentUser(c *fiber.Ctx) *app.User { return app.UserFrom(c.UserContext()) }

// require lets through only signed-in users whose role has the permission p (the
// table app.Permissions). A page asks an anonymous visitor to sign in.
func require(p app.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			return app.Errorf(app.EUNAUTHORIZED, "Войдите в систему.")
		}
		if !u.Can(p) {
			return app.Errorf(app.EFORBIDDEN, "Раздел недоступен для роли «%s».", u.Role.Title())
		}
		return c.Next()
	}
}

// requireSignIn lets through anyone signed in.
func requireSignIn(c *fiber.Ctx) error {
	if currentUser(c) == nil {
		return app.Errorf(app.EUNAUTHORIZED, "Войдите в систему.")
	}
	return c.Next()
}
