package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// portal holds the state of the residents' portal that lives only in memory.
type portal struct {
	uploads     string        // DATA/uploads
	minFill     time.Duration // registration form: a person is not faster than this
	secret      []byte        // signs the time a form was shown
	registering *throttle     // registration attempts per address

	mu      sync.Mutex
	figures map[string]cachedFigures
}

// cachedFigures are the public figures as of a version of the tickets: they are
// sums over a month, and a crawler hitting every organisation page (or a resident
// their home page) must not recount them each time nothing changed.
type cachedFigures struct {
	f       app.Figures
	version uint64
	until   time.Time // see publicUntil
}

func newPortal(cfg *Config) *portal {
	dir := cfg.DataDir
	if dir == "" && cfg.Store != nil {
		dir = filepath.Dir(cfg.Store.Path)
	}
	p := &portal{
		uploads:     filepath.Join(dir, "uploads"),
		minFill:     cfg.MinFillTime,
		secret:      make([]byte, 32),
		registering: newThrottle(10, time.Hour),
		figures:     map[string]cachedFigures{},
	}
	if p.minFill == 0 {
		p.minFill = 3 * time.Second
	}
	rand.Read(p.secret)
	return p
}

// stamp signs the time a form is shown, so that its submission can tell how long
// it took to fill in, without keeping any state per visitor.
func (p *portal) stamp(now time.Time) string {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(now.UnixMilli()))
	m := hmac.New(sha256.New, p.secret)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(b, m.Sum(nil)[:16]...))
}

// filledIn checks a form's stamp: it must be ours and at least minFill old. A
// stamp from before a restart is refused too; the form comes back with a new one.
func (p *portal) filledIn(v string, now time.Time) error {
	if p.minFill < 0 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	bad := app.Errorf(app.EINVALID, "Форма устарела. Проверьте данные и отправьте её ещё раз.")
	if err != nil || len(raw) != 24 {
		return bad
	}
	m := hmac.New(sha256.New, p.secret)
	m.Write(raw[:8])
	if !hmac.Equal(m.Sum(nil)[:16], raw[8:]) {
		return bad
	}
	shown := time.UnixMilli(int64(binary.BigEndian.Uint64(raw[:8])))
	if now.Sub(shown) < p.minFill {
		return app.Errorf(app.EINVALID, "Форма отправлена слишком быстро. Проверьте данные и отправьте её ещё раз.")
	}
	if now.Sub(shown) > 24*time.Hour {
		return bad
	}
	return nil
}

// monthFigures returns the figures of the current calendar month in the
// municipality's time zone, for one organisation or all (orgID 0).
func (s *Server) monthFigures(c *fiber.Ctx, orgID int64) (app.Figures, string, error) {
	loc := s.loc(c)
	now := s.Store.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 1, 0)
	label := monthsNominative[now.Month()-1] + " " + now.Format("2006")
	key := from.Format("2006-01") + "/" + itoa64(orgID)
	p := s.portal
	version := s.Store.Version(store.ScopeTickets)
	p.mu.Lock()
	cf, ok := p.figures[key]
	p.mu.Unlock()
	if ok && cf.version == version && now.Before(cf.until) {
		return cf.f, label, nil
	}
	until, err := s.publicUntil(c.UserContext(), store.ScopeTickets, now)
	if err != nil {
		return app.Figures{}, label, err
	}
	f, err := s.Store.Figures(c.UserContext(), orgID, from, to)
	if err != nil {
		return f, label, err
	}
	p.mu.Lock()
	if len(p.figures) > 1000 {
		p.figures = map[string]cachedFigures{}
	}
	p.figures[key] = cachedFigures{f, version, until}
	p.mu.Unlock()
	return f, label, nil
}

var monthsNominative = []string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"}

func itoa64(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// figuresView is Figures as a page shows them.
type figuresView struct {
	app.Figures
	Month     string
	OnTime    string // «87 %» or «—»
	MedianFix string // «2 сут 4 ч» or «—»
}

func viewFigures(f app.Figures, month string) figuresView {
	v := figuresView{Figures: f, Month: month, OnTime: "—", MedianFix: "—"}
	if share := f.OnTimeShare(); share >= 0 {
		v.OnTime = itoa64(int64(share)) + " %"
	}
	if f.MedianFix > 0 {
		v.MedianFix = humanDuration(f.MedianFix)
	}
	return v
}

// humanDuration writes a time to fix as a resident reads it: «5 ч 20 мин», «2 сут 3 ч».
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour), int64(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, itoa64(days)+" сут")
	}
	if hours > 0 {
		parts = append(parts, itoa64(hours)+" ч")
	}
	if days == 0 && (mins > 0 || hours == 0) {
		parts = append(parts, itoa64(mins)+" мин")
	}
	return strings.Join(parts, " ")
}

// phoneLogin lets a resident sign in with their phone in any form: their login is
// the number in E.164. Staff logins are not phone numbers and pass unchanged.
func phoneLogin(login string) string {
	digits := 0
	for _, r := range login {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()", r):
		default:
			return login
		}
	}
	if digits < 10 {
		return login
	}
	if p, err := app.NormalizePhone(login); err == nil {
		return p
	}
	return login
}

// publicRow is a ticket as public pages list it.
type publicRow struct {
	app.PublicTicket
	Created, Due, Done string
	Timely             app.Timeliness
}

func (s *Server) publicRows(c *fiber.Ctx, list []app.PublicTicket) []publicRow {
	loc, now := s.loc(c), s.Store.Now()
	out := make([]publicRow, len(list))
	for i, t := range list {
		out[i] = publicRow{PublicTicket: t, Timely: t.Timeliness(now),
			Created: t.CreatedAt.In(loc).Format(app.DateLayout), Due: "—"}
		if !t.DueAt.IsZero() {
			out[i].Due = t.DueAt.In(loc).Format(app.DateTimeLayout)
		}
		if !t.DoneAt.IsZero() {
			out[i].Done = t.DoneAt.In(loc).Format(app.DateLayout)
		}
	}
	return out
}

// catalogue groups the active work types by category, for the home page's table
// of deadlines and the filing form's list.
type categoryView struct {
	Name  string
	Types []*app.WorkType
}

func (s *Server) catalogue(c *fiber.Ctx) ([]categoryView, error) {
	all, err := s.Store.WorkTypes(c.UserContext())
	if err != nil {
		return nil, err
	}
	var out []categoryView
	idx := map[string]int{}
	for _, w := range all {
		if !w.Active {
			continue
		}
		i, ok := idx[w.Category]
		if !ok {
			i = len(out)
			idx[w.Category] = i
			out = append(out, categoryView{Name: w.Category})
		}
		out[i].Types = append(out[i].Types, w)
	}
	return out, nil
}
