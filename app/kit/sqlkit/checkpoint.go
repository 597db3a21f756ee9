package sqlkit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// Checkpoints off the writer's path.
//
// In WAL mode a commit appends the pages it changed to the -wal file, and a
// checkpoint copies them back into the database file. SQLite's own
// (wal_autocheckpoint) runs inside the commit that takes the file past 1,000
// pages, on the one writer connection: on ticket creation it was 13 % of the CPU,
// and an fsync of the database file, on the path of every write queued behind it.
// So the writer connection has it off (DSN), and a goroutine of the DB
// checkpoints on a reader connection (a query_only connection may: a checkpoint
// changes no data), PASSIVE: the writer and the other readers go on meanwhile,
// and a page written many times between two checkpoints is copied once. No
// connection of its own: that would be one more copy of the schema in memory.
//
// A checkpoint beside a busy writer never quite catches up, and SQLite writes the
// -wal file again from its start only when a write begins with all of it copied.
// So once the file holds RestartFrames pages, the goroutine finishes on the writer
// connection itself, between two transactions: it copies the little written since
// the last checkpoint, and the next write starts the file over. Writers report
// their commits (DB.Wrote); writes nobody reports are found by a look at the
// -wal file every second.

// The checkpointer's settings; variables so that tests can shorten them.
var (
	// CheckpointPause is the least time between two checkpoints.
	CheckpointPause = 100 * time.Millisecond
	// CheckpointPoll is how often the goroutine looks for writes nobody reported
	// (a change of the -wal file).
	CheckpointPoll = time.Second
	// RestartFrames is the size of the -wal file, in pages, past which the
	// checkpoint is finished on the writer connection (32,768 pages of 4 KB: 128 MB).
	RestartFrames = 32768
)

// finishWait bounds how long a finish waits for the readers of the -wal file,
// holding the writer meanwhile; finishRetry is the pause after one waited in vain.
const (
	finishWait  = 50 * time.Millisecond
	finishRetry = 250 * time.Millisecond
	finishStep  = 200 * time.Microsecond
)

// The catch-up before a finish: at most catchUpRounds more checkpoints, until one
// finds fewer than catchUpFrames pages new since the one before.
const (
	catchUpRounds = 3
	catchUpFrames = 1000
)

type checkpointer struct {
	r     *sql.DB // the readers: a checkpoint runs on one of them
	w     *sql.DB // the writer, for the finish
	nudge chan struct{}
	stop  chan struct{}
	done  chan struct{}

	retryAt  time.Time // no finish before: the last one waited for a reader in vain
	finished int       // the -wal file's pages at the last finish

	wal     string // the -wal file's path
	walSize int64  // its size and time at the last look
	walTime time.Time

	runs, finishes, held atomic.Int64 // for CheckpointStats (held: nanoseconds)
}

// CheckpointStats counts the checkpoints run in the background and those finished
// on the writer connection, and the time the finishes held the writer (every
// write waited meanwhile).
type CheckpointStats struct {
	Runs, Finishes int64
	Held           time.Duration
}

// CheckpointStats returns the counts since the database was opened.
func (db *DB) CheckpointStats() CheckpointStats {
	return CheckpointStats{db.ckpt.runs.Load(), db.ckpt.finishes.Load(), time.Duration(db.ckpt.held.Load())}
}

// Wrote tells the checkpointer that a write transaction committed. It never blocks.
func (db *DB) Wrote() {
	select {
	case db.ckpt.nudge <- struct{}{}:
	default:
	}
}

