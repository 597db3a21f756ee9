package kit

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// pw is a password check: right when the password is "right".
func pw(p string) func() error {
	return func() error {
		if p == "right" {
			return nil
		}
		return app.Errorf(app.EUNAUTHORIZED, "Неверный логин или пароль.")
	}
}

func code(err error) string {
	if err == nil {
		return "ok"
	}
	return app.ErrorCode(err)
}

func TestSignInGuard(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	g := NewSignInGuard(1, 8)
	g.Now = func() time.Time { return now }
	try := func(login, addr, p string) string { return code(g.Attempt(login, addr, pw(p))) }

	// Five wrong guesses from one address: each checked.
	for i := 0; i < FreeFailures; i++ {
		if got := try("operator", "10.0.0.1", "guess"); got != app.EUNAUTHORIZED {
			t.Fatalf("guess %d: %s", i+1, got)
		}
	}
	// That address now waits, even with the right password, and is told how long.
	err := g.Attempt("operator", "10.0.0.1", pw("right"))
	if app.ErrorCode(err) != app.ERATELIMITED || app.ErrorMessage(err) != "Слишком много неудачных попыток входа с этого адреса; повторите через 1 с." {
		t.Fatalf("6th from the same address: %v", err)
	}
	// The owner, from an address that has not failed, gets in at once.
	if got := try("OPERATOR", "10.0.0.2", "right"); got != "ok" {
		t.Fatalf("the owner from a clean address: %s", got)
	}
	// A sixth address that failed nowhere gets one guess; having failed, it waits
	// like the others: the account's delay holds for every address that failed.
	if got := try("operator", "10.0.0.3", "guess"); got != app.EUNAUTHORIZED {
		t.Fatalf("fresh address: %s", got)
	}
	err = g.Attempt("operator", "10.0.0.3", pw("guess"))
	if app.ErrorCode(err) != app.ERATELIMITED || !strings.Contains(app.ErrorMessage(err), "в эту учётную запись; повторите через 2 с") {
		t.Fatalf("fresh address, second guess: %v", err)
	}

	// The delays double: after the 1 s delay the sixth failure from 10.0.0.1 costs
	// 2 s, the seventh 4 s; the waits are real (the clock is moved just short).
	now = now.Add(1 * time.Second)
	if got := try("other", "10.0.0.1", "guess"); got != app.EUNAUTHORIZED {
		t.Fatalf("after the delay: %s", got)
	}
	for _, d := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		now = now.Add(d - time.Millisecond)
		if got := try("other", "10.0.0.1", "guess"); got != app.ERATELIMITED {
			t.Fatalf("%s after the last failure: %s, want still waiting", d-time.Millisecond, got)
		}
		now = now.Add(time.Millisecond)
		if got := try("other", "10.0.0.1", "guess"); got != app.EUNAUTHORIZED {
			t.Fatalf("%s after the last failure: %s, want checked", d, got)
		}
	}
	// The delay stops growing at MaxDelay.
	if d := delay(FreeFailures + 40); d != MaxDelay {
		t.Fatalf("delay after many failures: %s", d)
	}
	// An hour past its delay, an address starts afresh.
	now = now.Add(MaxDelay + forgetAfter + time.Second)
	for i := 0; i < FreeFailures; i++ {
		if got := try("third", "10.0.0.1", "guess"); got != app.EUNAUTHORIZED {
			t.Fatalf("after an hour, guess %d: %s", i+1, got)
		}
	}
}

// TestSignInGuardPool: hashing runs one at a time here, with two waiting; a
// fourth attempt meanwhile is turned away at once rather than queued.
func TestSignInGuardPool(t *testing.T) {
	g := NewSignInGuard(1, 2)
	release := make(chan struct{})
	started := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			g.Attempt("u", "10.1.0."+string(rune('1'+i)), func() error { started <- struct{}{}; <-release; return nil })
		}(i)
	}
	<-started
	for g.waiting.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	if len(started) != 0 {
		t.Fatal("two hashes ran at once with a pool of one")
	}
	err := g.Attempt("u", "10.1.0.9", pw("right"))
	if app.ErrorCode(err) != app.ERATELIMITED || !strings.Contains(app.ErrorMessage(err), "Сервер занят проверкой паролей") {
		t.Fatalf("fourth attempt: %v", err)
	}
	close(release)
	wg.Wait()
}

// TestClientIP: X-Forwarded-For counts only from a named proxy, and then its
// right-most address that is not a proxy.
func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies("127.0.0.1, 10.9.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProxies("not-an-address"); err == nil {
		t.Fatal("a bad proxy address was taken")
	}
	var got string
	serve := func(ps Proxies, xff string) string {
		a := fiber.New()
		a.Get("/", func(c *fiber.Ctx) error { got = ps.ClientIP(c); return nil })
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		go a.Listener(ln)
		defer a.Shutdown()
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return got
	}
	cases := []struct {
		ps        Proxies
		xff, want string
	}{
		{nil, "203.0.113.5", "127.0.0.1"},                                // no proxy named: the header is ignored
		{proxies, "", "127.0.0.1"},                                       // from the proxy, but no header
		{proxies, "203.0.113.5", "203.0.113.5"},                          // the proxy says who
		{proxies, "1.2.3.4, 203.0.113.5", "203.0.113.5"},                 // the client's own claim on the left is ignored
		{proxies, "203.0.113.5, 10.9.1.1", "203.0.113.5"},                // a chain of named proxies
		{proxies, "garbage, 203.0.113.5", "203.0.113.5"},                 // rubbish on the left does not matter
		{Proxies{netipMust("192.0.2.1/32")}, "203.0.113.5", "127.0.0.1"}, // the peer is not the named proxy
	}
	for _, c := range cases {
		if got := serve(c.ps, c.xff); got != c.want {
			t.Errorf("proxies %v, X-Forwarded-For %q: %s, want %s", c.ps, c.xff, got, c.want)
		}
	}
}

func netipMust(s string) netip.Prefix { return netip.MustParsePrefix(s) }
