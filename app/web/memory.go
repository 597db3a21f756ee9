package web

import (
	"context"
	"runtime/debug"
	"time"
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
// stopped; the first request puts the collector back as it was. It runs until
// ctx ends.
func (s *Server) ReleaseMemoryWhenIdle(ctx context.Context, quiet time.Duration) {
	t := time.NewTicker(quiet / 3)
	defer t.Stop()
	last, lastChange, released := s.Requests(), time.Now(), true
	busyGC, lowered := 0, false
	defer func() {
		if lowered {
			debug.SetGCPercent(busyGC)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := s.Requests(); n != last {
			if lowered {
				debug.SetGCPercent(busyGC)
				lowered = false
			}
			last, lastChange, released = n, time.Now(), false
			continue
		}
		if !released && time.Since(lastChange) >= quiet {
			busyGC, lowered = debug.SetGCPercent(idleGCPercent), true
			debug.FreeOSMemory()
			released = true
		}
	}
}
