package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/loadtest"
)

// BenchmarkCreateTicketHTTPOutbox files tickets through the API over a loopback
// listener from 32 concurrent clients with notifications off (the caller chose
// none, no webhook), with a webhook, with SMS to the caller, and with SMS and a
// webhook. It reports the throughput and the process's CPU time per ticket: on
// a machine shared with other work the wall clock measures the queue for the
// CPU. With a webhook, the notify job's CPU time to queue its messages from the
// tickets' audit events is reported apart (queue-cpu-µs/ticket).
func BenchmarkCreateTicketHTTPOutbox(b *testing.B) {
	for _, c := range []struct {
		name, notify string
		webhook      bool
	}{{"off", "none", false}, {"webhook", "none", true}, {"sms", "sms", false}, {"sms+webhook", "sms", true}} {
		b.Run(c.name, func(b *testing.B) {
			f := newFixture(b)
			if c.webhook {
				apptest.QueueWebhookEvents(b, f.s) // the cursor starts here
			}
			base := apptest.Listen(b, f.srv)
			client := benchClient()
			bodies := make([][]byte, 1000)
			for i := range bodies {
				nt := f.newTicket("CW-05")
				nt["notify"], nt["reporter_phone"] = c.notify, fmt.Sprintf("8 912 %03d-%02d-%02d", i/10000, i/100%100, i%100)
				bodies[i], _ = json.Marshal(nt)
			}
			var next, failed atomic.Int64
			b.SetParallelism(32 / max(1, runtimeProcs()))
			cpu0 := loadtest.SelfCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", base+"/api/v1/tickets", bytes.NewReader(bodies[int(next.Add(1))%len(bodies)]))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+f.tokens["operator"])
					res, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						failed.Add(1)
					}
				}
			})
			b.StopTimer()
			cpuFiling := loadtest.SelfCPU() - cpu0
			// The webhook's messages are queued by the notify job from the
			// changes' audit events, outside the tickets' transactions: its CPU
			// time is reported apart.
			if c.webhook {
				cpu1 := loadtest.SelfCPU()
				if n := apptest.QueueWebhookEvents(b, f.s); n != b.N {
					b.Fatalf("%d webhook events for %d tickets", n, b.N)
				}
				b.ReportMetric(float64((loadtest.SelfCPU()-cpu1).Microseconds())/float64(b.N), "queue-cpu-µs/ticket")
			}
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d creates failed", n, b.N)
			}
			b.ReportMetric(float64(cpuFiling.Microseconds())/float64(b.N), "cpu-µs/ticket")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
		})
	}
}
