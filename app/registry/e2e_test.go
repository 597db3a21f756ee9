package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/kit/pgkit/pgtest"
	"github.com/ecoz/ecoz/app/registry/regtest"
)

// buildBinary builds the real ecoz binary once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ecoz")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = apptest.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is one run of the binary, its output kept in a file shown on failure.
type proc struct {
	cmd *exec.Cmd
	log string
}

func start(t *testing.T, bin, name string, args ...string) *proc {
	t.Helper()
	log := filepath.Join(t.TempDir(), name+".log")
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, log: log}
	t.Cleanup(func() {
		p.stop(syscall.SIGKILL)
		f.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("%s output (tail):\n%s", name, b)
		}
	})
	return p
}

func (p *proc) stop(sig syscall.Signal) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(sig)
	p.cmd.Wait()
}

func runCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ecoz %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not come up", url)
}

// call sends a JSON request (gzip when zip) and decodes the answer into out; it
// returns the status and the raw body.
func call(t *testing.T, method, url, token string, body any, zip bool, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if zip {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if zip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func login(t *testing.T, base, user string) string {
	t.Helper()
	var r struct{ Token string }
	if st, body := call(t, "POST", base+"/api/v1/auth/login", "", map[string]string{"login": user, "password": user}, false, &r); st != 200 {
		t.Fatalf("login %s: %d %s", user, st, body)
	}
	return r.Token
}

func exportState(t *testing.T, base, admin string) export.State {
	t.Helper()
	var st export.State
	if code, body := call(t, "GET", base+"/api/v1/admin/registry", admin, nil, false, &st); code != 200 {
		t.Fatalf("export state: %d %s", code, body)
	}
	return st
}

func registryCount(t *testing.T, base, token string) int {
	t.Helper()
	var ms []struct {
		Code    string
		Tickets int
	}
	if code, body := call(t, "GET", base+"/api/registry/v1/municipalities", token, nil, false, &ms); code != 200 {
		t.Fatalf("municipalities: %d %s", code, body)
	}
	for _, m := range ms {
		if m.Code == "TST" {
			return m.Tickets
		}
	}
	return 0
}

// eventually polls cond every few milliseconds until it holds or time runs out.
func eventually(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fileAPITickets files n tickets through the centre's API as the operator.
func fileAPITickets(t *testing.T, base, op string, wt string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		nt := app.NewTicket{BuildingID: int64(i%200 + 1), WorkType: wt, Description: fmt.Sprintf("Через API %d, звонить 8-912-000-11-%02d", i, i%100), ReporterName: "Житель", ReporterPhone: "+79120001122"}
		if st, body := call(t, "POST", base+"/api/v1/tickets", op, nt, false, nil); st != 201 {
			t.Fatalf("create ticket: %d %s", st, body)
		}
	}
}

// regDSN is the database of a registry whose data folder is dir, on the
// engine of this run.
func regDSN(t *testing.T, dir string) string {
	if regtest.PG {
		return pgtest.Schema(t)
	}
	return filepath.Join(dir, regstore.DBFile)
}

// held reads what a registry database holds of TST: number → version and
// number → record as stored, failing on a duplicate.
func held(t *testing.T, dsn string) (map[string]int64, map[string]string) {
	t.Helper()
	db, err := regstore.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, distinct int
	if err := readDB(t, db).QueryRow("SELECT count(*), count(DISTINCT number) FROM tickets WHERE municipality = 'TST'").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != distinct {
		t.Fatalf("registry holds %d rows for %d tickets: duplicates", n, distinct)
	}
	rows, err := readDB(t, db).Query("SELECT number, version, record FROM tickets WHERE municipality = 'TST'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	versions, records := map[string]int64{}, map[string]string{}
	for rows.Next() {
		var num, rec string
		var v int64
		if err := rows.Scan(&num, &v, &rec); err != nil {
			t.Fatal(err)
		}
		versions[num], records[num] = v, rec
	}
	return versions, records
}

// TestRegistryEndToEnd runs the real binary twice on loopback, a centre and a
// registry, kills each in the middle of a push, and checks that the registry ends
// with exactly the latest version of every ticket, that a replay changes nothing,
// that a tampered batch is refused whole, and that an export file gives the same.
func TestRegistryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t0 := time.Now()
	step := func(what string) { t.Logf("%6.1fs %s", time.Since(t0).Seconds(), what) }
	bin := buildBinary(t)
	step("binary built")
	tmp := t.TempDir()
	cdir, rdir := filepath.Join(tmp, "centre"), filepath.Join(tmp, "registry")
	const total = 10000
	cs := centre(t, cdir, "TST", total)
	cs.Now = time.Now
	step("centre database filled")
	wts, err := cs.WorkTypes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wt string
	for _, w := range wts {
		if w.Routes() == app.OrgManagement && w.Handoff == "" && w.Active {
			wt = w.Code
			break
		}
	}

	rdsn := regDSN(t, rdir)
	rargs := func(args ...string) []string { return append(args, regtest.DataArgs(rdir, rdsn)...) }
	out := runCLI(t, bin, rargs("registry", "municipality", "add", "--code", "TST", "--name", "Тестовый")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if len(token) < 40 || strings.Contains(token, " ") {
		t.Fatalf("the last line must be the token alone, got %q", token)
	}
	raddr, caddr := freeAddr(t), freeAddr(t)
	rurl, curl := "http://"+raddr, "http://"+caddr
	regArgs := rargs("registry", "serve", "--addr", raddr, "--rate", "5000")
	cenArgs := []string{"serve", "--data", cdir, "--addr", caddr, "--registry-url", rurl, "--registry-token", token, "--export-every", "1s"}

	reg := start(t, bin, "registry", regArgs...)
	waitHealthy(t, rurl)
	cen := start(t, bin, "centre", cenArgs...)

	// 1. The registry dies in the middle of the first push.
	var atKill int
	eventually(t, "the first batches", 30*time.Second, func() bool { atKill = registryCount(t, rurl, token); return atKill > 0 })
	reg.stop(syscall.SIGKILL)
	step("registry killed")
	if atKill >= total {
		t.Fatalf("the registry already held all %d tickets when killed; not mid-push", atKill)
	}
	t.Logf("registry killed holding %d of %d tickets", atKill, total)

	waitHealthy(t, curl)
	admin, op := login(t, curl, "admin"), login(t, curl, "operator")
	fileAPITickets(t, curl, op, wt, 20) // changes while the registry is away
	eventually(t, "the failure shown to the administrator", 20*time.Second, func() bool { return exportState(t, curl, admin).Failing })
	if st := exportState(t, curl, admin); st.LastError == "" || st.Queued == 0 {
		t.Fatalf("the admin must see the error and the queue: %+v", st)
	}
	step("failure seen by the admin")
	moved := touchAll(t, cdir) // thousands more changes queue up
	t.Logf("%d further changes queued", moved)

	// 2. The registry comes back; the centre dies in the middle of the resumed push,
	// while more changes come through the API.
	before := exportState(t, curl, admin).Queued
	reg = start(t, bin, "registry", regArgs...)
	waitHealthy(t, rurl)
	fileAPITickets(t, curl, op, wt, 5)
	var queuedAtKill int
	eventually(t, "the resumed push", 30*time.Second, func() bool {
		queuedAtKill = exportState(t, curl, admin).Queued
		return queuedAtKill < before
	})
	cen.stop(syscall.SIGKILL)
	step("centre killed")
	if queuedAtKill == 0 {
		t.Fatalf("the centre had pushed everything when killed; not mid-push")
	}
	t.Logf("centre killed with %d changes still queued (of %d)", queuedAtKill, before)

	cen = start(t, bin, "centre", cenArgs...)
	waitHealthy(t, curl)
	admin, op = login(t, curl, "admin"), login(t, curl, "operator")
	fileAPITickets(t, curl, op, wt, 5)
	eventually(t, "the queue to empty", 40*time.Second, func() bool {
		st := exportState(t, curl, admin)
		return st.Queued == 0 && !st.Failing
	})
	cen.stop(syscall.SIGTERM)
	step("queue empty, centre stopped")

	// 3. The registry holds exactly the latest version of every ticket.
	// The centre's tickets as they stand (plain rows: the records' JSON is costly
	// under the race detector), and the first batch's worth as records.
	latest, err := cs.Changes(context.Background(), 0, 2*total)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != total+30 {
		t.Fatalf("centre has %d tickets, want %d", len(latest), total+30)
	}
	if n := registryCount(t, rurl, token); n != len(latest) {
		t.Fatalf("registry holds %d tickets, the centre %d", n, len(latest))
	}
	recs, _, err := export.Source{Store: cs}.Next(context.Background(), 0, app.MaxBatch)
	if err != nil {
		t.Fatal(err)
	}
	var probe struct {
		Version int64
	}
	for _, r := range []app.TicketRecord{recs[0], recs[len(recs)/2], recs[len(recs)-1]} {
		st, body := call(t, "GET", rurl+"/api/registry/v1/tickets/TST/"+r.Number, token, nil, false, &probe)
		if st != 200 || probe.Version != r.Version {
			t.Fatalf("ticket %s: %d %s, want version %d", r.Number, st, body, r.Version)
		}
		for _, leak := range []string{`"description"`, `"apartment"`, `"reporter"`, "8-912", "79120001122", "Житель"} {
			if strings.Contains(body, leak) {
				t.Fatalf("personal data (%s) in the registry: %s", leak, body)
			}
		}
	}

	// 4. A replayed batch changes nothing; a tampered one is refused whole.
	batch := app.Batch{Municipality: "TST", BatchID: "replay", Records: recs[:app.MaxBatch]}
	var res regstore.Result
	if st, body := call(t, "POST", rurl+"/api/registry/v1/batches", token, batch, true, &res); st != 200 || res.Accepted != 0 || res.Ignored != app.MaxBatch {
		t.Fatalf("replay: %d %s", st, body)
	}
	tampered := app.Batch{Municipality: "TST", BatchID: "tampered", Records: append([]app.TicketRecord(nil), recs[:app.MaxBatch]...)}
	for i := range tampered.Records {
		tampered.Records[i].Version += 10
	}
	tampered.Records[700].Status = "lost"
	st, body := call(t, "POST", rurl+"/api/registry/v1/batches", token, tampered, true, nil)
	if st != 400 || !strings.Contains(body, "records[700]") {
		t.Fatalf("tampered batch: %d %s", st, body)
	}
	foreign := app.Batch{Municipality: "TST", BatchID: "foreign", Records: append([]app.TicketRecord(nil), tampered.Records[:3]...)}
	foreign.Records[0].Status, foreign.Records[1].Municipality = app.StatusClosed, "USN"
	if st, body := call(t, "POST", rurl+"/api/registry/v1/batches", token, foreign, false, nil); st != 403 {
		t.Fatalf("record of another municipality: %d %s", st, body)
	}
	if st, _ := call(t, "POST", rurl+"/api/registry/v1/batches", "wrong-token", batch, true, nil); st != 401 {
		t.Fatalf("wrong token: %d", st)
	}
	call(t, "GET", rurl+"/api/registry/v1/tickets/TST/"+recs[0].Number, token, nil, false, &probe)
	if probe.Version != recs[0].Version {
		t.Fatalf("a refused batch changed ticket %s to version %d", recs[0].Number, probe.Version)
	}
	runCLI(t, bin, rargs("registry", "municipality", "revoke", "--code", "TST")...)
	if st, _ := call(t, "POST", rurl+"/api/registry/v1/batches", token, batch, true, nil); st != 401 {
		t.Fatalf("revoked token: %d", st)
	}
	reg.stop(syscall.SIGTERM)
	step("replay and tampering checked")

	versions, pushed := held(t, rdsn)
	if len(versions) != len(latest) {
		t.Fatalf("registry holds %d tickets, the centre %d", len(versions), len(latest))
	}
	for _, tk := range latest {
		if versions[tk.Number] != tk.Version {
			t.Fatalf("ticket %s: registry holds version %d, the centre has %d", tk.Number, versions[tk.Number], tk.Version)
		}
	}
	step("pushed state compared")

	// 5. The export file imported into an empty registry gives the same state.
	file := filepath.Join(tmp, "tst.ndjson")
	runCLI(t, bin, "export", "--data", cdir, "--out", file)
	step("export file written")
	r2 := filepath.Join(tmp, "registry2")
	r2dsn := regDSN(t, r2)
	r2args := func(args ...string) []string { return append(args, regtest.DataArgs(r2, r2dsn)...) }
	runCLI(t, bin, r2args("registry", "municipality", "add", "--code", "TST", "--name", "Тестовый")...)
	runCLI(t, bin, append(r2args("registry", "import"), file)...)
	step("import done")
	_, imported := held(t, r2dsn)
	step("export file imported")
	if len(imported) != len(pushed) {
		t.Fatalf("import holds %d tickets, pushes %d", len(imported), len(pushed))
	}
	// Records are stored re-encoded, so the same record gives the same bytes
	// (no due time passes during the test, so "overdue" is the same too).
	for n, rec := range pushed {
		if imported[n] != rec {
			t.Fatalf("ticket %s differs:\nimport %s\npush   %s", n, imported[n], rec)
		}
	}
	// Importing the same file again changes nothing.
	if out := runCLI(t, bin, append(r2args("registry", "import"), file)...); !strings.Contains(out, "принято 0") {
		t.Fatalf("re-import: %s", out)
	}
}
