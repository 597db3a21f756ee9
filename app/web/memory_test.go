package web

import (
	"context"
	"net/http/httptest"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
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

// TestFirstRequestWakesTheCollector: the request that ends an idle spell finds
// GOGC back as it was when it is answered, not at the job's next look (a third of
// the quiet spell later); a health check leaves it idle.
func TestFirstRequestWakesTheCollector(t *testing.T) {
	was := debug.SetGCPercent(150)
	defer debug.SetGCPercent(was)
	s := &Server{}
	a := fiber.New()
	a.Use(s.awake)
	a.Get("/*", func(c *fiber.Ctx) error { return c.SendString("ok") })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.ReleaseMemoryWhenIdle(ctx, 150*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	gc := func() int {
		m := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(m)
		return int(m[0].Value.Uint64())
	}
	for i := 0; i < 30; i++ { // traffic, then a quiet spell
		s.requests.Add(1)
		time.Sleep(5 * time.Millisecond)
	}
	for end := time.Now().Add(2 * time.Second); gc() != idleGCPercent; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("after the quiet spell: GOGC %d, want %d", gc(), idleGCPercent)
		}
	}
	get := func(path string) {
		t.Helper()
		resp, err := a.Test(httptest.NewRequest("GET", path, nil))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	get("/healthz")
	if v := gc(); v != idleGCPercent {
		t.Fatalf("after a health check: GOGC %d, want %d (still idle)", v, idleGCPercent)
	}
	get("/work/")
	if v := gc(); v != 150 {
		t.Fatalf("right after the first request: GOGC %d, want 150", v)
	}
}
