package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
)

// BenchmarkBinarySize reports the size of the binary as shipped (CGO_ENABLED=0,
// symbols stripped with -s -w) and as a plain build. Aim: ≤ 40 MB.
func BenchmarkBinarySize(b *testing.B) {
	for _, c := range []struct {
		name    string
		ldflags []string
	}{{"stripped", []string{"-s", "-w"}}, {"plain", nil}} {
		b.Run(c.name, func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "ecoz")
			var fi os.FileInfo
			for i := 0; i < b.N; i++ {
				if msg, err := buildBinary(out, c.ldflags...); err != nil {
					b.Fatalf("%v\n%s", err, msg)
				}
				var err error
				if fi, err = os.Stat(out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fi.Size())/1e6, "MB")
		})
	}
}

// bulkDataDir copies the cached database of a million tickets into a data folder.
// Today's nightly copy is marked as taken, so that the server does not start
// copying 700 MB in the background while it is measured.
func bulkDataDir(b *testing.B) string {
	b.Helper()
	src := apptest.BulkDB(b, 1000000)
	dir := b.TempDir()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(dir, "ecoz.db"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	out.Close()
	os.MkdirAll(filepath.Join(dir, "backups"), 0o750)
	for d := -1; d <= 1; d++ {
		day := time.Now().AddDate(0, 0, d).Format("2006-01-02")
		os.WriteFile(filepath.Join(dir, "backups", "ecoz-"+day+".db"), nil, 0o640)
	}
	return dir
}

// BenchmarkStartup1M measures, per start of the real binary on a database of a
// million tickets, the time from exec to the first 200 from /healthz. Aim: ≤ 0.5 s.
func BenchmarkStartup1M(b *testing.B) {
	dir := bulkDataDir(b)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		addr := freeAddr(b)
		cmd := exec.Command(ecozBin, "serve", "--data", dir, "--addr", addr)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > time.Minute {
				cmd.Process.Kill()
				b.Fatal("no 200 from /healthz within a minute")
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.StopTimer()
		total += time.Since(start)
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-healthz")
}

// BenchmarkIdleRSS reports the resident memory of the real binary on a database of
// a million tickets, idle after serving the pages and lists a working day starts
// with. Aim: ≤ 50 MB.
func BenchmarkIdleRSS(b *testing.B) {
	dir := bulkDataDir(b)
	for i := 0; i < b.N; i++ {
		p := startBinaryWithin(b, time.Minute, dir)
		a := newAPI(p.addr)
		for _, path := range []string{"/", "/login", "/static/app.css", "/api/v1/work-types", "/api/v1/organizations", "/api/v1/buildings?q=ленина"} {
			if code, err := a.do("GET", path, nil, nil); err != nil || code >= 500 {
				b.Fatalf("GET %s: %d %v", path, code, err)
			}
		}
		a.login(b, "operator")
		for _, path := range []string{"/api/v1/tickets?limit=50", "/api/v1/tickets?status=routed,accepted&limit=50", "/api/v1/tickets?overdue=true&limit=50"} {
			if code, err := a.do("GET", path, nil, nil); err != nil || code != 200 {
				b.Fatalf("GET %s: %d %v", path, code, err)
			}
		}
		time.Sleep(5 * time.Second) // idle
		b.ReportMetric(float64(statusKB(b, p.cmd.Process.Pid, "VmRSS"))/1024, "MB-RSS")
		b.ReportMetric(float64(statusKB(b, p.cmd.Process.Pid, "VmHWM"))/1024, "MB-peak")
		p.stop(b)
	}
}

func statusKB(b *testing.B, pid int, field string) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
