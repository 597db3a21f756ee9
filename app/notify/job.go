// Package notify delivers the messages of the outbox (issue #16): e-mail over
// SMTP, SMS through an HTTP gateway, and signed webhooks. The ticket changes write
// the outbox rows in their own transactions (app/store); this job sends them and
// marks each sent only after the channel accepted it, so a crash between the two
// sends a message at most once more, with the same idempotency key.
package notify

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"crypto/tls"

	"github.com/ecoz/ecoz/app/store"
)

// Config sets up the job. The channel fields are the command line's flags: set,
// they override the administrator's settings, which are read again every round.
type Config struct {
	Store         *store.Store
	SMTP          string
	MailFrom      string
	SMSURL        string
	Webhook       string
	WebhookSecret string
	Log           *slog.Logger
	Client        *http.Client // for the SMS gateway and the webhook
	TLSConfig     *tls.Config  // for SMTP; nil: the system's roots
	Every         time.Duration
	Workers       int
	MaxBackoff    time.Duration
	MaxAttempts   int
	AlertsEvery   time.Duration
}

// Job is the sender.
type Job struct {
	cfg  Config
	kick chan struct{}

	mu        sync.Mutex
	lastRound time.Time
	lastError string
}

// New makes a job; Run starts it.
func New(cfg Config) *Job {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 60 // with the 30-minute cap: about a day of trying
	}
	if cfg.AlertsEvery <= 0 {
		cfg.AlertsEvery = time.Minute
	}
	j := &Job{cfg: cfg, kick: make(chan struct{}, 1)}
	// The first call sets the webhook's cursor: what changes from now on is
	// announced, including while the job is not running.
	ctx := context.Background()
	if _, err := cfg.Store.QueueWebhookEvents(ctx, j.Channels(ctx).Webhook != nil, webhookBatch); err != nil {
		cfg.Log.Error("notify: webhook events", "err", err)
	}
	return j
}

// webhookBatch is how many ticket changes a round turns into webhook messages.
const webhookBatch = 1000

