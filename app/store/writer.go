package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
)

// Group commit. SQLite has one writer and, with synchronous=FULL, every commit
// waits for an fsync. Writing one transaction per request would cap the centre at
// the disk's fsync rate; instead, the writes that arrive while a commit is under
// way are run together in the next transaction, each inside its own savepoint, and
// one fsync acknowledges them all. A failing write rolls back to its savepoint and
// takes only its own changes with it, so a rejected ticket still leaves no gap in
// the numbers. No write is acknowledged before the commit that holds it is durable.

// maxGroup caps how many writes share one transaction, so that one slow group
// cannot hold up the writers queued behind it for long.
const maxGroup = 64

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	err  error
	done chan struct{} // closed when the write is durable or has failed
	lead chan struct{} // signalled when this waiter is to lead the next groups
	ran  bool          // its group has run (set by the goroutine that ran it)
}

// writeQueue holds the writes waiting for the writer connection. The goroutine
// of one waiting write leads: it runs groups until its own write is done, then
// hands the lead to the oldest waiter, so nobody serves others for long.
type writeQueue struct {
	mu      sync.Mutex
	pending []*writeReq
	leading bool

	commits, writes atomic.Int64 // for WriteStats
	busy            atomic.Int64 // nanoseconds in commitGroup, for WriteStats
}

// WriteStats counts the transactions the writer committed (or tried to) and the
// writes they held: writes per commit shows how much group commit saves.
type WriteStats struct {
	Commits, Writes int64
	// Busy is the time the writer spent in transactions (and their commits).
	Busy time.Duration
	// Checkpoint: the checkpoints beside the writer, and how long they held it.
	Checkpoint sqlkit.CheckpointStats
}

// WriteStats returns the counts since the store was opened.
func (s *Store) WriteStats() WriteStats {
	return WriteStats{s.wq.commits.Load(), s.wq.writes.Load(), time.Duration(s.wq.busy.Load()), s.db.CheckpointStats()}
}

// Write runs fn in one immediate transaction (shared with concurrent writes, each
// in its own savepoint), committing when fn returns nil and undoing fn's changes
// otherwise. fn must not call Write itself.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	q := &s.wq
	q.mu.Lock()
	q.pending = append(q.pending, r)
	if q.leading {
		q.mu.Unlock()
		select {
		case <-r.done:
			return r.err
		case <-r.lead:
		}
		q.mu.Lock()
	}
	q.leading = true
	for {
		if r.ran {
			// This write is committed (or failed): the lead passes on now, and the
			// wait for the fsync that makes it durable overlaps the next group.
			if len(q.pending) > 0 {
				q.pending[0].lead <- struct{}{}
			} else {
				q.leading = false
			}
			q.mu.Unlock()
			<-r.done
			return r.err
		}
		n := min(len(q.pending), maxGroup)
		group := q.pending[:n:n]
		q.pending = append([]*writeReq(nil), q.pending[n:]...)
		q.mu.Unlock()
		s.runGroup(group)
		q.mu.Lock()
	}
}

// runGroup runs the writes of group in one transaction and reports to each: at
// once when nothing was committed, after the fsync (syncer) otherwise.
func (s *Store) runGroup(group []*writeReq) {
	for _, r := range group {
		r.ran = true
	}
	if s.commitGroup(group) {
		s.syncer.add(group)
		return
	}
	for _, r := range group {
		close(r.done)
	}
}

