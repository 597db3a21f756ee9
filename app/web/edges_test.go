package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app/apptest"
)

// TestRedirectOnlyLocal: after sign-in the visitor is sent to next only when it is
// a local path; every way of naming another site sends them home instead.
func TestRedirectOnlyLocal(t *testing.T) {
	f := newFixture(t)
	cases := []struct{ next, want string }{
		{"/work/tickets/TST-000001?tab=events", "/work/tickets/TST-000001?tab=events"},
		{"/report/?week=2026-W46", "/report/?week=2026-W46"},
		{"/my/%2F%2Fevil.example", "/my/%2F%2Fevil.example"}, // an escaped slash is a path, not a host
		{"//evil.example/", "/work/"},
		{`/\evil.example/`, "/work/"},
		{`/\/evil.example/`, "/work/"},
		{"/\t/evil.example/", "/work/"},
		{"/\n/evil.example/", "/work/"},
		{"https://evil.example/", "/work/"},
		{"javascript:alert(1)", "/work/"},
		{"evil.example", "/work/"},
		{`\\evil.example`, "/work/"},
		{"///evil.example", "/work/"},
		{"", "/work/"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%q", c.next), func(t *testing.T) {
			cl := newClient(t, f.srv)
			st, _, loc := cl.post("/login", url.Values{"login": {"operator"}, "password": {"operator-pass"}, "next": {c.next}})
			if st != http.StatusSeeOther || loc != c.want {
				t.Fatalf("next=%q: %d to %q, want 303 to %q", c.next, st, loc, c.want)
			}
		})
	}
}

// TestCSRFNotFromQuery: the token is taken from the form's body or the
// X-CSRF-Token header; in the address it counts for nothing.
func TestCSRFNotFromQuery(t *testing.T) {
	f := newFixture(t)
	cl := newClient(t, f.srv)
	if st, _, _ := cl.post("/login", url.Values{"login": {"operator"}, "password": {"operator-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("sign in: %d", st)
	}
	_, body := cl.get("/work/")
	cl.csrf = csrfRe.FindStringSubmatch(body)[1]

	req := httptest.NewRequest("POST", "/work/locale?csrf="+url.QueryEscape(cl.csrf), strings.NewReader("locale=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if st, body, _ := cl.do(req); st != http.StatusForbidden || !strings.Contains(body, "нет CSRF-токена") {
		t.Fatalf("token in the query string: %d", st)
	}
	req = httptest.NewRequest("POST", "/work/locale", strings.NewReader("locale=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", cl.csrf)
	if st, _, _ := cl.do(req); st != http.StatusSeeOther && st != http.StatusOK {
		t.Fatalf("token in the header: %d", st)
	}
	if st, _, _ := cl.post("/work/locale", url.Values{"locale": {"ru"}}); st != http.StatusSeeOther && st != http.StatusOK {
		t.Fatalf("token in the body: %d", st)
	}
}

// TestEdges: a folder of the static files is not found (not a 500), a request
// line or headers beyond the read buffer are 431 with a Russian word (not a 500),
// and the wrong-type JSON error is whole UTF-8.
func TestEdges(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/static/", "/static"} {
		if st, body := newClient(t, f.srv).get(p); st != http.StatusNotFound || !strings.Contains(body, "Страница не найдена") {
			t.Errorf("GET %s: %d", p, st)
		}
	}
	base := apptest.Listen(t, f.srv)
	raw := func(req string) string {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprint(conn, req)
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		return strings.TrimSpace(line)
	}
	long := strings.Repeat("a", 10<<10)
	if got := raw("GET /buildings?q=" + long + " HTTP/1.1\r\nHost: x\r\n\r\n"); got != "HTTP/1.1 431 Request Header Fields Too Large" {
		t.Errorf("10 KB request line: %s", got)
	}
	if got := raw("GET / HTTP/1.1\r\nHost: x\r\nCookie: a=" + long + "\r\n\r\n"); got != "HTTP/1.1 431 Request Header Fields Too Large" {
		t.Errorf("10 KB header: %s", got)
	}
	if got := raw("GET /nowhere?q=" + strings.Repeat("a", 6<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n"); got != "HTTP/1.1 404 Not Found" {
		t.Errorf("6 KB request line (within the limit): %s", got)
	}

	r := f.do(t, "operator", "POST", "/api/v1/tickets", `{"building_id":"1"}`)
	e := r.err(t).Error
	// The encoder would have put U+FFFD in place of half a character.
	if r.Status != 400 || !utf8.Valid(r.Body) || strings.ContainsRune(e.Message, utf8.RuneError) || e.Message != "Поле «building_id»: неверный тип значения: ожидается число." {
		t.Fatalf("wrong type: %d %q", r.Status, e.Message)
	}
}
