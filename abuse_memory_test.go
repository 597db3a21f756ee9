//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/photo/phototest"
)

// rssMB is the resident memory of a process, from /proc.
func rssMB(t testing.TB, pid int, field string) float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// peakRSS samples a process's resident memory every 10 ms until stop is closed,
// and returns the highest seen.
func peakRSS(t testing.TB, pid int, stop chan struct{}) func() float64 {
	var mu sync.Mutex
	var peak float64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if v := rssMB(t, pid, "VmRSS"); v > 0 {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() float64 { <-done; mu.Lock(); defer mu.Unlock(); return peak }
}

// TestAnonymousBigPostsCostLittle: 20 parallel anonymous 15 MB posts (to the
// sign-in form, the residents' upload and the API) are answered without their
// bodies being read: the server's resident memory rises by less than 50 MB, and
// it goes on answering.
func TestAnonymousBigPostsCostLittle(t *testing.T) {
	p := startBinary(t, t.TempDir())
	pid := p.cmd.Process.Pid
	a := newAPI(p.addr)
	for _, path := range []string{"/", "/login", "/api/v1/work-types"} {
		a.do("GET", path, nil, nil)
	}
	base := rssMB(t, pid, "VmRSS")
	stop := make(chan struct{})
	peak := peakRSS(t, pid, stop)
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	paths := []string{"/login", "/my/new", "/api/v1/tickets", "/work/tickets/USN-000001/photos"}
	statuses := make([]string, 20)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", p.addr)
			if err != nil {
				statuses[i] = err.Error()
				return
			}
			defer conn.Close()
			// Well-formed bodies, which a server that reads before it checks
			// would take in whole: a form, JSON, a multipart file.
			path := paths[i%len(paths)]
			ctype, head := "application/x-www-form-urlencoded", "login=x&password="
			switch {
			case strings.HasPrefix(path, "/api/"):
				ctype, head = "application/json", `{"description":"`
			case path != "/login":
				ctype, head = "multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
			}
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", path, ctype, 15<<20, head)
			go func() { // the rest of the body, for as long as the server takes it
				for n := len(head); n < 15<<20; n += len(chunk) {
					if _, err := conn.Write(chunk[:min(len(chunk), 15<<20-n)]); err != nil {
						return
					}
				}
			}()
			conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				statuses[i] = err.Error()
				return
			}
			statuses[i] = strings.TrimSpace(line)
		}(i)
	}
	wg.Wait()
	close(stop)
	rise := peak() - base
	t.Logf("RSS %.1f MB before, peak rise %.1f MB during 20 × 15 MB anonymous posts", base, rise)
	for i, s := range statuses {
		want := "HTTP/1.1 413 Request Entity Too Large"
		if paths[i%len(paths)] == "/my/new" || strings.HasPrefix(paths[i%len(paths)], "/work/") {
			want = "HTTP/1.1 401 Unauthorized"
		}
		if s != want {
			t.Errorf("POST %s: %q, want %q", paths[i%len(paths)], s, want)
		}
	}
	if rise >= 50 {
		t.Errorf("resident memory rose by %.1f MB, want < 50", rise)
	}
	if code, err := a.do("GET", "/healthz", nil, nil); err != nil || code != 200 {
		t.Fatalf("after the flood: %d %v", code, err)
	}
}

// TestPhotoFloodStaysUnder200MB: 20 signed-in clients at once each upload three
// of the costliest photo still accepted (a small 16-bit RGBA PNG that decodes to just
// under 64 MB); the server's resident memory stays under 200 MB throughout, and
// every upload is taken.
func TestPhotoFloodStaysUnder200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 60 large images")
	}
	p := startBinaryWithin(t, 3*time.Minute, t.TempDir(), "--demo")
	pid := p.cmd.Process.Pid
	a := newAPI(p.addr)
	a.login(t, "operator")
	var list struct {
		Items []struct{ Number string }
	}
	// One ticket a client: a ticket takes a few photos only.
	if code, err := a.do("GET", "/api/v1/tickets?status=routed,accepted&limit=20", nil, &list); err != nil || code != 200 || len(list.Items) != 20 {
		t.Fatalf("no 20 open tickets: %d %v", code, err)
	}
	img := phototest.DeepPNG(2896, 2896, 16, 6)
	t.Logf("the photo: %d KB as sent", len(img)>>10)

	// Each client signs in through the form and takes the page's CSRF token.
	csrfRe := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	type client struct {
		c    *http.Client
		csrf string
	}
	clients := make([]client, 20)
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 5 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		page := func(path string) string {
			resp, err := c.Get("http://" + p.addr + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		m := csrfRe.FindStringSubmatch(page("/login"))
		resp, err := c.PostForm("http://"+p.addr+"/login", url.Values{"csrf": {m[1]}, "login": {"operator"}, "password": {"operator"}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %v %v", err, resp)
		}
		resp.Body.Close()
		clients[i] = client{c, csrfRe.FindStringSubmatch(page("/work/tickets/" + list.Items[i].Number + "/photos"))[1]}
	}
	base := rssMB(t, pid, "VmRSS")
	stop := make(chan struct{})
	peak := peakRSS(t, pid, stop)
	start := time.Now()
	codes := make([]int, len(clients))
	var wg sync.WaitGroup
	for i, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			w.WriteField("csrf", cl.csrf)
			for k := 0; k < 3; k++ { // as many as one upload takes
				fw, _ := w.CreateFormFile("photos", fmt.Sprintf("deep%d-%d.png", i, k))
				fw.Write(img)
			}
			w.Close()
			resp, err := cl.c.Post("http://"+p.addr+"/work/tickets/"+list.Items[i].Number+"/photos", w.FormDataContentType(), &b)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	close(stop)
	top := peak()
	t.Logf("RSS %.1f MB before, peak %.1f MB while 20 clients uploaded 3 photos each; %s (busy shared machine)", base, top, time.Since(start).Round(time.Second))
	for i, c := range codes {
		if c != http.StatusSeeOther {
			t.Errorf("client %d: status %d, want 303 (photo taken)", i, c)
		}
	}
	if top >= 200 {
		t.Errorf("peak resident memory %.1f MB, want < 200", top)
	}
}
