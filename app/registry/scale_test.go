package registry

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/kit/pgkit/pgtest"
	"github.com/ecoz/ecoz/app/loadtest"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/registry/regtest"
)

// BenchmarkIngestConcurrent is the ingest of many municipalities at once: 32
// goroutines, each its own municipality, each pushing batches of 1,000 new
// records through the store's whole path (strict decoding, validation, the
// upsert that keeps the highest version, the kept counts, the log). On
// PostgreSQL the municipalities' batches run in parallel; SQLite's one writer
// takes them in turn. Aim on PostgreSQL: ≥ 50,000 records/s.
func BenchmarkIngestConcurrent(b *testing.B) {
	if !regtest.PG {
		ingestConcurrent(b)
		return
	}
	for _, how := range []string{"unnest", "copy"} {
		b.Run(how, func(b *testing.B) {
			defer func(was string) { regstore.PGBulk = was }(regstore.PGBulk)
			regstore.PGBulk = how
			ingestConcurrent(b)
		})
	}
}

func ingestConcurrent(b *testing.B) {
	db, _ := regtest.OpenDB(b)
	ctx := context.Background()
	const writers = 32
	for w := 0; w < writers; w++ {
		if _, err := db.AddMunicipality(ctx, simCode(w), "Муниципалитет "+strconv.Itoa(w)); err != nil {
			b.Fatal(err)
		}
	}
	now := regtest.Now
	bodies := make([][]byte, b.N)
	for i := range bodies {
		code := simCode(i % writers)
		recs := make([]app.TicketRecord, app.MaxBatch)
		for k := range recs {
			recs[k] = simRecord(code, i/writers*app.MaxBatch+k, 5, now)
		}
		bodies[i] = mustJSON(&app.Batch{Municipality: code, BatchID: "b" + strconv.Itoa(i), Records: recs})
	}
	var next atomic.Int64
	b.ResetTimer()
	cpu, server := loadtest.SelfCPU(), pgCPU()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				res, err := db.Ingest(ctx, simCode(i%writers), bodies[i])
				if err != nil || res.Accepted != app.MaxBatch {
					b.Error(err, res)
					return
				}
			}
		}()
	}
	wg.Wait()
	report(b, b.N*app.MaxBatch, loadtest.SelfCPU()-cpu, "records")
	if regtest.PG {
		b.ReportMetric(float64((pgCPU()-server).Microseconds())/float64(b.N*app.MaxBatch), "server-cpu-µs/record")
	}
}

// scaleRecords is the size of the scale benchmark's registry.
func scaleRecords() int {
	if v, err := strconv.Atoi(os.Getenv("ECOZ_SCALE_RECORDS")); err == nil && v > 0 {
		return v
	}
	return 10_000_000
}

