package registry

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/loadtest"
)

// batches makes n bodies of app.MaxBatch new records each (fresh numbers), as a
// centre pushes them.
func batches(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		recs := make([]app.TicketRecord, app.MaxBatch)
		for k := range recs {
			recs[k] = rec(i*app.MaxBatch+k, 1)
		}
		out[i] = mustJSON(batchOf(fmt.Sprint("bench-", i), recs...))
	}
	return out
}

// BenchmarkIngest is the registry's ingest of one batch of 1,000 new records:
// decode, validate every record, apply in one transaction (aim ≥ 30,000 records/s).
func BenchmarkIngest(b *testing.B) {
	db, _, _, _ := testRegistry(b, Config{})
	bodies := batches(b.N)
	ctx := context.Background()
	b.ResetTimer()
	cpu := loadtest.SelfCPU()
	for i := 0; i < b.N; i++ {
		res, err := db.Ingest(ctx, "TST", bodies[i])
		if err != nil || res.Accepted != app.MaxBatch {
			b.Fatal(err, res)
		}
	}
	report(b, b.N*app.MaxBatch, loadtest.SelfCPU()-cpu, "records")
}

// BenchmarkIngestHTTP is the same over loopback HTTP with gzip, as pushed.
func BenchmarkIngestHTTP(b *testing.B) {
	_, _, base, tok := testRegistry(b, Config{Rate: 1e6})
	bodies := batches(b.N)
	b.ResetTimer()
	cpu := loadtest.SelfCPU()
	for i := 0; i < b.N; i++ {
		if st, body := post(b, base, tok, bodies[i], true); st != 200 {
			b.Fatal(st, body)
		}
	}
	report(b, b.N*app.MaxBatch, loadtest.SelfCPU()-cpu, "records")
}

// BenchmarkPush100k pushes a centre's 100,000 changed tickets to a registry on
// loopback, end to end: read by change sequence, encode, gzip, HTTP, validate,
// apply, acknowledge (aim ≤ 10 s).
func BenchmarkPush100k(b *testing.B) {
	const n = 100000
	s, _ := apptest.OpenBulk(b, n)
	s.Now = time.Now
	ctx := context.Background()
	var cpu time.Duration
	b.ResetTimer() // building or copying the centre's database is not the push
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, _, base, _ := testRegistry(b, Config{Rate: 1e6})
		tok, err := db.AddMunicipality(ctx, "BLK", "Большой")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.ResetExport(ctx); err != nil {
			b.Fatal(err)
		}
		job := export.New(export.Config{Store: s, URL: base, Token: tok, Log: apptest.Logger(b)})
		b.StartTimer()
		c := loadtest.SelfCPU()
		if err := job.PushAll(ctx, job.Target(ctx)); err != nil {
			b.Fatal(err)
		}
		cpu += loadtest.SelfCPU() - c
		b.StopTimer()
		if c, _ := db.Count(ctx, "BLK"); c.Tickets != n {
			b.Fatalf("registry holds %d of %d", c.Tickets, n)
		}
		b.StartTimer()
	}
	report(b, n*b.N, cpu, "changes")
}

// report gives the rate per second of wall time and, where measured, per second
// of this process's CPU time (what the code costs, whatever the neighbours do).
func report(b *testing.B, n int, cpu time.Duration, what string) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), what+"/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), what+"/cpu-s")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
}
