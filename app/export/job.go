package export

import (
	"bytes"
	"compress/gzip"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// BatchPath is where the registry takes pushes.
const BatchPath = "/api/registry/v1/batches"

// Config sets up the push job. URL, Token and Every override the stored settings
// when set (the command line's flags); otherwise the settings are read before
// every round, so that the administrator's changes apply without a restart.
type Config struct {
	Store  *store.Store
	URL    string
	Token  string
	Every  time.Duration
	Client *http.Client
	Log    *slog.Logger
	// MaxBackoff caps the wait between failed attempts (default: Every, at most 5 min).
	MaxBackoff time.Duration
}

// Job pushes every ticket change to the registry in change order, in batches of
// up to app.MaxBatch records, and moves the acknowledged change sequence on only
// after the registry answered 200: a crash or a broken link between the two makes
// it send the same changes again (the registry ignores what it has), never skip.
type Job struct {
	cfg  Config
	kick chan struct{}

	mu       sync.Mutex
	running  bool
	failures int
	nextAt   time.Time
}

// New makes a job; Run starts it.
func New(cfg Config) *Job {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Job{cfg: cfg, kick: make(chan struct{}, 1)}
}

// Target is where and how often the job pushes, after flags and settings.
type Target struct {
	URL   string
	Token string
	Every time.Duration
}

// Target resolves the registry's address, token and interval: a flag overrides
// the stored setting.
func (j *Job) Target(ctx context.Context) Target {
	t := Target{URL: j.cfg.URL, Token: j.cfg.Token, Every: j.cfg.Every}
	if t.URL == "" {
		t.URL = j.cfg.Store.Setting(ctx, store.SetRegistryURL)
	}
	if t.Token == "" {
		t.Token = j.cfg.Store.Setting(ctx, store.SetRegistryToken)
	}
	if t.Every <= 0 {
		d, err := time.ParseDuration(j.cfg.Store.Setting(ctx, store.SetExportEvery))
		if err != nil || d <= 0 {
			d = 15 * time.Minute
		}
		t.Every = d
	}
	t.URL = cleanURL(t.URL)
	return t
}

// Kick asks for a push now instead of at the next tick.
func (j *Job) Kick() {
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// Run pushes every Every until ctx ends; after a failure it retries sooner, with
// exponential backoff and jitter, so that many towns coming back online at once
// do not hammer the registry together.
func (j *Job) Run(ctx context.Context) {
	for {
		t := j.Target(ctx)
		wait := t.Every
		if t.URL != "" {
			err := j.PushAll(ctx, t)
			if ctx.Err() != nil {
				return
			}
			j.mu.Lock()
			if err != nil {
				j.failures++
				wait = j.backoff(t.Every)
			} else {
				j.failures = 0
			}
			j.nextAt = time.Now().Add(wait)
			j.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-j.kick:
		case <-time.After(wait):
		}
	}
}

// backoff is 1 s doubled with every failure in a row, capped, with the wait drawn
// at random from its upper half (j.mu held).
func (j *Job) backoff(every time.Duration) time.Duration {
	maxWait := j.cfg.MaxBackoff
	if maxWait <= 0 {
		maxWait = min(every, 5*time.Minute)
	}
	d := time.Second << min(j.failures-1, 20)
	if d > maxWait {
		d = maxWait
	}
	return d/2 + rand.N(d/2+1)
}

// PushAll sends every change not yet acknowledged, batch after batch, and stops
// at the first failure (recorded for the administrator). With nothing queued it
// sends an empty batch, so that the registry knows the municipality is alive.
func (j *Job) PushAll(ctx context.Context, t Target) error {
	j.mu.Lock()
	j.running = true
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		j.running = false
		j.mu.Unlock()
	}()
	src := Source{Store: j.cfg.Store}
	st, err := j.cfg.Store.ExportState(ctx)
	if err != nil {
		return err
	}
	acked := st.AckedSeq
	for first := true; ; first = false {
		recs, last, err := src.Next(ctx, acked, app.MaxBatch)
		if err != nil {
			return err
		}
		if len(recs) == 0 && !first {
			return nil
		}
		code := j.cfg.Store.Municipality(ctx).Code
		if err := j.post(ctx, t, code, acked, last, recs); err != nil {
			if ctx.Err() == nil {
				j.cfg.Log.Warn("registry push failed", "err", err, "after_seq", acked)
				if e := j.cfg.Store.ExportFailed(context.WithoutCancel(ctx), err.Error()); e != nil {
					j.cfg.Log.Error("registry push state", "err", e)
				}
			}
			return err
		}
		// The registry holds the batch now: record that even when stopping, so the
		// next start does not send it again.
		if err := j.cfg.Store.ExportAcked(context.WithoutCancel(ctx), last, len(recs)); err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		acked = last
	}
}

// post sends one batch and checks the answer.
func (j *Job) post(ctx context.Context, t Target, code string, from, to int64, recs []app.TicketRecord) error {
	if recs == nil {
		recs = []app.TicketRecord{}
	}
	var body bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&body, gzip.BestSpeed)
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(app.Batch{Municipality: code, BatchID: batchID(code, from, to), Records: recs}); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL+BatchPath, &body)
	if err != nil {
		return fmt.Errorf("адрес реестра %q неверен: %v", t.URL, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+t.Token)
	resp, err := j.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("реестр недоступен: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("реестр ответил %d: %s", resp.StatusCode, errorText(b))
	}
	var res struct{ Accepted, Ignored int }
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("реестр ответил непонятно: %v", err)
	}
	if res.Accepted+res.Ignored != len(recs) {
		return fmt.Errorf("реестр учёл %d записей из %d", res.Accepted+res.Ignored, len(recs))
	}
	return nil
}

