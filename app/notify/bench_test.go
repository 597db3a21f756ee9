package notify_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/loadtest"
	"github.com/ecoz/ecoz/app/notify"
	"github.com/ecoz/ecoz/app/store"
)

// BenchmarkDelivery sends b.N residents' SMS to a local stub gateway (it answers
// at once) and reports the rate in messages a minute. The messages are queued
// by filing real tickets, before the timer starts.
func BenchmarkDelivery(b *testing.B) {
	f := newFixture(b)
	f.clock.Set(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)) // 12:00 in Moscow: no quiet hours
	ctx := context.Background()
	gw := newGateway(b)
	for i := 0; i < b.N; i++ {
		if _, _, err := f.s.CreateTicket(apptest.As(f.op), app.NewTicket{BuildingID: f.b.ID, WorkType: "CW-05", Description: "Течёт кран",
			ReporterPhone: fmt.Sprintf("+7912%07d", i), Notify: "sms"}); err != nil {
			b.Fatal(err)
		}
	}
	j := job(f, notify.Config{SMSURL: gw.srv.URL + "/send?to={phone}&text={text}"})
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; {
		n, err := j.Round(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	b.StopTimer()
	if gw.count() != b.N {
		b.Fatalf("gateway got %d of %d", gw.count(), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Minutes(), "msgs/min")
}

// BenchmarkCreateTicketOutbox files tickets from 16 concurrent callers, as the
// centre's operators do, with notifications off (the caller chose none, no
// webhook), with a webhook, with SMS to the caller (a contact row and an outbox
// row in the ticket's transaction), and with both. The webhook's messages are
// queued by the job from the audit trail: its CPU time for them is reported
// apart (queue-cpu-µs/ticket), after the filing.
func BenchmarkCreateTicketOutbox(b *testing.B) {
	for _, c := range []struct {
		name, channel string
		webhook       bool
	}{{"off", "none", false}, {"webhook", "none", true}, {"sms", "sms", false}, {"sms+webhook", "sms", true}} {
		b.Run(c.name, func(b *testing.B) {
			f := newFixture(b)
			if c.webhook {
				apptest.QueueWebhookEvents(b, f.s) // the cursor starts here
			}
			channel := c.channel
			ctx := apptest.As(f.op)
			var i atomic.Int64
			b.SetParallelism(8) // 16 writers on 2 cores
			cpu0 := loadtest.SelfCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := i.Add(1)
					if err := f.s.Write(ctx, func(tx *store.Tx) error {
						_, err := tx.CreateTicket(app.NewTicket{BuildingID: f.b.ID, WorkType: "CW-05", Description: "Течёт кран",
							ReporterPhone: fmt.Sprintf("+7912%07d", n), Notify: channel})
						return err
					}); err != nil {
						b.Fatal(err)
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
			// On a machine shared with other work, the wall clock measures the
			// queue for the CPU; the process's own CPU time per ticket is the cost.
			b.ReportMetric(float64(cpuFiling.Microseconds())/float64(b.N), "cpu-µs/ticket")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
		})
	}
}
