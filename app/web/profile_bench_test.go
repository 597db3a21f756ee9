package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/loadtest"
)

// The two benchmarks below are where the CPU profiles of the ticket page and of
// creation on a million tickets come from (docs/performance.md shows them). The
// server runs in the test process behind a loopback listener, so a profile holds
// the server's whole path — Fiber, the handler, the store, SQLite:
//
//	go test ./app/web -run '^$' -bench 'TicketPage1M' -benchtime 3000x -cpuprofile ticket.prof
//	go test ./app/web -run '^$' -bench 'Create1M' -benchtime 3000x -cpuprofile create.prof
//	go tool pprof -top -cum ticket.prof      # or: go tool pprof -http :6060 ticket.prof

// BenchmarkTicketPage1M opens ticket pages of the last 30 days, one at a time, as
// the operator, on a million tickets.
func BenchmarkTicketPage1M(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	srv := apptest.Server(b, s)
	base := apptest.Listen(b, srv)
	sess, err := s.CreateSession(apptest.As(apptest.User(b, s, "operator")), apptest.User(b, s, "operator"), "web", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	client := benchClient()
	page := func(i int) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/work/tickets/BLK-%07d", base, 1000000-(i*7919)%30000), nil)
		req.AddCookie(&http.Cookie{Name: "ecoz_session", Value: sess.Token})
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	for i := 0; i < 50; i++ {
		page(i)
	}
	var lat latencies
	cpu0 := loadtest.SelfCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		page(i)
		lat.add(time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((loadtest.SelfCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	lat.report(b)
}

// BenchmarkCreate1M files tickets through the API from 32 clients on a million
// tickets: buildings and work types spread as in the load harness (every building
// once a round, the work type changing from round to round).
func BenchmarkCreate1M(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	srv := apptest.Server(b, s)
	srv.SetCreateLimits(0, 0) // 32 clients as one operator: the limiter would refuse most
	base := apptest.Listen(b, srv)
	op := apptest.User(b, s, "operator")
	sess, err := s.CreateSession(apptest.As(op), op, "api", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	client := benchClient()
	workTypes := []string{"ROOF-01", "CW-05", "EL-05", "HEAT-02", "LIFT-01"}
	var next atomic.Int64
	var failed atomic.Int64
	var lat latencies
	b.SetParallelism(32 / max(1, runtimeProcs()))
	cpu0 := loadtest.SelfCPU()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			body, _ := json.Marshal(map[string]any{"building_id": 1 + (i*37)%apptest.BulkBuildings, "apartment": fmt.Sprint(1 + i%90),
				"work_type": workTypes[(i+i/apptest.BulkBuildings)%int64(len(workTypes))], "description": "Течёт с потолка", "reporter_name": "Житель",
				"reporter_phone": fmt.Sprintf("+7913%07d", i)})
			req, _ := http.NewRequest("POST", base+"/api/v1/tickets", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+sess.Token)
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			lat.add(time.Since(t0))
			if res.StatusCode != http.StatusCreated {
				failed.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d creates failed", n, b.N)
	}
	ws := s.WriteStats()
	b.ReportMetric(float64(ws.Writes)/float64(max(1, ws.Commits)), "writes/commit")
	// The share of the time the writer was in a transaction.
	b.ReportMetric(100*ws.Busy.Seconds()/elapsed.Seconds(), "%writer-busy")
	// The share of the time the checkpoints held the writer (every write waited).
	b.ReportMetric(100*ws.Checkpoint.Held.Seconds()/elapsed.Seconds(), "%writer-held")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tickets/s")
	b.ReportMetric(float64((loadtest.SelfCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	lat.report(b)
}
