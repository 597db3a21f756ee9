package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// Live alerts (issue #10): a new emergency, and a localisation clock with ten
// minutes left, reach the workspace pages open for the responsible organisation
// and for the operators within a second or two, as server-sent events. One
// watcher reads the database every second — whatever path filed the ticket (the
// API, the intake screen, the portal, an import) — and fans out to the open pages.
// A page that reconnects sends Last-Event-ID and gets what it missed from a short
// ring of recent alerts.

// AlertWarnBefore is how long before a localisation clock runs out the staff are
// warned.
const AlertWarnBefore = 10 * time.Minute

// alertWriteTimeout is how long one write to a page may take before the stream is
// given up (the page reconnects).
const alertWriteTimeout = 30 * time.Second

// alertPoll is how often the watcher reads the database.
const alertPoll = 500 * time.Millisecond

// alert is one event sent to the pages.
type alert struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"` // "emergency" or "localize"
	Number string `json:"number"`
	Text   string `json:"text"`
	URL    string `json:"url"`
	org    int64  // the organisation it is for; operators get every alert
}

// alertHub fans alerts out to the open pages.
type alertHub struct {
	mu     sync.Mutex
	subs   map[chan alert]alertSub
	recent []alert // the last alerts, for pages that reconnect
	seq    int64
	start  sync.Once
	stop   chan struct{}
	closed bool
}

type alertSub struct {
	all bool  // operators and supervisors: every alert
	org int64 // an organisation's dispatcher: its own
}

func (f alertSub) wants(a alert) bool { return f.all || (f.org != 0 && a.org == f.org) }

func newAlertHub() *alertHub {
	return &alertHub{subs: map[chan alert]alertSub{}, stop: make(chan struct{})}
}

func (h *alertHub) publish(a alert) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	a.ID = h.seq
	h.recent = append(h.recent, a)
	if len(h.recent) > 200 {
		h.recent = h.recent[len(h.recent)-200:]
	}
	for ch, f := range h.subs {
		if !f.wants(a) {
			continue
		}
		select {
		case ch <- a:
		default: // a page that does not read: it catches up by Last-Event-ID on reconnect
		}
	}
}

// subscribe registers a page; it returns the alerts after lastID it missed.
func (h *alertHub) subscribe(f alertSub, lastID int64) (chan alert, []alert) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch := make(chan alert, 32)
	if h.closed {
		close(ch)
		return ch, nil
	}
	h.subs[ch] = f
	var missed []alert
	for _, a := range h.recent {
		if a.ID > lastID && f.wants(a) {
			missed = append(missed, a)
		}
	}
	return ch, missed
}

func (h *alertHub) unsubscribe(ch chan alert) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
}

// close ends every stream, so that a graceful shutdown is not held up by pages
// that stay open.
func (h *alertHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.stop)
	for ch := range h.subs {
		close(ch)
	}
	h.subs = map[chan alert]alertSub{}
}

// watch reads new emergencies and clocks about to run out, every second, until
// the hub closes.
func (s *Server) watchAlerts() {
	ctx := context.Background()
	last, err := s.Store.LastTicketID(ctx)
	if err != nil {
		s.Log.Error("alerts: reading the last ticket", "err", err)
	}
	warned := s.Store.Now().Add(AlertWarnBefore)
	tick := time.NewTicker(alertPoll)
	defer tick.Stop()
	for {
		select {
		case <-s.alerts.stop:
			return
		case <-tick.C:
		}
		loc := s.Store.Municipality(ctx).Location
		news, err := s.Store.NewEmergencies(ctx, last)
		if err != nil {
			s.Log.Error("alerts: new emergencies", "err", err)
			continue
		}
		for _, t := range news {
			last = max(last, t.ID)
			text := fmt.Sprintf("Авария: %s — %s, %s", t.Number, t.WorkType.Name, t.Address)
			switch {
			case t.WorkType.Handoff != "":
				text += " (звонок передаётся в " + t.WorkType.Handoff + ")"
			case !t.LocalizeDueAt.IsZero():
				text += ". Локализовать до " + t.LocalizeDueAt.In(loc).Format("15:04")
			}
			s.alerts.publish(alert{Kind: "emergency", Number: t.Number, Text: text, URL: "/work/tickets/" + t.Number, org: t.OrganizationID})
		}
		until := s.Store.Now().Add(AlertWarnBefore)
		if until.After(warned) {
			soon, err := s.Store.LocalizeDueBetween(ctx, warned, until)
			if err != nil {
				s.Log.Error("alerts: localisation clocks", "err", err)
				continue
			}
			for _, t := range soon {
				text := fmt.Sprintf("Локализовать %s до %s: осталось %s — %s, %s", t.Number, t.LocalizeDueAt.In(loc).Format("15:04"),
					app.HumanDuration(t.LocalizeDueAt.Sub(s.Store.Now())), t.WorkType.Name, t.Address)
				s.alerts.publish(alert{Kind: "localize", Number: t.Number, Text: text, URL: "/work/tickets/" + t.Number, org: t.OrganizationID})
			}
			warned = until
		}
	}
}

// pageAlerts is the stream of alerts for the signed-in staff member's pages.
func (s *Server) pageAlerts(c *fiber.Ctx) error {
	u := currentUser(c)
	f := alertSub{all: u.Role == app.RoleOperator || u.Role == app.RoleSupervisor}
	if u.Role == app.RoleOrg {
		f.org = u.OrganizationID
	}
	s.alerts.start.Do(func() { go s.watchAlerts() })
	lastID, _ := strconv.ParseInt(c.Get("Last-Event-ID"), 10, 64)
	ch, missed := s.alerts.subscribe(f, lastID)
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no") // a proxy in front must not hold the stream back
	// The server's write timeout (60 s) is set once per response; a stream that
	// lives for hours moves its deadline on with every write, or it would drop (and
	// the page flash «no connection») every minute.
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.alerts.unsubscribe(ch)
		flush := func() error {
			conn.SetWriteDeadline(time.Now().Add(alertWriteTimeout))
			return w.Flush()
		}
		send := func(a alert) error {
			b, _ := json.Marshal(a)
			fmt.Fprintf(w, "id: %d\nevent: alert\ndata: %s\n\n", a.ID, b)
			return flush()
		}
		// The browser reconnects a second after a drop; «ready» tells the page the
		// stream is open (and how it stands with the server's clock).
		fmt.Fprintf(w, "retry: 1000\nevent: ready\ndata: {\"now\":%d}\n\n", s.Store.Now().Unix())
		if flush() != nil {
			return
		}
		for _, a := range missed {
			if send(a) != nil {
				return
			}
		}
		beat := time.NewTicker(15 * time.Second)
		defer beat.Stop()
		for {
			select {
			case a, ok := <-ch:
				if !ok {
					return
				}
				if send(a) != nil {
					return
				}
			case <-beat.C: // a comment line: keeps proxies from closing an idle stream, and finds a closed page
				fmt.Fprint(w, ": ping\n\n")
				if flush() != nil {
					return
				}
			}
		}
	})
	return nil
}
