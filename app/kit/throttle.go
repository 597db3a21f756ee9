package kit

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// SignInGuard protects password sign-in on both servers (the centre and the
// registry) against guessing and against floods:
//
//   - per address: after FreeFailures failures from one address (on any
//     account), each further attempt from it waits a delay that doubles with
//     every failure, up to MaxDelay; the password is not even checked meanwhile;
//   - per account: after FreeFailures failures on one account (from any
//     address), the same growing delay holds for every address that has itself
//     failed — so a botnet gets one guess per fresh address, not five, while the
//     owner signing in from an address that has not failed still gets in. There
//     is no lock that shuts the owner out;
//   - the password hashing (bcrypt, tens of milliseconds of CPU each) runs in a
//     pool of Hashers slots with at most MaxWaiting queued: a flood of wrong
//     passwords takes one core, not all of them, and the pages stay fast.
type SignInGuard struct {
	// Now is the clock; tests move it.
	Now func() time.Time

	mu       sync.Mutex
	accounts map[string]*failures
	addrs    map[string]*failures
	work     chan func() // to the hashing workers
	closing  sync.Once
	hashers  int
	waiting  atomic.Int64
	maxWait  int64
}

// Limits of the guard.
const (
	FreeFailures = 5                // failures before any delay
	MaxDelay     = 15 * time.Minute // the longest delay
	forgetAfter  = time.Hour        // failures older than this (and past their delay) are forgotten
	maxKeys      = 100_000          // states kept; beyond, the expired are dropped first
)

type failures struct {
	n     int
	last  time.Time
	until time.Time
}

// NewSignInGuard makes a guard whose hashing runs hashers at a time with at most
// maxWaiting attempts queued behind them.
func NewSignInGuard(hashers, maxWaiting int) *SignInGuard {
	g := &SignInGuard{Now: time.Now, accounts: map[string]*failures{}, addrs: map[string]*failures{},
		work: make(chan func()), hashers: max(1, hashers), maxWait: int64(maxWaiting)}
	for i := 0; i < g.hashers; i++ {
		go hasher(g.work)
	}
	return g
}

// hasher runs password checks one after another on a thread of its own, at a
// lower scheduling priority where the system allows it (lowerPriority): when the
// machine is short of CPU, the pages' threads come first and the guessing waits.
// They end, and their threads with them, when the guard is closed.
func hasher(work <-chan func()) {
	runtime.LockOSThread() // never unlocked: the thread keeps its priority and dies with the goroutine
	lowerPriority()
	for fn := range work {
		fn()
	}
}

// Close stops the hashing workers once the server has stopped taking requests;
// the guard must not be used after.
func (g *SignInGuard) Close() { g.closing.Do(func() { close(g.work) }) }

// delay is how long after its latest failure a key with n failures waits.
func delay(n int) time.Duration {
	if n < FreeFailures {
		return 0
	}
	d := time.Second << min(n-FreeFailures, 20)
	return min(d, MaxDelay)
}

func wait(d time.Duration) string {
	if s := int(d.Round(time.Second) / time.Second); s < 60 {
		return fmt.Sprintf("%d с", max(s, 1))
	}
	return fmt.Sprintf("%d мин", int((d+time.Minute-1)/time.Minute))
}

// Attempt runs check — the password comparison of login — for a request from
// addr, unless the guard holds it back: then it returns ERATELIMITED saying how
// long to wait. check's EUNAUTHORIZED counts as a failure; its success clears
// the address's record.
func (g *SignInGuard) Attempt(login, addr string, check func() error) error {
	login = strings.ToLower(strings.TrimSpace(login))
	now := g.Now()
	g.mu.Lock()
	a, acc := g.addrs[addr], g.accounts[login]
	if a != nil && now.Before(a.until) {
		g.mu.Unlock()
		return app.Errorf(app.ERATELIMITED, "Слишком много неудачных попыток входа с этого адреса; повторите через %s.", wait(a.until.Sub(now)))
	}
	if acc != nil && now.Before(acc.until) && a != nil && a.n > 0 {
		g.mu.Unlock()
		return app.Errorf(app.ERATELIMITED, "Слишком много неудачных попыток входа в эту учётную запись; повторите через %s.", wait(acc.until.Sub(now)))
	}
	g.mu.Unlock()

	if g.waiting.Add(1) > g.maxWait+int64(g.hashers) {
		g.waiting.Add(-1)
		return app.Errorf(app.ERATELIMITED, "Сервер занят проверкой паролей; повторите вход через минуту.")
	}
	done := make(chan error, 1)
	g.work <- func() { done <- check() }
	err := <-done
	g.waiting.Add(-1)

	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case err == nil:
		delete(g.addrs, addr)
	case app.ErrorCode(err) == app.EUNAUTHORIZED:
		g.fail(g.addrs, addr, now)
		g.fail(g.accounts, login, now)
	}
	return err
}

func (g *SignInGuard) fail(m map[string]*failures, key string, now time.Time) {
	f := m[key]
	if f == nil || now.Sub(f.last) > forgetAfter && now.After(f.until) {
		if len(m) >= maxKeys {
			g.prune(m, now)
		}
		f = &failures{}
		m[key] = f
	}
	f.n++
	f.last = now
	f.until = now.Add(delay(f.n))
}

// prune drops the forgotten states; if a flood of keys leaves too many, it
// keeps the half that are still delayed.
func (g *SignInGuard) prune(m map[string]*failures, now time.Time) {
	for k, f := range m {
		if now.Sub(f.last) > forgetAfter && now.After(f.until) || len(m) >= maxKeys && !now.Before(f.until) {
			delete(m, k)
		}
	}
}

// Proxies are the reverse proxies whose X-Forwarded-For a server believes.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and networks
// ("10.0.0.1,192.168.0.0/24"), as the --trusted-proxy flag gives it.
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("адрес прокси %q не читается: %w", f, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("сеть прокси %q не читается: %w", f, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (ps Proxies) has(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// ClientIP is the address a request came from: the peer's, unless the peer is
// one of the named proxies — then the right-most address of X-Forwarded-For that
// is not a named proxy (what the nearest proxy saw; anything to the left of it
// the client could have written itself).
func (ps Proxies) ClientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	peer = peer.Unmap()
	if len(ps) == 0 || !ps.has(peer) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !ps.has(a) {
			return a.Unmap().String()
		}
	}
	return peer.String()
}
