package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/backup"
)

// job is a backup job over a fresh store whose clock the test moves; requests
// counts the "requests" the test makes.
func job(t *testing.T, at time.Time) (*backup.Job, *apptest.Clock, *atomic.Int64) {
	t.Helper()
	s, clock := apptest.Open(t)
	clock.Set(at)
	var requests atomic.Int64
	j := backup.New(s, filepath.Join(t.TempDir(), "backups"), requests.Load, apptest.Logger(t))
	return j, clock, &requests
}

// step runs one step and reports whether it wrote a copy.
func step(t *testing.T, j *backup.Job) bool {
	t.Helper()
	out, err := j.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		if _, err := os.Stat(out); err != nil {
			t.Fatalf("copy reported but missing: %v", err)
		}
	}
	return out != ""
}

// TestFirstBackupWaitsForQuiet: started at noon without today's copy (as after a
// restore), the job does not copy at once, nor while requests keep coming, but
// after the settling time and two quiet minutes; then not again that day.
func TestFirstBackupWaitsForQuiet(t *testing.T) {
	j, clock, requests := job(t, apptest.Now) // 12:00 in Moscow
	if step(t, j) {
		t.Fatal("copied at once at start-up")
	}
	// Busy: a request between every two steps for 15 minutes.
	for i := 0; i < 60; i++ {
		clock.Advance(15 * time.Second)
		requests.Add(1)
		if step(t, j) {
			t.Fatalf("copied %s after the start while requests kept coming", time.Duration(i+1)*15*time.Second)
		}
	}
	// Quiet for a minute: not yet.
	for i := 0; i < 4; i++ {
		clock.Advance(15 * time.Second)
		if step(t, j) {
			t.Fatalf("copied after only %s of quiet", time.Duration(i+1)*15*time.Second)
		}
	}
	// Quiet for two minutes: now.
	took := false
	for i := 0; i < 4 && !took; i++ {
		clock.Advance(15 * time.Second)
		took = step(t, j)
	}
	if !took {
		t.Fatal("no copy after two quiet minutes")
	}
	if _, err := os.Stat(j.Path(context.Background(), clock.Now())); err != nil {
		t.Fatalf("today's copy is not where it belongs: %v", err)
	}
	clock.Advance(3 * time.Hour)
	if step(t, j) {
		t.Error("a second copy the same day")
	}
}

// TestBusyCentreStillGetsItsCopy: a centre that never falls quiet gets its copy
// two hours after it became due.
func TestBusyCentreStillGetsItsCopy(t *testing.T) {
	j, clock, requests := job(t, apptest.Now)
	start := clock.Now()
	for clock.Now().Sub(start) < 3*time.Hour {
		clock.Advance(15 * time.Second)
		requests.Add(1)
		if step(t, j) {
			if waited := clock.Now().Sub(start); waited < 2*time.Hour || waited > 2*time.Hour+time.Minute {
				t.Fatalf("copied after %s of constant requests, want 2 h", waited)
			}
			return
		}
	}
	t.Fatal("no copy in three hours of constant requests")
}

// TestNoCopyBeforeThree: before 03:00 local time the day's copy is not due, quiet
// or not; at 03:00 it is (once the start has settled).
func TestNoCopyBeforeThree(t *testing.T) {
	// 01:00 in Moscow, started long ago: the settling time is behind.
	night := time.Date(2026, 11, 15, 22, 0, 0, 0, time.UTC)
	j, clock, _ := job(t, night.Add(-time.Hour))
	clock.Set(night)
	for clock.Now().Before(night.Add(2*time.Hour - time.Minute)) {
		if step(t, j) {
			t.Fatalf("copied at %s local, before 03:00", clock.Now().Add(3*time.Hour).Format("15:04"))
		}
		clock.Advance(time.Minute)
	}
	clock.Set(night.Add(2*time.Hour + 2*time.Minute + 30*time.Second)) // 03:02:30
	if !step(t, j) {
		t.Error("no copy at 03:02 after a quiet night")
	}
}