// commitGroup runs the writes of group in one transaction, and reports whether it
// committed any change.
func (s *Store) commitGroup(group []*writeReq) bool {
	defer func(t0 time.Time) { s.wq.busy.Add(int64(time.Since(t0))) }(time.Now())
	s.wq.commits.Add(1)
	s.wq.writes.Add(int64(len(group)))
	sqlTx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range group {
			r.err = translate(err)
		}
		return false
	}
	single := len(group) == 1
	var drop [3]bool
	var changed Scope // what the group's writes changed, see changes.go
	changedAll := false
	broken := error(nil)
	stored := 0 // writes of the group that succeeded
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		// The statements run without the request's cancellation: interrupting
		// SQLite mid-statement would roll back the whole shared transaction.
		tx := &Tx{tx: sqlTx, s: s, ctx: context.WithoutCancel(r.ctx), now: s.Now().UTC().Truncate(time.Second), user: app.UserFrom(r.ctx),
			groupDirty: drop[0] || drop[1] || drop[2]}
		if !single {
			if _, err := s.execIn(sqlTx, "SAVEPOINT w"); err != nil {
				broken = err
				break
			}
		}
		err := runFn(r.fn, tx)
		if err != nil {
			r.err = translate(err)
			if tx.dropSettings || tx.dropWorkTypes || tx.dropBuildings {
				drop = [3]bool{true, true, true}
			}
			if single {
				sqlTx.Rollback()
				s.dropCaches(drop[0], drop[1], drop[2])
				return false
			}
			if _, err := s.execIn(sqlTx, "ROLLBACK TO w"); err != nil {
				broken = err
				break
			}
			if _, err := s.execIn(sqlTx, "RELEASE w"); err != nil {
				broken = err
				break
			}
			continue
		}
		if !single {
			if _, err := s.execIn(sqlTx, "RELEASE w"); err != nil {
				broken = err
				break
			}
		}
		drop[0] = drop[0] || tx.dropSettings
		drop[1] = drop[1] || tx.dropWorkTypes
		drop[2] = drop[2] || tx.dropBuildings
		sc, a := tx.touched()
		changed, changedAll = changed|sc, changedAll || a
		stored++
	}
	if broken == nil {
		broken = sqlTx.Commit()
	} else {
		sqlTx.Rollback()
	}
	if broken != nil {
		// Nothing of the group is stored: every write that seemed to succeed fails,
		// and so does every one that did not get its turn.
		for _, r := range group {
			if r.err == nil {
				r.err = translate(broken)
			}
		}
		drop = [3]bool{true, true, true}
		s.changes.count(0, true) // most likely nothing changed; a cache rebuilt costs little
	} else if stored > 0 {
		s.changes.count(changed, changedAll)
		s.db.Wrote()
	}
	s.dropCaches(drop[0], drop[1], drop[2])
	s.prepareWanted()
	return broken == nil && stored > 0
}

// runFn runs fn, turning a panic into an error: the goroutine running the group is
// another request's, which must not die of it.
func runFn(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a write: %v", p)
		}
	}()
	return fn(tx)
}

// stmtCache keeps the writer's statements prepared: parsing SQL is a good part of a
// short write. Statements can only be prepared while no transaction holds the one
// writer connection, so a statement first seen inside a transaction runs unprepared
// and is prepared after that group commits.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

// maxStmts bounds the cache; queries built with varying text would never repeat.
const maxStmts = 256

// execIn runs q in sqlTx, prepared once it is in the cache (the savepoints of
// group commit: three statements around every write).
func (s *Store) execIn(sqlTx *sql.Tx, q string) (sql.Result, error) {
	if st := s.stmt(q); st != nil {
		return sqlTx.Stmt(st).Exec()
	}
	return sqlTx.Exec(q)
}

func (s *Store) stmt(q string) *sql.Stmt {
	c := &s.stmtCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st
	}
	if len(c.stmts)+len(c.wanted) < maxStmts {
		if c.wanted == nil {
			c.wanted = map[string]bool{}
		}
		c.wanted[q] = true
	}
	return nil
}

func (s *Store) prepareWanted() {
	c := &s.stmtCache
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.wanted {
		st, err := s.w.Prepare(q)
		if err == nil {
			if c.stmts == nil {
				c.stmts = map[string]*sql.Stmt{}
			}
			c.stmts[q] = st
		}
		delete(c.wanted, q)
	}
}

// readStmts keeps the readers' hot queries prepared on the read pool; each pooled
// connection prepares a statement once, on first use.
type readStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// readQuery runs a read through a prepared statement when the cache has room.
func (s *Store) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.readStmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.r.QueryContext(ctx, q, args...)
}

func (s *Store) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.readStmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, q, args...)
}

func (s *Store) readStmt(ctx context.Context, q string) *sql.Stmt {
	c := &s.readCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st
	}
	if len(c.stmts) >= maxStmts {
		return nil
	}
	st, err := s.r.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[q] = st
	return st
}

// locations caches time zones: loading one reads the zone database from disk.
var locations sync.Map

func loadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err == nil {
		locations.Store(name, l)
	}
	return l, err
}
