package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
)

// client is a signed-in (or anonymous) visitor of the web screens, through
// Fiber's in-process test transport.
type client struct {
	t       testing.TB
	srv     *web.Server
	cookies map[string]string
	csrf    string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newClient(t testing.TB, srv *web.Server) *client {
	c := &client{t: t, srv: srv, cookies: map[string]string{}}
	_, body := c.get("/login")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	c.csrf = m[1]
	return c
}

// signIn signs in through the form; the demo's passwords are the logins.
func signIn(t testing.TB, srv *web.Server, login string) *client {
	t.Helper()
	c := newClient(t, srv)
	st, _, _ := c.post("/login", url.Values{"login": {login}, "password": {login}})
	if st != http.StatusSeeOther || c.cookies["ecoz_session"] == "" {
		t.Fatalf("sign-in as %s: status %d", login, st)
	}
	_, body := c.get("/work/")
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return c
}

func (c *client) do(req *http.Request) (int, string, string) {
	c.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.srv.App.Test(req, -1)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		c.cookies[ck.Name] = ck.Value
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	st, body, _ := c.do(httptest.NewRequest(http.MethodGet, path, nil))
	return st, body
}

// post sends a form with the client's CSRF token (unless the form has its own).
func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// The demo municipality takes a while to build (minutes under -race on a busy
// machine), and most tests here only need a fresh copy of it: it is built once per
// test binary, kept in memory as a database file, and written out for each test.
var (
	demoOnce  sync.Once
	demoBytes []byte
)

// demo opens a private copy of the demo municipality, clock frozen at apptest.Now.
func demo(t testing.TB) (*store.Store, *apptest.Clock) {
	t.Helper()
	demoOnce.Do(func() {
		s, _ := apptest.Demo(t)
		path := filepath.Join(t.TempDir(), "demo-copy.db")
		if err := s.Backup(context.Background(), path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		demoBytes = b
	})
	if demoBytes == nil {
		t.Fatal("the demo municipality could not be built")
	}
	path := filepath.Join(t.TempDir(), "ecoz.db")
	if err := os.WriteFile(path, demoBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(path, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	clock := &apptest.Clock{}
	clock.Set(apptest.Now)
	s.Now = clock.Now
	t.Cleanup(func() { s.Close() })
	return s, clock
}
