package rating_test

import (
	"context"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/loadtest"
	"github.com/ecoz/ecoz/app/rating"
)

// BenchmarkDailyRating computes and stores one day's rating over a million tickets
// (go test -run XXX -bench DailyRating ./app/rating/).
func BenchmarkDailyRating(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	svc := rating.New(s, nil)
	ctx := context.Background()
	defer cpuPerOp(b)()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := svc.ComputeDay(ctx, "2026-11-15")
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 && (len(d.Rows) != 20 || d.Rows[0].Score == nil) {
			b.Fatalf("rating %+v", d.Rows)
		}
	}
}

// BenchmarkWeeklyReport builds the weekly meeting report of the last full week over
// a million tickets (go test -run XXX -bench WeeklyReport ./app/rating/).
func BenchmarkWeeklyReport(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	svc := rating.New(s, nil)
	ctx := context.Background()
	defer cpuPerOp(b)()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := svc.WeeklyReport(ctx, "2026-W46")
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 && (r.Total.Registered == 0 || len(r.Repeats) == 0 || len(r.Slowest) == 0) {
			b.Fatalf("report %+v", r.Total)
		}
	}
}

// BenchmarkWeeklyReportXLSX builds the report with every list complete and writes
// the workbook, as /report/xlsx does.
func BenchmarkWeeklyReportXLSX(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	svc := rating.New(s, nil)
	ctx := context.Background()
	defer cpuPerOp(b)()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := svc.FullWeeklyReport(ctx, "2026-W46") // the XLSX has every row
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.XLSX(); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuPerOp reports the process's CPU time per operation (cpu-ms/op) besides the
// wall time: on a machine shared with other work, wall time measures the queue for
// the processor as much as the code.
func cpuPerOp(b *testing.B) func() {
	start := loadtest.SelfCPU()
	return func() {
		b.ReportMetric(float64((loadtest.SelfCPU()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
