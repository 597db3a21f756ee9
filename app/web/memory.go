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

// ReleaseMemoryWhenIdle gives the memory a burst of traffic left behind back to
// the operating system once requests have stopped for quiet: the collector alone
// would return it only slowly. It runs until ctx ends.
func (s *Server) ReleaseMemoryWhenIdle(ctx context.Context, quiet time.Duration) {
	t := time.NewTicker(quiet / 3)
	defer t.Stop()
	last, lastChange, released := s.Requests(), time.Now(), true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := s.Requests(); n != last {
			last, lastChange, released = n, time.Now(), false
			continue
		}
		if !released && time.Since(lastChange) >= quiet {
			debug.FreeOSMemory()
			released = true
		}
	}
}
