// Package backup is the job that keeps the nightly copies of a centre's database:
// one a day after 03:00 local time, taken at a quiet moment, the last 14 kept.
//
// Copying the database reads all of it (a gigabyte on a million tickets) and
// slows every request while it runs, so a copy that is due waits:
//   - after a start (an upgrade, a restore, a copy moved to a new PC — when
//     today's copy is usually missing) for Settle, so that the morning's first
//     requests and the rating's backfill are not slowed by it;
//   - then for Quiet without any request or write, as found every Poll;
//   - but never longer than MaxWait after it became due: a centre busy all day
//     still gets its copy.
package backup

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ecoz/ecoz/app/store"
)

// Defaults of the job's timing.
const (
	DefaultSettle  = 10 * time.Minute
	DefaultQuiet   = 2 * time.Minute
	DefaultMaxWait = 2 * time.Hour
	DefaultPoll    = 15 * time.Second
	DefaultKeep    = 14
	// After is the local hour from which the day's copy is due.
	After = 3
)

// Job takes the nightly copies of Store into Dir.
type Job struct {
	Store *store.Store
	Dir   string
	Log   *slog.Logger
	// Activity is a count that grows with every request and write (nil: the
	// store's writes only).
	Activity func() int64
	Keep     int

	Settle, Quiet, MaxWait, Poll time.Duration

	started    time.Time
	count      int64
	lastActive time.Time
	dueSince   time.Time
}

// New returns the job with the default timing, started now (by the store's clock).
func New(s *store.Store, dir string, activity func() int64, log *slog.Logger) *Job {
	if log == nil {
		log = slog.Default()
	}
	if activity == nil {
		activity = func() int64 { return s.WriteStats().Writes }
	}
	now := s.Now()
	return &Job{Store: s, Dir: dir, Log: log, Activity: activity, Keep: DefaultKeep,
		Settle: DefaultSettle, Quiet: DefaultQuiet, MaxWait: DefaultMaxWait, Poll: DefaultPoll,
		started: now, lastActive: now, count: activity()}
}

// Run calls Step every Poll until ctx ends.
func (j *Job) Run(ctx context.Context) {
	t := time.NewTicker(j.Poll)
	defer t.Stop()
	for {
		if _, err := j.Step(ctx); err != nil {
			if ctx.Err() != nil {
				return // stopped mid-copy: the partial file is gone, the next start copies again
			}
			j.Log.Error("nightly backup", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Path is the file of the copy of the local day of now.
func (j *Job) Path(ctx context.Context, now time.Time) string {
	local := now.In(j.Store.Municipality(ctx).Location)
	return filepath.Join(j.Dir, "ecoz-"+local.Format("2006-01-02")+".db")
}

// Step looks at the activity since the last step and, when today's copy is due
// and the moment has come (see the package comment), takes it. It returns the
// file written, "" when none was.
func (j *Job) Step(ctx context.Context) (string, error) {
	now := j.Store.Now()
	if c := j.Activity(); c != j.count {
		j.count, j.lastActive = c, now
	}
	local := now.In(j.Store.Municipality(ctx).Location)
	if local.Hour() < After {
		j.dueSince = time.Time{}
		return "", nil
	}
	if _, err := os.Stat(j.Path(ctx, now)); err == nil {
		j.dueSince = time.Time{}
		return "", nil
	}
	if j.dueSince.IsZero() {
		j.dueSince = now
	}
	if now.Sub(j.started) < j.Settle {
		return "", nil
	}
	if now.Sub(j.lastActive) < j.Quiet && now.Sub(j.dueSince) < j.MaxWait {
		return "", nil
	}
	start := time.Now()
	out, err := j.Store.NightlyBackup(ctx, j.Dir, local, j.Keep)
	if err != nil {
		return "", err
	}
	j.dueSince = time.Time{}
	j.Log.Info("nightly backup", "file", out, "ms", time.Since(start).Milliseconds(), "quiet_for", now.Sub(j.lastActive).Round(time.Second).String())
	return out, nil
}
