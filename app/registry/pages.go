package registry

import (
	"context"
	"time"

	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/httperr"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/gofiber/fiber/v2"
)

const sessionCookie = "ecoz_registry_session"

// webSession loads the signed-in registry user; a signed-in user's forms must
// carry the session's CSRF token.
func (s *Server) webSession(c *fiber.Ctx) error {
	if tok := c.Cookies(sessionCookie); tok != "" {
		if sess, err := s.db.SessionFor(c.UserContext(), tok); err == nil {
			c.Locals("session", sess)
			if c.Method() == fiber.MethodPost && !constantEq(kit.CSRFToken(c), sess.CSRF) {
				return app.Errorf(app.EFORBIDDEN, "Форма устарела (нет CSRF-токена). Обновите страницу и повторите.")
			}
		}
	}
	return c.Next()
}

func sessionOf(c *fiber.Ctx) *regstore.Session {
	sess, _ := c.Locals("session").(*regstore.Session)
	return sess
}

func (s *Server) requireUser(c *fiber.Ctx) error {
	if sessionOf(c) == nil {
		return app.Errorf(app.EUNAUTHORIZED, "Войдите в систему.")
	}
	return c.Next()
}

// render fills what every page needs and renders view in the registry's layout.
func (s *Server) render(c *fiber.Ctx, view string, data fiber.Map) error {
	if sess := sessionOf(c); sess != nil {
		data["User"], data["CSRF"] = sess.Login, sess.CSRF
	}
	data["Version"] = s.cfg.Version
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Render(view, data)
}

func (s *Server) pageLogin(c *fiber.Ctx) error {
	return s.render(c, "login", fiber.Map{"Title": "Вход"})
}