// BenchmarkScale10M loads 10,000,000 records of 2,000 municipalities (a year of
// filings; about one in a hundred still open) into PostgreSQL — kept in the
// schema ecoz_scale between runs, loaded again only when its size differs —
// then times, one request at a time over HTTP: the registry's municipality
// list (the API and the staff's overview page), a ticket's lookup by number,
// and the republic rating over the last 30 days. Aims: p99 ≤ 20 ms for the
// list and the lookup, ≤ 2 s for the rating. PostgreSQL only.
func BenchmarkScale10M(b *testing.B) {
	if !regtest.PG {
		b.Skip("the scale benchmark is PostgreSQL's")
	}
	const muns = 2000
	total := scaleRecords()
	perMun := total / muns
	dsn := pgtest.WithSchema(pgtest.Require(b), "ecoz_scale")
	ensureSchema(b, "ecoz_scale")
	db, err := regstore.Open(dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var held int
	db.SQL().QueryRow("SELECT count(*) FROM tickets").Scan(&held)
	tokens := map[string]string{}
	if held != muns*perMun {
		b.Logf("loading %d records (holding %d)…", muns*perMun, held)
		db.Close()
		dropSchema(b, "ecoz_scale")
		ensureSchema(b, "ecoz_scale")
		if db, err = regstore.Open(dsn); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		for m := 0; m < muns; m++ {
			if tokens[simCode(m)], err = db.AddMunicipality(ctx, simCode(m), "Муниципалитет "+strconv.Itoa(m)); err != nil {
				b.Fatal(err)
			}
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					m := int(next.Add(1) - 1)
					if m >= muns {
						return
					}
					code := simCode(m)
					for k := 0; k < perMun; k += app.MaxBatch {
						recs := make([]app.TicketRecord, 0, app.MaxBatch)
						for n := k; n < min(k+app.MaxBatch, perMun); n++ {
							recs = append(recs, scaleRecord(code, n, perMun, now))
						}
						batch := &app.Batch{Municipality: code, BatchID: fmt.Sprint("load-", k), Records: recs}
						rows, err := regstore.Validate(code, batch, now)
						if err == nil {
							_, err = db.Apply(ctx, code, batch, rows)
						}
						if err != nil {
							b.Error(err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		if b.Failed() {
			return
		}
		el := time.Since(t0)
		db.SQL().Exec("VACUUM ANALYZE")
		b.Logf("loaded %d records in %s: %.0f records/s (validation and upsert, 8 writers)", muns*perMun, el.Round(time.Second), float64(muns*perMun)/el.Seconds())
	} else {
		for m := 0; m < muns; m++ {
			if tokens[simCode(m)], err = db.ReissueToken(ctx, simCode(m)); err != nil {
				b.Fatal(err)
			}
		}
	}
	var size string
	db.SQL().QueryRow("SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ecoz_scale' AND c.relkind IN ('r','m')").Scan(&size)
	b.Logf("registry holds %d records in %d municipalities; tables and indexes: %s", muns*perMun, muns, size)
	if err := db.AddUser(ctx, "official", "official-pass"); err != nil {
		b.Fatal(err)
	}
	sess, err := db.SignIn(ctx, "official", "official-pass")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{DB: db, Views: os.DirFS(filepath.Join(apptest.Root(), "assets", "registry")), Static: os.DirFS(filepath.Join(apptest.Root(), "assets", "static")),
		Log: apptest.Logger(b), Rate: 1e6})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.App.Listener(ln)
	defer srv.Shutdown(context.Background())
	base := "http://" + ln.Addr().String()
	tok := tokens[simCode(7)]
	get := func(path string, cookie bool) time.Duration {
		req, _ := http.NewRequest("GET", base+path, nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess})
		} else {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d %s", path, resp.StatusCode, body[:min(len(body), 300)])
		}
		return d
	}
	measure := func(name string, n int, path func(i int) string, cookie bool) {
		get(path(0), cookie) // warm
		ds := make([]time.Duration, n)
		cpu, server := loadtest.SelfCPU(), pgCPU()
		for i := range ds {
			ds[i] = get(path(i), cookie)
		}
		c, sc := loadtest.SelfCPU()-cpu, pgCPU()-server
		slices.Sort(ds)
		b.ReportMetric(float64(ds[n/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(ds[n*99/100].Microseconds())/1000, name+"-p99-ms")
		b.ReportMetric(float64(c.Microseconds())/1000/float64(n), name+"-cpu-ms")
		b.ReportMetric(float64(sc.Microseconds())/1000/float64(n), name+"-pg-cpu-ms")
	}
	// concurrently measures throughput with 16 clients at once.
	concurrently := func(name string, n int, path func(i int) string) {
		var next atomic.Int64
		var wg sync.WaitGroup
		t0 := time.Now()
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
					get(path(i), false)
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(n)/time.Since(t0).Seconds(), name+"-16clients-req/s")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		measure("list-api", 200, func(int) string { return "/api/registry/v1/municipalities" }, false)
		measure("list-page", 200, func(int) string { return "/" }, true)
		measure("lookup", 500, func(i int) string {
			code := simCode(i * 7 % muns)
			return fmt.Sprintf("/api/registry/v1/tickets/%s/%s-%d", code, code, i*131%perMun+1)
		}, false)
		concurrently("list-api", 400, func(int) string { return "/api/registry/v1/municipalities" })
		concurrently("lookup", 4000, func(i int) string {
			code := simCode(i * 7 % muns)
			return fmt.Sprintf("/api/registry/v1/tickets/%s/%s-%d", code, code, i*131%perMun+1)
		})
		measure("rating-page", 5, func(int) string { return "/rating" }, true)
		t0 := time.Now()
		r, err := db.Rating(ctx, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "rating-s")
		if len(r.Ranked) == 0 {
			b.Fatal("the rating ranks nobody")
		}
	}
}

// scaleRecord is ticket n of perMun of a municipality: filed over the last
// year, evenly; the newest hundredth still open, the rest closed (three in
// four on time).
func scaleRecord(code string, n, perMun int, now time.Time) app.TicketRecord {
	age := time.Duration(perMun-n) * (365 * 24 * time.Hour / time.Duration(perMun))
	created := -age - 2*time.Hour
	v := int64(5)
	if n >= perMun-perMun/100 {
		v = 2
	}
	r := simRecord(code, n, v, now)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	p := func(d time.Duration) *string { s := at(d); return &s }
	r.CreatedAt, r.UpdatedAt, r.AcceptDueAt, r.DueAt = at(created), at(created+time.Hour), p(created+24*time.Hour), p(created+72*time.Hour)
	r.Building = app.BuildingRef{ID: int64(n%300 + 1), Address: fmt.Sprintf("ул. Ленина, д. %d", n%300+1), Apartments: 20 + n%300}
	r.Organization = &app.OrganizationRf{ID: int64(n%12 + 1), Name: fmt.Sprintf("УК %d", n%12+1)}
	if v == 5 {
		onTime := n%4 != 0
		done := created + 48*time.Hour
		if !onTime {
			done = created + 96*time.Hour
		}
		r.AcceptedAt, r.DoneAt, r.DoneOnTime, r.ClosedAt = p(created+time.Hour), p(done), &onTime, p(done+time.Hour)
	}
	return r
}

func ensureSchema(b *testing.B, name string) {
	b.Helper()
	if err := pgtest.Exec(pgtest.Require(b), "CREATE SCHEMA IF NOT EXISTS "+name); err != nil {
		b.Fatal(err)
	}
}

func dropSchema(b *testing.B, name string) {
	b.Helper()
	if err := pgtest.Exec(pgtest.Require(b), "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
		b.Fatal(err)
	}
}
