package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/pgkit/pgtest"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/registry/regtest"
)

// simSize is the simulation's scale: municipalities, tickets of each, and
// versions of each ticket (tickets × versions changes per municipality).
func simSize() (muns, tickets, versions int) {
	muns, tickets, versions = 2000, 100, 5
	if v, err := strconv.Atoi(os.Getenv("ECOZ_SIM_MUNICIPALITIES")); err == nil && v > 0 {
		muns = v
	}
	return
}

// simCode is the i-th municipality's code: M and three letters.
func simCode(i int) string {
	return "M" + string(rune('A'+i/676%26)) + string(rune('A'+i/26%26)) + string(rune('A'+i%26))
}

// TestSimulationCountry: 2,000 municipalities (one goroutine each, each with its
// own token) push 500 changes each — 100 tickets, five versions of each, in
// batches of 50, sometimes out of order, sometimes twice — all at once, while
// the registry (the real binary) is killed with SIGKILL and started again
// twice. A centre retries a batch until it is acknowledged, as the export job
// does. Afterwards every (municipality, number) holds its highest version, no
// ticket is missing or held twice, and the overview's kept counts are the
// counts of what is held.
func TestSimulationCountry(t *testing.T) {
	if testing.Short() {
		t.Skip("a million changes through the real binary")
	}
	if raceOn {
		t.Skip("runs in the pass without the race detector (a million records through race-instrumented JSON would take most of an hour); .ci/run runs both passes")
	}
	muns, tickets, versions := simSize()
	bin := buildBinary(t)
	dir := t.TempDir()
	dsn := regDSN(t, dir)
	appName := "ecoz-sim-" + strconv.Itoa(rand.IntN(1e9))
	if regtest.PG {
		dsn += "&application_name=" + appName
	}
	db, err := regstore.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, muns)
	for i := range tokens {
		if tokens[i], err = db.AddMunicipality(context.Background(), simCode(i), "Муниципалитет "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	addr := freeAddr(t)
	base := "http://" + addr
	args := append([]string{"registry", "serve", "--addr", addr, "--rate", "1000"}, regtest.DataArgs(dir, dsn)...)
	reg := start(t, bin, "registry", args...)
	waitHealthy(t, base)

	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 128, MaxIdleConnsPerHost: 128}}
	var acked, retried, total atomic.Int64
	totalBatches := int64(muns * tickets * versions / 50)
	now := time.Now().UTC().Truncate(time.Second)
	push := func(i int, b *app.Batch) {
		body, _ := json.Marshal(b)
		for attempt := 0; ; attempt++ {
			req, _ := http.NewRequest("POST", base+"/api/registry/v1/batches", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tokens[i])
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
				if resp.StatusCode < 500 && resp.StatusCode != 429 {
					t.Errorf("%s: batch %s refused: %d", simCode(i), b.BatchID, resp.StatusCode)
					return
				}
			}
			retried.Add(1)
			time.Sleep(time.Duration(50+rand.IntN(200)) * time.Millisecond)
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < muns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			code := simCode(i)
			// Every change of every ticket, shuffled: a late older version must
			// not win over a newer one already held.
			recs := make([]app.TicketRecord, 0, tickets*versions)
			for n := 0; n < tickets; n++ {
				for v := 1; v <= versions; v++ {
					recs = append(recs, simRecord(code, n, int64(v), now))
				}
			}
			rand.Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
			for k := 0; k < len(recs); k += 50 {
				b := &app.Batch{Municipality: code, BatchID: fmt.Sprintf("%s-%d", code, k/50), Records: recs[k:min(k+50, len(recs))]}
				push(i, b)
				if rand.IntN(10) == 0 { // the answer was lost: the centre sends it again
					push(i, b)
				}
				acked.Add(1)
				total.Add(int64(len(b.Records)))
			}
		}(i)
	}
	// Kill the registry twice while the pushes run, and start it again.
	for kill := 1; kill <= 2; kill++ {
		for acked.Load() < totalBatches*int64(kill)/3 {
			time.Sleep(20 * time.Millisecond)
		}
		reg.stop(syscall.SIGKILL)
		t.Logf("registry killed after %d of %d batches acknowledged", acked.Load(), totalBatches)
		time.Sleep(300 * time.Millisecond)
		reg = start(t, bin, "registry", args...)
		waitHealthy(t, base)
	}
	if regtest.PG {
		// The database drops the registry's connections in the middle of
		// batches: those batches are not acknowledged, and their retries apply.
		for acked.Load() < totalBatches*5/6 {
			time.Sleep(20 * time.Millisecond)
		}
		if err := pgtest.Exec(pgtest.Require(t), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"+appName+"'"); err != nil {
			t.Fatal(err)
		}
		t.Logf("the registry's database connections cut after %d batches", acked.Load())
	}
	wg.Wait()
	reg.stop(syscall.SIGTERM)
	t.Logf("%d batches, %d records acknowledged; %d retries", acked.Load(), total.Load(), retried.Load())

	db, err = regstore.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, distinct, wrong int
	if err := db.SQL().QueryRow(fmt.Sprintf("SELECT count(*), count(DISTINCT municipality || ' ' || number), count(*) FILTER (WHERE version <> %d) FROM tickets", versions)).Scan(&rows, &distinct, &wrong); err != nil {
		t.Fatal(err)
	}
	if want := muns * tickets; rows != want || distinct != want || wrong != 0 {
		t.Fatalf("registry holds %d rows of %d distinct tickets, %d not at version %d; want %d tickets, each at its highest version", rows, distinct, wrong, versions, want)
	}
	g, err := db.Overview(context.Background(), now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range g {
		if m.Tickets != tickets || m.Closed != tickets || m.OnTime != tickets/2 {
			t.Fatalf("%s: the overview's kept counts %+v, want %d tickets, all closed, %d on time", m.Code, m, tickets, tickets/2)
		}
	}
}

// simRecord is version v of ticket n of a municipality: filed, routed, accepted,
// done and (v = 5) closed; every other ticket done on time.
func simRecord(code string, n int, v int64, now time.Time) app.TicketRecord {
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	p := func(d time.Duration) *string { s := at(d); return &s }
	created := -time.Duration(n%40+5) * 24 * time.Hour
	status := []app.Status{app.StatusNew, app.StatusRouted, app.StatusAccepted, app.StatusDone, app.StatusClosed}[min(int(v), 5)-1]
	r := app.TicketRecord{
		Municipality: code, Number: fmt.Sprintf("%s-%d", code, n+1), Status: status, Source: app.SourcePhone,
		WorkType:     app.WorkTypeRef{Code: "CW-05", Name: "Течь крана", Category: "Сантехника"},
		Building:     app.BuildingRef{ID: int64(n%20 + 1), Address: fmt.Sprintf("ул. Ленина, д. %d", n%20+1), Apartments: 40},
		Organization: &app.OrganizationRf{ID: int64(n%3 + 1), Name: fmt.Sprintf("УК %d", n%3+1)},
		CreatedAt:    at(created), AcceptDueAt: p(created + 24*time.Hour), DueAt: p(created + 72*time.Hour),
		Version: v, UpdatedAt: at(created + time.Duration(v)*time.Hour),
	}
	if v >= 3 {
		r.AcceptedAt = p(created + time.Hour)
	}
	if v >= 4 {
		done := created + 48*time.Hour
		if n%2 == 1 {
			done = created + 96*time.Hour
		}
		r.DoneAt = p(done)
		onTime := n%2 == 0
		r.DoneOnTime = &onTime
	}
	if v >= 5 {
		r.ClosedAt = p(created + 100*time.Hour)
	}
	return r
}