func (db *DB) startCheckpointer() {
	c := &checkpointer{r: db.R, w: db.W, wal: db.Path + "-wal", nudge: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	db.ckpt = c
	go c.run()
}

// stopCheckpointer ends the goroutine; Close then checkpoints what is left on the
// writer.
func (db *DB) stopCheckpointer() {
	c := db.ckpt
	if c == nil {
		return
	}
	close(c.stop)
	<-c.done
}

func (c *checkpointer) run() {
	defer close(c.done)
	poll := time.NewTicker(CheckpointPoll)
	defer poll.Stop()
	var last time.Time
	for {
		select {
		case <-c.stop:
			return
		case <-c.nudge:
		case <-poll.C:
			// Writes nobody reported change the -wal file. Looking costs a
			// stat, not a connection: a server gone quiet keeps none open.
			if !c.walChanged() {
				continue
			}
		}
		if d := CheckpointPause - time.Since(last); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-c.stop:
				t.Stop()
				return
			case <-t.C:
			}
		}
		last = time.Now()
		c.walChanged() // what this checkpoint will have copied
		c.checkpoint()
	}
}

// walChanged reports whether the -wal file's size or time changed since the last
// look.
func (c *checkpointer) walChanged() bool {
	st, err := os.Stat(c.wal)
	if err != nil {
		return false
	}
	changed := st.Size() != c.walSize || !st.ModTime().Equal(c.walTime)
	c.walSize, c.walTime = st.Size(), st.ModTime()
	return changed
}

// checkpoint copies what the -wal file holds into the database file, and finishes
// on the writer when the file has grown past RestartFrames. An error (a disk
// error, the database closing) is left to the next round: the -wal file keeps
// every page meanwhile.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	frames, err := c.passive(ctx)
	if err != nil {
		return
	}
	c.runs.Add(1)
	if frames < RestartFrames || frames == c.finished || time.Now().Before(c.retryAt) {
		// frames == c.finished: the file was finished and no write came since;
		// the next write starts it over.
		return
	}
	// Catch up before the writer is held: while the checkpoint above copied, the
	// writer went on appending. What is left when the finish takes the writer is
	// what the writer waits for (a round of copying takes tens of milliseconds at
	// full load; the last one, a few hundred pages).
	for i := 0; i < catchUpRounds; i++ {
		before := frames
		if frames, err = c.passive(ctx); err != nil {
			return
		}
		c.runs.Add(1)
		if frames-before < catchUpFrames {
			break
		}
	}
	if frames < RestartFrames {
		return // started over meanwhile
	}
	c.finish(ctx)
}

// passive runs a PASSIVE checkpoint on a reader and returns the -wal file's pages.
func (c *checkpointer) passive(ctx context.Context) (frames int, err error) {
	var busy, copied int
	err = c.r.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, err
}

// finish checkpoints on the writer connection, between two transactions, in
// RESTART mode: it copies what was written since the round before and waits for
// the readers still reading the -wal file, which take milliseconds, so that the
// next write starts the file over. A reader that takes longer (a backup) is not
// waited for beyond finishWait: the writes behind would wait as long; the finish
// is tried again a little later (finishRetry).
//
// The writer waits for the copy of what the catch-up left (a few hundred pages)
// and an fsync of the database file. On ticket creation at full load a finish
// took 45–57 ms right after one round of copying, 18–73 ms after the catch-up
// (30 November): the fsync takes 1–87 ms on that disk, whatever it writes; the
// catch-up cut the share of the time the writer was held, 7.9–9.2 % to 4.8–6.7 %.
func (c *checkpointer) finish(ctx context.Context) {
	conn, err := c.w.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	defer func(t0 time.Time) { c.held.Add(int64(time.Since(t0))) }(time.Now())
	var timeout int
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		return
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return
	}
	defer conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", timeout))
	// SQLite's own wait for a busy lock sleeps 1, 2, 5, 10, 15… ms between tries,
	// while a reader is done within a millisecond: the writer would wait for the
	// sleeps, not for the readers. So the finish waits outside SQLite, trying
	// again every finishStep for at most finishWait. Only the first try copies and
	// syncs; the next ones only look whether the readers are gone.
	deadline := time.Now().Add(finishWait)
	for {
		var busy, frames, copied int
		err = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &copied)
		if err == nil && busy == 0 {
			c.finished = frames
			c.finishes.Add(1)
			return
		}
		if err != nil || time.Now().After(deadline) {
			c.retryAt = time.Now().Add(finishRetry)
			return
		}
		time.Sleep(finishStep)
	}
}
