// Package loadtest measures a running server the way its users meet it: over HTTP
// on loopback, from one or many clients at once, each waiting for its answer before
// asking again. It reports throughput, the median and 99th-percentile latency and
// the CPU time the server process spent per request (read from /proc, so that a
// machine busy with other work inflates the latencies but not the CPU figure).
//
// The benchmarks in this package run the real ecoz binary on a copy of the
// database of a million tickets (see load_test.go and docs/performance.md), and
// the bare-limits program in ./bare, the floor the same parts can reach.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Scenario is one kind of request, made again and again.
type Scenario struct {
	Name string
	// Make builds the i-th request (i counts from 0 across all clients).
	Make func(i int64) (*http.Request, error)
	// Want is the status every answer must have; 0 means 200, AnySuccess any 2xx
	// (a mix of reads and writes).
	Want int
	// Check, if set, looks at each answer's body too.
	Check func(status int, body []byte) error
}

// AnySuccess as a Scenario's Want accepts any 2xx status.
const AnySuccess = -1

// Options bound a run: it stops after Requests requests or Duration, whichever
// comes first (at least one of them must be set).
type Options struct {
	Clients  int
	Requests int
	Duration time.Duration
	// PID is the server's process, for its CPU time; 0 leaves CPU out.
	PID int
	// Client sends the requests; nil means one with keep-alive for every client.
	Client *http.Client
}

// Result is what one run measured.
type Result struct {
	Name     string
	Clients  int
	Requests int // answered with the wanted status
	Errors   int // transport errors, wrong statuses, failed checks
	FirstErr error
	Elapsed  time.Duration
	P50, P99 time.Duration
	Max      time.Duration
	// CPU is the server's user+system CPU time over the run (-1: not measured).
	CPU time.Duration
}

// PerSecond is the throughput: answered requests per second of wall time.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// CPUPerRequest is the server's CPU time per answered request (-1: not measured).
func (r Result) CPUPerRequest() time.Duration {
	if r.CPU < 0 || r.Requests == 0 {
		return -1
	}
	return r.CPU / time.Duration(r.Requests)
}

func (r Result) String() string {
	cpu := "—"
	if c := r.CPUPerRequest(); c >= 0 {
		cpu = fmt.Sprintf("%.2f ms", ms(c))
	}
	return fmt.Sprintf("%-28s %2d clients: %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %s/req  (%d requests, %d errors)",
		r.Name, r.Clients, r.PerSecond(), ms(r.P50), ms(r.P99), cpu, r.Requests, r.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewClient returns an HTTP client that, as a browser does, keeps a connection
// open per client; it never follows redirects (a 303 is an answer to check).
// Run adds "Accept-Encoding: gzip", as browsers send it, and reads a gzipped body
// as it comes: unpacking it is the browser's work, on its own machine.
func NewClient(clients int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConns: clients + 4, MaxIdleConnsPerHost: clients + 4},
		Timeout:   60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Run makes sc's requests from opt.Clients clients until the bound is reached.
func Run(ctx context.Context, sc Scenario, opt Options) Result {
	if opt.Clients < 1 {
		opt.Clients = 1
	}
	client := opt.Client
	if client == nil {
		client = NewClient(opt.Clients)
	}
	want := sc.Want
	if want == 0 {
		want = http.StatusOK
	}
	if opt.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opt.Duration)
		defer cancel()
	}
	res := Result{Name: sc.Name, Clients: opt.Clients, CPU: -1}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	cpu0, cpuErr := ProcessCPU(opt.PID)
	start := time.Now()
	for k := 0; k < opt.Clients; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 256)
			var errs int
			var firstErr error
			fail := func(err error) {
				errs++
				if firstErr == nil {
					firstErr = err
				}
			}
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if opt.Requests > 0 && i >= int64(opt.Requests) {
					break
				}
				req, err := sc.Make(i)
				if err != nil {
					fail(err)
					continue
				}
				if req.Header.Get("Accept-Encoding") == "" {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					continue
				}
				var body []byte
				if sc.Check != nil {
					body, err = io.ReadAll(resp.Body)
				} else {
					_, err = io.CopyBuffer(io.Discard, resp.Body, buf)
				}
				resp.Body.Close()
				d := time.Since(t0)
				switch {
				case err != nil:
					if ctx.Err() == nil {
						fail(err)
					}
				case want == AnySuccess && resp.StatusCode/100 != 2, want != AnySuccess && resp.StatusCode != want:
					fail(fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.RequestURI(), resp.StatusCode, want))
				case sc.Check != nil:
					if err := sc.Check(resp.StatusCode, body); err != nil {
						fail(fmt.Errorf("%s %s: %w", req.Method, req.URL.RequestURI(), err))
						continue
					}
					mine = append(mine, d)
				default:
					mine = append(mine, d)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.Errors += errs
			if res.FirstErr == nil {
				res.FirstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if opt.Client == nil {
		// Idle connections closed now, not by the server when it stops.
		client.CloseIdleConnections()
	}
	if cpu1, err := ProcessCPU(opt.PID); opt.PID != 0 && err == nil && cpuErr == nil {
		res.CPU = cpu1 - cpu0
	}
	res.Requests = len(lat)
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		res.P50 = lat[(len(lat)-1)/2]
		res.P99 = lat[(len(lat)-1)*99/100]
		res.Max = lat[len(lat)-1]
	}
	return res
}