// pageLoginPost signs a registry user in under the sign-in guard shared with the
// centre (kit.SignInGuard). The sign-in form needs no CSRF token: it grants
// nothing without the password.
func (s *Server) pageLoginPost(c *fiber.Ctx) error {
	login := strings.TrimSpace(c.FormValue("login"))
	var tok string
	err := s.signIn.Attempt(login, s.cfg.TrustedProxies.ClientIP(c), func() error {
		var err error
		tok, err = s.db.SignIn(c.UserContext(), login, c.FormValue("password"))
		return err
	})
	if code := app.ErrorCode(err); code == app.EUNAUTHORIZED || code == app.ERATELIMITED {
		c.Status(httperr.Status(code))
		return s.render(c, "login", fiber.Map{"Title": "Вход", "Login": login, "Error": app.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: tok, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) pageLogout(c *fiber.Ctx) error {
	if err := s.db.SignOut(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	c.ClearCookie(sessionCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// pageOverview is the republic at a glance.
func (s *Server) pageOverview(c *fiber.Ctx) error {
	gs, err := s.db.Overview(c.UserContext(), s.db.Now(), s.cfg.StaleAfter)
	if err != nil {
		return err
	}
	var total regstore.Glance
	stale := 0
	for _, g := range gs {
		total.Tickets += g.Tickets
		total.Open += g.Open
		total.Overdue += g.Overdue
		total.Closed += g.Closed
		total.OnTime += g.OnTime
		if g.Stale {
			stale++
		}
	}
	if total.Closed > 0 {
		total.OnTimePc = total.OnTime * 100 / total.Closed
	}
	// A country's two thousand municipalities are shown a hundred at a time;
	// the totals are the whole country's.
	pg := pageOf(c, len(gs))
	return s.render(c, "overview", fiber.Map{"Title": "Республика", "Rows": gs[pg.from:pg.to], "Total": total, "Stale": stale, "Count": len(gs), "Page": pg.Page, "Pages": pg.Pages, "Pager": pg.Pager,
		"StaleAfter": app.HumanHours(s.cfg.StaleAfter.Hours()), "Token": c.Locals("token"), "Form": c.Locals("form")})
}

// listPage is how many rows a long list (the overview's municipalities, the
// rating's places) shows at a time.
const listPage = 100

// paging is the page of a long list that ?page=N asks for: rows [from, to),
// and the page numbers to link to (none when there is one page).
type paging struct {
	from, to    int
	Page, Pages int
	Pager       []int
}

func pageOf(c *fiber.Ctx, n int) paging {
	p := paging{Pages: max(1, (n+listPage-1)/listPage)}
	p.Page = min(max(c.QueryInt("page", 1), 1), p.Pages)
	p.from, p.to = min((p.Page-1)*listPage, n), min(p.Page*listPage, n)
	if p.Pages > 1 {
		for i := 1; i <= p.Pages; i++ {
			p.Pager = append(p.Pager, i)
		}
	}
	return p
}

// pageSearch looks across every ticket of the republic.
func (s *Server) pageSearch(c *fiber.Ctx) error {
	q, m := strings.TrimSpace(c.Query("q")), strings.TrimSpace(c.Query("m"))
	data := fiber.Map{"Title": "Поиск заявок", "Q": q, "M": m, "Overdue": c.Query("overdue") == "1"}
	ms, err := s.db.Municipalities(c.UserContext())
	if err != nil {
		return err
	}
	data["Municipalities"] = ms
	if q != "" || m != "" || c.Query("overdue") == "1" {
		ts, err := s.db.Tickets(c.UserContext(), regstore.Filter{Municipality: m, Query: q, Overdue: c.Query("overdue") == "1", Limit: 200}, s.db.Now())
		if err != nil {
			return err
		}
		data["Tickets"], data["Searched"] = ts, true
	}
	return s.render(c, "search", data)
}

// pageMunicipality is one municipality: its figures, latest tickets and pushes,
// and its token.
func (s *Server) pageMunicipality(c *fiber.Ctx) error {
	return s.showMunicipality(c, "")
}

func (s *Server) showMunicipality(c *fiber.Ctx, token string) error {
	ctx := c.UserContext()
	code := strings.ToUpper(c.Params("code"))
	gs, err := s.db.Overview(ctx, s.db.Now(), s.cfg.StaleAfter)
	if err != nil {
		return err
	}
	var g *regstore.Glance
	for i := range gs {
		if gs[i].Code == code {
			g = &gs[i]
		}
	}
	if g == nil {
		return app.Errorf(app.ENOTFOUND, "Муниципалитет %s не зарегистрирован.", code)
	}
	ts, err := s.db.Tickets(ctx, regstore.Filter{Municipality: code, Overdue: c.Query("overdue") == "1", Limit: 100}, s.db.Now())
	if err != nil {
		return err
	}
	bs, err := s.db.Batches(ctx, code, 20)
	if err != nil {
		return err
	}
	return s.render(c, "municipality", fiber.Map{"Title": g.Name, "M": g, "Tickets": ts, "Batches": bs, "Token": token,
		"StaleAfter": app.HumanHours(s.cfg.StaleAfter.Hours()), "OverdueOnly": c.Query("overdue") == "1"})
}

func (s *Server) pageTicket(c *fiber.Ctx) error {
	ts, err := s.db.Tickets(c.UserContext(), regstore.Filter{Municipality: c.Params("code"), Query: c.Params("number"), Limit: 5}, s.db.Now())
	if err != nil {
		return err
	}
	for _, t := range ts {
		if strings.EqualFold(t.Number, c.Params("number")) {
			return s.render(c, "ticket", fiber.Map{"Title": "Заявка " + t.Number, "T": t})
		}
	}
	return app.Errorf(app.ENOTFOUND, "Заявка %s в реестре не найдена.", c.Params("number"))
}

// pageMunicipalityAdd registers a municipality and shows its token once.
func (s *Server) pageMunicipalityAdd(c *fiber.Ctx) error {
	code, name := c.FormValue("code"), c.FormValue("name")
	tok, err := s.db.AddMunicipality(c.UserContext(), code, name)
	if err != nil {
		if app.ErrorCode(err) == app.EINTERNAL {
			return err
		}
		c.Status(httperr.Status(app.ErrorCode(err)))
		c.Locals("form", fiber.Map{"Code": code, "Name": name, "Error": app.ErrorMessage(err), "Fields": app.ErrorFields(err)})
		return s.pageOverview(c)
	}
	c.Locals("token", fiber.Map{"Code": strings.ToUpper(strings.TrimSpace(code)), "Token": tok})
	return s.pageOverview(c)
}

func (s *Server) pageRevoke(c *fiber.Ctx) error {
	if err := s.db.RevokeToken(c.UserContext(), c.Params("code")); err != nil {
		return err
	}
	return c.Redirect("/m/"+strings.ToUpper(c.Params("code")), fiber.StatusSeeOther)
}

func (s *Server) pageReissue(c *fiber.Ctx) error {
	tok, err := s.db.ReissueToken(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return s.showMunicipality(c, tok)
}

// pageRating is the republic-wide rating of management organisations.
func (s *Server) pageRating(c *fiber.Ctx) error {
	r, err := s.republicRating(c.UserContext())
	if err != nil {
		return err
	}
	// A country's tens of thousands of organisations: a hundred places at a
	// time, or one municipality's (?m=CODE).
	ranked, unranked := r.Ranked, r.Unranked
	m := strings.ToUpper(strings.TrimSpace(c.Query("m")))
	if m != "" {
		ranked, unranked = nil, nil
		for _, o := range r.Ranked {
			if o.Municipality == m {
				ranked = append(ranked, o)
			}
		}
		for _, o := range r.Unranked {
			if o.Municipality == m {
				unranked = append(unranked, o)
			}
		}
	}
	pg := pageOf(c, len(ranked))
	if len(unranked) > listPage*5 {
		unranked = nil // listed per municipality (?m=)
	}
	return s.render(c, "rating", fiber.Map{"Title": "Рейтинг управляющих организаций", "R": r, "M": m,
		"Ranked": ranked[pg.from:pg.to], "Unranked": unranked, "RankedCount": len(ranked), "Page": pg.Page, "Pages": pg.Pages, "Pager": pg.Pager})
}

// republicRating is the rating as last computed, if that was less than
// RatingEvery ago; otherwise it is computed now (one view computes it, the
// others wait for it).
func (s *Server) republicRating(ctx context.Context) (*regstore.Rating, error) {
	s.ratingMu.Lock()
	defer s.ratingMu.Unlock()
	if s.rating != nil && time.Since(s.ratedAt) < s.cfg.RatingEvery {
		return s.rating, nil
	}
	r, err := s.db.Rating(ctx, s.db.Now())
	if err != nil {
		return nil, err
	}
	s.rating, s.ratedAt = r, time.Now()
	return r, nil
}
