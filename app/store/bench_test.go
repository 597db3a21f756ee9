package store_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// BenchmarkCreateTicketStore files tickets from 32 goroutines straight into the
// store (synchronous=FULL): the capacity of the write path without HTTP.
func BenchmarkCreateTicketStore(b *testing.B) {
	fx := newFixture(b)
	ctx := apptest.As(fx.operator)
	b.SetParallelism(32 / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := fx.s.CreateTicket(ctx, app.NewTicket{BuildingID: fx.building.ID, WorkType: "ROOF-01", Description: "Течёт", ReporterPhone: "+79123456789"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tickets/s")
	ws := fx.s.WriteStats()
	b.ReportMetric(float64(ws.Writes)/float64(ws.Commits), "writes/commit")
}
