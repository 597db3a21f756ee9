package web

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// GoMemoryLimit is the soft limit of the Go runtime's memory (heap, stacks), set
// at start-up unless GOMEMLIMIT says otherwise: with SQLite's own memory
// (sqlkit.HeapLimit) the server stays within what an office PC spares for it (see
// README: «Память»). Near the limit the collector runs more often; it is not a
// hard cap.
const GoMemoryLimit = 32 << 20

// idleGCPercent is the collector's GOGC while the server is idle: the little
// the jobs and the alert watcher allocate then is collected when the heap has
// grown by a tenth, not doubled, so the memory handed back stays handed back
// (measured: 59 MB idle instead of 74 on a million tickets, docs/performance.md).
const idleGCPercent = 10

// ReleaseMemoryWhenIdle gives the memory a burst of traffic left behind back to
// the operating system once requests have stopped for quiet (the collector alone
// would return it only slowly), and keeps the heap small while they stay
// stopped; the first request puts the collector back as it was. What is kept only
// to answer the next request faster goes too: the public pages kept in memory
// (the next visitor's view renders its page again, 5–20 ms) and SQLite's
// connections not in use, with their page caches (the next query opens one
// again, about a millisecond). It runs until ctx ends.
func (s *Server) ReleaseMemoryWhenIdle(ctx context.Context, quiet time.Duration) {
	t := time.NewTicker(quiet / 3)
	defer t.Stop()
	last, lastChange := s.Requests(), time.Now()
	defer s.idle.wake()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := s.Requests(); n != last {
			s.idle.wake()
			last, lastChange = n, time.Now()
			continue
		}
		// Once the quiet spell is long enough, and again at every look while it
		// lasts (a collection of a few megabytes of live heap: milliseconds): the
		// jobs (every minute) and the alert watcher (every second) open connections
		// and allocate on their own, and a release only once a minute left the
		// jobs' memory held for most of it (docs/performance.md, «Memory»).
		if time.Since(lastChange) >= quiet {
			s.idle.sleep()
			s.pages.reset()
			if s.Store != nil {
				s.Store.ReleaseMemory()
			}
			debug.FreeOSMemory()
		}
	}
}

// idleGC is the collector's setting while the server is idle. The first request
// after an idle spell puts it back at once (awake): with GOGC at 10 a burst of
// traffic would pay a collection every few hundred kilobytes until the next look
// of ReleaseMemoryWhenIdle, up to a third of its quiet spell later.
type idleGC struct {
	mu      sync.Mutex
	lowered atomic.Bool
	busy    int // GOGC before it was lowered
}

// sleep lowers the collector's GOGC to idleGCPercent.
func (g *idleGC) sleep() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.lowered.Load() {
		g.busy = debug.SetGCPercent(idleGCPercent)
		g.lowered.Store(true)
	}
}

// wake puts GOGC back as it was before sleep.
func (g *idleGC) wake() {
	if !g.lowered.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lowered.Load() {
		debug.SetGCPercent(g.busy)
		g.lowered.Store(false)
	}
}

// awake is the first handler of every request: it ends the idle spell's
// collector setting. A health check does not (a monitor asks every few seconds).
func (s *Server) awake(c *fiber.Ctx) error {
	if s.idle.lowered.Load() && c.Path() != "/healthz" {
		s.idle.wake()
	}
	return c.Next()
}
