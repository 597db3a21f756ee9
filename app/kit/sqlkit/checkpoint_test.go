package sqlkit_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/kit/sqlkit"
)

// shortCheckpoints makes the checkpointer's rounds and its limit small enough to
// watch in a test.
func shortCheckpoints(t *testing.T, restart int) {
	pause, poll, frames := sqlkit.CheckpointPause, sqlkit.CheckpointPoll, sqlkit.RestartFrames
	sqlkit.CheckpointPause, sqlkit.CheckpointPoll, sqlkit.RestartFrames = time.Millisecond, 20*time.Millisecond, restart
	t.Cleanup(func() { sqlkit.CheckpointPause, sqlkit.CheckpointPoll, sqlkit.RestartFrames = pause, poll, frames })
}

func openNotes(t *testing.T) (*sqlkit.DB, string) {
	return openNotesAt(t, filepath.Join(t.TempDir(), "t.db"))
}

func size(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestCheckpointsKeepTheWALShort: a writer that never pauses, beside readers that
// never pause, each commit reported. The checkpoints run beside the writer, not in
// its commits, and still the -wal file starts over once it passes RestartFrames
// pages: it never holds more than a few rounds of writes, although the writes
// together are ten times the limit. Every row is there after a reopen.
func TestCheckpointsKeepTheWALShort(t *testing.T) {
	shortCheckpoints(t, 64)
	db, path := openNotes(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for i := 0; i < 2; i++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond) // the next request
			}
		}()
	}
	body := strings.Repeat("течёт кран ", 150) // 3,000 bytes: a page a row
	const rows = 800
	var largest int64
	for i := 0; i < rows; i++ {
		if _, err := db.W.ExecContext(ctx, "INSERT INTO notes (body) VALUES (?)", body); err != nil {
			t.Fatal(err)
		}
		db.Wrote()
		if i%10 == 0 {
			time.Sleep(time.Millisecond) // a few rounds of the checkpointer run meanwhile
		}
		largest = max(largest, size(t, path+"-wal"))
	}
	close(stop)
	readers.Wait()
	st := db.CheckpointStats()
	if st.Runs == 0 || st.Finishes == 0 {
		t.Errorf("checkpoints %+v: want rounds beside the writer, and some finished on it", st)
	}
	// Without the restarts the file would hold every row: 800 pages and more. A
	// finish that found a reader still in the file waits a quarter of a second
	// before the next try (slow under the race detector), so the bound is loose.
	if pages := largest / 4096; pages > rows/2 {
		if raceDetector {
			t.Logf("the -wal file grew to %d pages (race detector: not checked)", pages)
		} else {
			t.Errorf("the -wal file grew to %d pages while the limit is 64: it did not start over", pages)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, _ = openNotesAt(t, path)
	defer db.Close()
	var n int
	if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != rows {
		t.Fatalf("after a reopen: %d rows, %v; want %d", n, err, rows)
	}
}

func openNotesAt(t *testing.T, path string) (*sqlkit.DB, string) {
	db, err := sqlkit.Open(path, sqlkit.Schema{SQL: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);", Noun: "база данных", Of: "теста"})
	if err != nil {
		t.Fatal(err)
	}
	return db, path
}

// TestCheckpointsFindUnreportedWrites: writes nobody reports (a migration, a tool
// writing through the pool) reach the database file too, by the poll, while the
// connections stay open.
func TestCheckpointsFindUnreportedWrites(t *testing.T) {
	shortCheckpoints(t, 1<<20)
	db, path := openNotes(t)
	defer db.Close()
	ctx := context.Background()
	time.Sleep(50 * time.Millisecond) // the schema's pages copied
	before := size(t, path)
	body := strings.Repeat("нет отопления ", 300)
	for i := 0; i < 50; i++ {
		if _, err := db.W.ExecContext(ctx, "INSERT INTO notes (body) VALUES (?)", body); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for size(t, path) < before+40*4096 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 5 s after 50 rows of 4 KB (%d before): nothing was checkpointed", size(t, path), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
