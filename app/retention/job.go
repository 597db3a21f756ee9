// Package retention anonymises the personal data of finished tickets once the
// municipality's retention period (the setting "retention_years", 3 years by
// default) has passed since their closure: a nightly job, like app/export's
// push, that can also be run once.
package retention

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Job is the nightly anonymisation.
type Job struct {
	Store *store.Store
	// Uploads is the photos' folder (DATA/uploads); the photos of anonymised
	// tickets are removed from it.
	Uploads string
	Log     *slog.Logger
}

// batch is how many tickets one transaction anonymises: the writer is shared
// with the operators, so it is held for short turns.
const batch = 200

// RunOnce anonymises every finished ticket closed before the retention period
// as of now, and returns how many.
func (j *Job) RunOnce(ctx context.Context, now time.Time) (int, error) {
	years := j.Store.RetentionYears(ctx)
	cutoff := app.RetentionCutoff(now, years)
	total := 0
	for {
		n, files, err := j.Store.AnonymizeExpired(ctx, cutoff, years, batch)
		if err != nil {
			return total, err
		}
		total += n
		RemoveFiles(j.Uploads, files, j.Log)
		if n < batch {
			return total, nil
		}
	}
}

// RemoveFiles deletes photo files (relative to uploads) whose rows are gone;
// one that cannot be removed is logged, not fatal: the anonymisation stands.
func RemoveFiles(uploads string, files []string, log *slog.Logger) {
	for _, f := range files {
		err := os.Remove(filepath.Join(uploads, filepath.FromSlash(f)))
		if err != nil && !errors.Is(err, os.ErrNotExist) && log != nil {
			log.Error("retention: photo not removed", "file", f, "err", err)
		}
	}
}

// Run anonymises once at start and then every night after 02:00 in the
// municipality's time zone, until ctx ends.
func (j *Job) Run(ctx context.Context) {
	last := ""
	for {
		m := j.Store.Municipality(ctx)
		now := j.Store.Now().In(m.Location)
		if day := now.Format("2006-01-02"); day != last && (last == "" || now.Hour() >= 2) {
			n, err := j.RunOnce(ctx, now)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				j.Log.Error("retention", "err", err)
			default:
				last = day
				if n > 0 {
					j.Log.Info("retention: personal data anonymised", "tickets", n)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Minute):
		}
	}
}
