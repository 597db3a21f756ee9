package loadtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/loadtest"
)

// TestRunCountsAndChecks: a bounded run makes exactly the requests asked for,
// counts a wrong status as an error (and names it), and orders its percentiles.
func TestRunCountsAndChecks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("slow") != "" {
			time.Sleep(20 * time.Millisecond)
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	get := func(path string) func(int64) (*http.Request, error) {
		return func(i int64) (*http.Request, error) {
			if i%10 == 9 {
				return http.NewRequest("GET", srv.URL+path+"?slow=1", nil)
			}
			return http.NewRequest("GET", srv.URL+path, nil)
		}
	}
	r := loadtest.Run(context.Background(), loadtest.Scenario{Name: "ok", Make: get("/")}, loadtest.Options{Clients: 4, Requests: 200})
	if r.Requests != 200 || r.Errors != 0 || r.Clients != 4 {
		t.Fatalf("%d requests, %d errors (%v), want 200 and 0", r.Requests, r.Errors, r.FirstErr)
	}
	if !(r.P50 <= r.P99 && r.P99 <= r.Max) || r.P99 < 20*time.Millisecond || r.P50 >= 20*time.Millisecond {
		t.Errorf("percentiles p50 %v p99 %v max %v: a tenth of the requests take 20 ms", r.P50, r.P99, r.Max)
	}
	if r.PerSecond() <= 0 || r.CPU != -1 || r.CPUPerRequest() != -1 {
		t.Errorf("throughput %v, CPU %v without a process", r.PerSecond(), r.CPU)
	}
	bad := loadtest.Run(context.Background(), loadtest.Scenario{Name: "404", Make: get("/missing")}, loadtest.Options{Clients: 2, Requests: 10})
	if bad.Requests != 0 || bad.Errors != 10 || bad.FirstErr == nil {
		t.Errorf("404s: %d answered, %d errors (%v); want 0 and 10", bad.Requests, bad.Errors, bad.FirstErr)
	}
	timed := loadtest.Run(context.Background(), loadtest.Scenario{Name: "timed", Make: get("/")}, loadtest.Options{Clients: 2, Duration: 200 * time.Millisecond})
	if timed.Elapsed > time.Second || timed.Requests == 0 || timed.Errors != 0 {
		t.Errorf("a 200 ms run took %v, %d requests, %d errors (%v)", timed.Elapsed, timed.Requests, timed.Errors, timed.FirstErr)
	}
}

// TestProcessFigures: this process's CPU time grows while it works, and its
// resident memory is read.
func TestProcessFigures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process figures come from /proc")
	}
	pid := os.Getpid()
	c0, err := loadtest.ProcessCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the CPU time has grown by a few ticks; a busy machine may give
	// this process little of each second, so the wall-clock bound is generous.
	c1 := c0
	for start := time.Now(); c1-c0 < 30*time.Millisecond; c1, _ = loadtest.ProcessCPU(pid) {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("CPU time grew by %v over 20 s of spinning", c1-c0)
		}
	}
	rss, peak, err := loadtest.ProcessMemory(pid)
	if err != nil || rss <= 1<<20 || peak < rss {
		t.Errorf("RSS %d, peak %d, %v", rss, peak, err)
	}
}
