// Package backup is the centre's nightly copy job: a copy of the database in
// DATA/backups (the last Keep), taken after 03:00 in the municipality's zone, and
// one at start-up if today's is missing.
package backup

import (
	"context"
	"log/slog"
	"time"

	"github.com/ecoz/ecoz/app/store"
)

// Job keeps the nightly copies of one store.
type Job struct {
	Store *store.Store
	Dir   string // where the copies go (DATA/backups)
	Log   *slog.Logger
	// Keep is how many copies stay (default 14); Every is how often the job looks
	// whether today's copy is due (default 30 min).
	Keep  int
	Every time.Duration
}

// Run copies when due until ctx ends. A copy in progress is cancelled with ctx:
// its partial file is removed, and the next start copies again.
func (j *Job) Run(ctx context.Context) {
	keep, every, log := j.Keep, j.Every, j.Log
	if keep <= 0 {
		keep = 14
	}
	if every <= 0 {
		every = 30 * time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	for {
		loc := j.Store.Municipality(ctx).Location
		now := time.Now().In(loc)
		if now.Hour() >= 3 {
			if out, err := j.Store.NightlyBackup(ctx, j.Dir, now, keep); err != nil {
				if ctx.Err() != nil {
					return
				}
				log.Error("nightly backup", "err", err)
			} else {
				log.Debug("nightly backup", "file", out)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
