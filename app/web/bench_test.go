package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// latencies collects request durations from many goroutines for p50/p99.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	q := func(p float64) float64 { return float64(l.d[int(p*float64(len(l.d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100}, Timeout: 30 * time.Second}
}

// BenchmarkCreateTicketHTTP files tickets over a real loopback listener from 32
// concurrent clients, on a database with synchronous=FULL: every 201 is durable.
func BenchmarkCreateTicketHTTP(b *testing.B) {
	f := newFixture(b)
	base := apptest.Listen(b, f.srv)
	client := benchClient()
	// Calls come from many buildings about many things, as in a working centre
	// (as many buildings as the bulk municipality has): a few are possible
	// duplicates of one another, most are not.
	var bodies [][]byte
	err := f.s.Write(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < apptest.BulkBuildings; i++ {
			bl := &app.Building{Address: fmt.Sprintf("ул. Бенчмарковая, д. %d", i+1), OrganizationID: f.org.ID}
			if err := tx.SaveBuilding(bl); err != nil {
				return err
			}
			for _, wt := range []string{"ROOF-01", "CW-05", "EL-05", "HEAT-02", "LIFT-01"} {
				nt := f.newTicket(wt)
				nt["building_id"] = bl.ID
				j, _ := json.Marshal(nt)
				bodies = append(bodies, j)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var lat latencies
	var failed atomic.Int64
	b.SetParallelism(32 / max(1, runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", base+"/api/v1/tickets", bytes.NewReader(bodies[int(next.Add(1))%len(bodies)]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.tokens["operator"])
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
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tickets/s")
	ws := f.s.WriteStats()
	b.ReportMetric(float64(ws.Writes)/float64(ws.Commits), "writes/commit")
	lat.report(b)
	// Every 201 is a ticket with a number in sequence: no gaps, no repeats.
	n, err := f.s.CountTickets(f.as("operator"), store.TicketFilter{})
	if err != nil || n != b.N {
		b.Fatalf("%d tickets stored for %d creates (%v)", n, b.N, err)
	}
}

// listOpenOrgBulk is the dispatcher's queue: the 50 newest open tickets of one
// organisation, in a database of a million tickets.
func listOpenOrgBulk(b *testing.B) (*store.Store, *app.User) {
	s, _ := apptest.OpenBulk(b, 1000000)
	u := apptest.User(b, s, "org1")
	return s, u
}

func BenchmarkListOpenOrgStore(b *testing.B) {
	s, u := listOpenOrgBulk(b)
	ctx := apptest.As(u)
	f := store.TicketFilter{Statuses: app.OpenStatuses, Limit: 50}
	plan, err := s.ExplainTickets(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(plan, "COVERING INDEX tickets_org_queue (organization_id=? AND status=?)") || strings.Contains(plan, "SCAN") {
		b.Fatalf("the queue does not read the organisation's open statuses from tickets_org_queue:\n%s", plan)
	}
	b.Logf("plan:\n%s", plan)
	warm(b, func() error { _, _, err := s.Tickets(ctx, f); return err })
	var lat latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		list, _, err := s.Tickets(ctx, f)
		lat.add(time.Since(t0))
		if err != nil || len(list) != 50 {
			b.Fatalf("%d tickets, %v", len(list), err)
		}
	}
	b.StopTimer()
	lat.report(b)
}

func BenchmarkListOpenOrgHTTP(b *testing.B) {
	s, u := listOpenOrgBulk(b)
	sess, err := s.CreateSession(context.Background(), u, "api", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	base := apptest.Listen(b, apptest.Server(b, s))
	client := benchClient()
	url := base + "/api/v1/tickets?status=new,routed,accepted,reopened&limit=50"
	warm(b, func() error {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+sess.Token)
		res, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		return err
	})
	var lat latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+sess.Token)
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			Items []json.RawMessage `json:"items"`
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		lat.add(time.Since(t0))
		if err != nil || res.StatusCode != 200 || len(out.Items) != 50 {
			b.Fatalf("status %d, %d items, %v", res.StatusCode, len(out.Items), err)
		}
	}
	b.StopTimer()
	lat.report(b)

}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// warm runs fn a few times before measuring: a running centre has the queue's
// pages in memory, a freshly copied database file does not.
func warm(b *testing.B, fn func() error) {
	b.Helper()
	for i := 0; i < 50; i++ {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
}