// errorText pulls the Russian message out of the contract's error body.
func errorText(b []byte) string {
	var e struct {
		Error struct {
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	s := strings.ToValidUTF8(strings.TrimSpace(string(b)), "�")
	if len(s) > 300 {
		cut := 300 // back to the start of a character: half of one is not UTF-8
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// batchID names a push by the changes it carries and a random suffix, so that
// the registry's log tells resends apart.
func batchID(code string, from, to int64) string {
	b := make([]byte, 4)
	_, _ = crand.Read(b)
	return fmt.Sprintf("%s-%d-%d-%s", code, from+1, to, hex.EncodeToString(b))
}

// State is the job's progress for the administrator's page and JSON.
type State struct {
	Configured    bool    `json:"configured"`
	URL           string  `json:"registry_url"`
	Every         string  `json:"export_every"`
	Running       bool    `json:"running"`
	AckedSeq      int64   `json:"acked_seq"`
	LastSeq       int64   `json:"last_seq"`
	Queued        int     `json:"queued"`
	Pushed        int64   `json:"pushed"`
	BehindSeconds int64   `json:"behind_seconds"`
	LastSuccess   *string `json:"last_success"`
	LastAttempt   *string `json:"last_attempt"`
	LastError     string  `json:"last_error"`
	LastErrorAt   *string `json:"last_error_at"`
	NextAt        *string `json:"next_at"`
	Failing       bool    `json:"failing"`  // the last attempt failed
	Failures      int     `json:"failures"` // failed attempts in a row
}

// StateOf reads the state of the push job of s; job may be nil (not running in
// this process, e.g. under tests), then only the stored progress is shown.
func StateOf(ctx context.Context, s *store.Store, job *Job) (State, error) {
	es, err := s.ExportState(ctx)
	if err != nil {
		return State{}, err
	}
	loc := s.Municipality(ctx).Location
	now := s.Now()
	opt := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		v := app.FormatTime(t, loc)
		return &v
	}
	st := State{
		AckedSeq: es.AckedSeq, LastSeq: es.LastSeq, Queued: es.Queued, Pushed: es.Pushed,
		LastSuccess: opt(es.LastSuccess), LastAttempt: opt(es.LastAttempt),
		LastError: es.LastError, LastErrorAt: opt(es.LastErrorAt),
		Failing: es.Failures > 0, Failures: es.Failures,
	}
	if !es.OldestQueued.IsZero() && now.After(es.OldestQueued) {
		st.BehindSeconds = int64(now.Sub(es.OldestQueued) / time.Second)
	}
	var t Target
	if job != nil {
		t = job.Target(ctx)
		job.mu.Lock()
		st.Running = job.running
		st.NextAt = opt(job.nextAt)
		job.mu.Unlock()
	} else {
		t = (&Job{cfg: Config{Store: s}}).Target(ctx)
	}
	st.Configured, st.URL, st.Every = t.URL != "", t.URL, t.Every.String()
	return st, nil
}