// Kick asks for a round now.
func (j *Job) Kick() {
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// Channels is the job's channels after flags and settings; a nil one is not configured.
type Channels struct {
	Email   Channel
	SMS     Channel
	Webhook Channel
	Errors  []string // what is wrong with a configured channel
}

// Channels resolves the channels: a flag overrides the stored setting.
func (j *Job) Channels(ctx context.Context) Channels {
	s := j.cfg.Store
	pick := func(flag, key string) string {
		if flag != "" {
			return flag
		}
		return s.Setting(ctx, key)
	}
	var c Channels
	if u := pick(j.cfg.SMTP, store.SetSMTP); u != "" {
		sm, err := ParseSMTP(u, pick(j.cfg.MailFrom, store.SetMailFrom))
		if err != nil {
			c.Errors = append(c.Errors, "почта: "+err.Error())
		} else {
			sm.TLSConfig = j.cfg.TLSConfig
			c.Email = sm
		}
	}
	if u := pick(j.cfg.SMSURL, store.SetSMSURL); u != "" {
		c.SMS = &SMSGateway{URL: u, Body: s.Setting(ctx, store.SetSMSBody), Client: j.cfg.Client}
	}
	if u := pick(j.cfg.Webhook, store.SetWebhookURL); u != "" {
		c.Webhook = &Webhook{URL: u, Secret: pick(j.cfg.WebhookSecret, store.SetWebhookSecret), Client: j.cfg.Client}
	}
	return c
}

// names lists the configured channels.
func (c Channels) names() []string {
	var out []string
	for _, n := range []string{store.ChanEmail, store.ChanSMS, store.ChanWebhook} {
		if c.of(n) != nil {
			out = append(out, n)
		}
	}
	return out
}

func (c Channels) of(name string) Channel {
	switch name {
	case store.ChanEmail:
		return c.Email
	case store.ChanSMS:
		return c.SMS
	case store.ChanWebhook:
		return c.Webhook
	}
	return nil
}

// Run sends until ctx ends: every Every, or at once after a kick, it takes the
// messages whose time has come and sends them with Workers at a time; every
// AlertsEvery it queues the staff's clock alerts. A down channel only delays
// its own messages: ticket work never waits for the job.
func (j *Job) Run(ctx context.Context) {
	var lastAlerts, lastPurge time.Time
	for {
		if time.Since(lastAlerts) >= j.cfg.AlertsEvery {
			lastAlerts = time.Now()
			if _, err := j.cfg.Store.QueueClockAlerts(ctx); err != nil && ctx.Err() == nil {
				j.cfg.Log.Error("notify: clock alerts", "err", err)
			}
		}
		if time.Since(lastPurge) >= time.Hour {
			lastPurge = time.Now()
			if _, err := j.cfg.Store.PurgeOutbox(ctx); err != nil && ctx.Err() == nil {
				j.cfg.Log.Error("notify: purge", "err", err)
			}
		}
		n, err := j.Round(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			j.cfg.Log.Error("notify: round", "err", err)
		}
		wait := j.cfg.Every
		if n > 0 && err == nil {
			wait = 0 // more may be due: take the next batch at once
		}
		select {
		case <-ctx.Done():
			return
		case <-j.kick:
		case <-time.After(wait):
		}
	}
}

// Round sends the messages due now (up to a batch) and returns how many it tried.
func (j *Job) Round(ctx context.Context) (int, error) {
	s := j.cfg.Store
	ch := j.Channels(ctx)
	if _, err := s.QueueWebhookEvents(ctx, ch.Webhook != nil, webhookBatch); err != nil {
		return 0, err
	}
	msgs, err := s.DueMessages(ctx, ch.names(), 50*j.cfg.Workers)
	if err != nil {
		return 0, err
	}
	j.mu.Lock()
	j.lastRound = time.Now()
	j.mu.Unlock()
	work := make(chan store.Message)
	var wg sync.WaitGroup
	for range j.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range work {
				j.deliver(ctx, ch, m)
			}
		}()
	}
	for _, m := range msgs {
		select {
		case work <- m:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	return len(msgs), nil
}

// deliver sends one message and records the outcome. The record is written
// without ctx's cancellation: a message the channel accepted is marked sent even
// while the server stops.
func (j *Job) deliver(ctx context.Context, ch Channels, m store.Message) {
	s := j.cfg.Store
	keep := context.WithoutCancel(ctx)
	c := ch.of(m.Channel)
	if m.Channel == store.ChanSMS && !m.Urgent {
		if next, quiet := QuietUntil(s.Now(), s.Municipality(ctx).Location); quiet {
			if err := s.Defer(keep, m.ID, next, "ночь: SMS отложено до 08:00"); err != nil {
				j.cfg.Log.Error("notify: defer", "id", m.ID, "err", err)
			}
			return
		}
	}
	out, err := j.Compose(ctx, m)
	if err != nil {
		j.fail(keep, m, err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	answer, err := c.Send(sctx, out)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return // stopping: the message stays pending as it was
		}
		j.fail(keep, m, err)
		return
	}
	if err := s.MarkSent(keep, m.ID, answer); err != nil {
		j.cfg.Log.Error("notify: mark sent", "id", m.ID, "err", err)
	}
}

// fail records a failed attempt: failed for good on a permanent refusal or after
// MaxAttempts, else retried after a backoff with jitter. The log names the
// message, never its recipient or the channel's address.
func (j *Job) fail(ctx context.Context, m store.Message, err error) {
	s := j.cfg.Store
	j.mu.Lock()
	j.lastError = err.Error()
	j.mu.Unlock()
	if IsPermanent(err) || m.Attempts+1 >= j.cfg.MaxAttempts {
		// The channel's answer may quote the recipient: it is kept for the
		// administrator's screen, not written to the log.
		j.cfg.Log.Warn("notify: message failed, see the outbox screen", "id", m.ID, "kind", m.Kind, "channel", m.Channel)
		if e := s.MarkFailed(ctx, m.ID, err.Error()); e != nil {
			j.cfg.Log.Error("notify: mark failed", "id", m.ID, "err", e)
		}
		return
	}
	next := s.Now().Add(Backoff(m.Attempts+1, j.cfg.MaxBackoff))
	if e := s.MarkRetry(ctx, m.ID, next, err.Error()); e != nil {
		j.cfg.Log.Error("notify: mark retry", "id", m.ID, "err", e)
	}
}

// Backoff is the wait after the n-th failed attempt: 5 s doubled each time,
// capped, drawn at random from its upper half so that messages that failed
// together do not come back together.
func Backoff(n int, maxWait time.Duration) time.Duration {
	d := 5 * time.Second << min(n-1, 20)
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	return d/2 + rand.N(d/2+1)
}

// QuietUntil reports whether now is within the night (22:00–08:00 local), when
// residents get no SMS except about an emergency, and when the night ends.
func QuietUntil(now time.Time, loc *time.Location) (time.Time, bool) {
	l := now.In(loc)
	if l.Hour() >= 8 && l.Hour() < 22 {
		return time.Time{}, false
	}
	day := l
	if l.Hour() >= 22 {
		day = l.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc), true
}

// Compose renders message m: its text from the kind's template, the yes/no link
// where the kind has one, the webhook's JSON event.
func (j *Job) Compose(ctx context.Context, m store.Message) (Outgoing, error) {
	s := j.cfg.Store
	t, err := s.NotifyTicket(ctx, m.TicketID)
	if err != nil {
		return Outgoing{}, &Permanent{err}
	}
	link := ""
	if m.Kind == store.KindDone || m.Kind == store.KindCallback {
		if link, err = AnswerLink(ctx, s, t.ID, t.DoneAt.Unix()); err != nil {
			return Outgoing{}, err
		}
	}
	subject, text := Render(ctx, s, m.Kind, t, link)
	out := Outgoing{Key: m.Key, To: m.Recipient, Subject: subject, Text: text}
	if m.Channel == store.ChanEmail && isResidentKind(m.Kind) {
		if stop, err := StopLink(ctx, s, t.ID); err == nil {
			out.Text += "\n\nБольше не получать сообщения об этой заявке: " + stop
		}
	}
	if m.Channel == store.ChanWebhook {
		out.Event = map[string]any{
			"id": m.Key, "event": m.Kind, "text": text, "at": t.UpdatedAt.In(s.Municipality(ctx).Location).Format(time.RFC3339),
			"ticket": map[string]any{"number": t.Number, "status": t.Status, "work_type": t.WorkType.Code, "emergency": t.WorkType.Emergency,
				"organization_id": t.OrganizationID, "version": t.Version},
		}
	}
	return out, nil
}

func isResidentKind(k string) bool {
	switch k {
	case store.KindRegistered, store.KindDone, store.KindCallback, store.KindReopened, store.KindClosed:
		return true
	}
	return false
}

// Secret returns the key that signs links, made on first use.
func Secret(ctx context.Context, s *store.Store) (string, error) {
	return s.LinkSecret(ctx, func() string {
		b := make([]byte, 32)
		_, _ = crand.Read(b)
		return hex.EncodeToString(b)
	})
}

// AnswerLink is the yes/no link for a ticket's round of work ending at doneAt.
func AnswerLink(ctx context.Context, s *store.Store, ticketID, doneAt int64) (string, error) {
	secret, err := Secret(ctx, s)
	if err != nil {
		return "", err
	}
	tok := Token{TicketID: ticketID, DoneAt: doneAt, Expires: s.Now().Add(LinkTTL).Unix()}.Sign(secret)
	return BaseURL(ctx, s) + "/n/" + tok, nil
}

// StopLink is the link by which a resident stops the messages about a ticket.
// It names the ticket only; DoneAt 0 marks it as a stop token, good for a year.
func StopLink(ctx context.Context, s *store.Store, ticketID int64) (string, error) {
	secret, err := Secret(ctx, s)
	if err != nil {
		return "", err
	}
	tok := Token{TicketID: ticketID, Expires: s.Now().Add(365 * 24 * time.Hour).Unix()}.Sign(secret)
	return BaseURL(ctx, s) + "/n/stop/" + tok, nil
}

// BaseURL is the centre's public address for links, from the settings.
func BaseURL(ctx context.Context, s *store.Store) string {
	if u := s.Setting(ctx, store.SetBaseURL); u != "" {
		return u
	}
	return "http://localhost:8080"
}

// ReadSecretFile reads a secret kept in a file (--webhook-secret-file).
func ReadSecretFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", errors.New("файл секрета webhook не читается: " + err.Error())
	}
	return strings.TrimSpace(string(b)), nil
}

// Status is the job's state for the administrator.
type Status struct {
	LastRound time.Time
	LastError string
}

// Status returns the job's state (j may be nil: not running here).
func (j *Job) Status() Status {
	if j == nil {
		return Status{}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return Status{LastRound: j.lastRound, LastError: j.lastError}
}
