package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/loadtest"
	"github.com/ecoz/ecoz/app/store"
)

// BenchmarkOpen311Requests90Days reads GET /open311/v2/requests.json as a city
// app does, with the defaults (the last 90 days, 1,000 results), and with a
// status and a service filter, over HTTP on a database of a million tickets.
// Run with -bench; the first run builds the bulk database.
func BenchmarkOpen311Requests90Days(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	base := apptest.Listen(b, apptest.Server(b, s))
	client := benchClient()
	for _, q := range []string{"", "status=open", "status=closed", "service_code=LIFT-01"} {
		b.Run(strings.ReplaceAll(q+"-", "=", "_"), func(b *testing.B) {
			u := base + "/open311/v2/requests.json?" + q
			get := func() (int, error) {
				res, err := client.Get(u)
				if err != nil {
					return 0, err
				}
				defer res.Body.Close()
				var out []json.RawMessage
				if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
					return 0, fmt.Errorf("status %d: %v", res.StatusCode, err)
				}
				return len(out), nil
			}
			n, err := get()
			if err != nil || n == 0 {
				b.Fatalf("%d requests: %v", n, err)
			}
			b.Logf("%q: %d requests", q, n)
			// Measured: the request and the whole body read, not decoded (the
			// client's decoding would count in this process's CPU time).
			fetch := func() error {
				res, err := client.Get(u)
				if err != nil {
					return err
				}
				defer res.Body.Close()
				if _, err := io.Copy(io.Discard, res.Body); err != nil || res.StatusCode != 200 {
					return fmt.Errorf("status %d: %v", res.StatusCode, err)
				}
				return nil
			}
			warm(b, fetch)
			var lat latencies
			b.ResetTimer()
			cpu0 := loadtest.SelfCPU()
			rq0, io0 := runqWait(), diskRead()
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := fetch(); err != nil {
					b.Fatal(err)
				}
				lat.add(time.Since(t0))
				wall += time.Since(t0)
			}
			b.ReportMetric(float64((runqWait()-rq0).Microseconds())/1000/float64(b.N), "runq-ms/op")
			b.ReportMetric(float64(diskRead()-io0)/1024/float64(b.N), "disk-KB/op")
			b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "wall-ms/op")
			b.ReportMetric(float64((loadtest.SelfCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.StopTimer()
			lat.report(b)
		})
	}
}

// BenchmarkOpen311PostHTTP files tickets through Open311 exactly as
// BenchmarkCreateTicketHTTP does through the native API (32 concurrent clients,
// a real loopback listener, the same buildings and work types), so that the two
// figures compare: run them together, -bench 'CreateTicketHTTP$|Open311PostHTTP'.
func BenchmarkOpen311PostHTTP(b *testing.B) {
	f := newFixture(b)
	key, err := f.s.AddAPIKey(context.Background(), "Нагрузка", 0)
	if err != nil {
		b.Fatal(err)
	}
	base := apptest.Listen(b, f.srv)
	client := benchClient()
	var bodies []string
	err = f.s.Write(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < apptest.BulkBuildings; i++ {
			bl := &app.Building{Address: fmt.Sprintf("ул. Бенчмарковая, д. %d", i+1), OrganizationID: f.org.ID}
			if err := tx.SaveBuilding(bl); err != nil {
				return err
			}
			for _, wt := range []string{"ROOF-01", "CW-05", "EL-05", "HEAT-02", "LIFT-01"} {
				v := url.Values{"api_key": {key}, "service_code": {wt}, "address_id": {fmt.Sprint(bl.ID)}, "phone": {"+79121112233"},
					"first_name": {"Анна"}, "description": {"Течёт с потолка в ванной"}, "attribute[apartment]": {"12"}}
				if wt == "HEAT-02" {
					v.Set("attribute[room_temp]", "15")
				}
				bodies = append(bodies, v.Encode())
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var next, failed atomic.Int64
	var lat latencies
	b.SetParallelism(32 / max(1, runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", base+"/open311/v2/requests.json", strings.NewReader(bodies[int(next.Add(1))%len(bodies)]))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
		b.Fatalf("%d of %d posts failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tickets/s")
	lat.report(b)
	n, err := f.s.CountTickets(f.as("operator"), store.TicketFilter{})
	if err != nil || n != b.N {
		b.Fatalf("%d tickets stored for %d posts (%v)", n, b.N, err)
	}
}
