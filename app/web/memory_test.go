package web

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestIdleCollectorComesBack: after a quiet spell the collector runs at
// idleGCPercent; the first request puts it back as it was (GOGC's own value, not
// a default), and so does the end of the job.
func TestIdleCollectorComesBack(t *testing.T) {
	was := debug.SetGCPercent(150)
	defer debug.SetGCPercent(was)
	s := &Server{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.ReleaseMemoryWhenIdle(ctx, 100*time.Millisecond); close(done) }()
	gc := func() int {
		m := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(m)
		return int(m[0].Value.Uint64())
	}
	busy := func() { // requests for a while: seen as activity whenever the job looks
		for i := 0; i < 30; i++ {
			s.requests.Add(1)
			time.Sleep(5 * time.Millisecond)
		}
	}
	busy()
	wait := func(want int, what string) {
		t.Helper()
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if gc() == want {
				return
			}
		}
		t.Fatalf("%s: GOGC %d, want %d", what, gc(), want)
	}
	wait(idleGCPercent, "after the quiet spell")
	busy()
	wait(150, "after requests")
	wait(idleGCPercent, "after the next quiet spell")
	cancel()
	<-done
	if v := gc(); v != 150 {
		t.Fatalf("after the job ended: GOGC %d, want 150", v)
	}
}
