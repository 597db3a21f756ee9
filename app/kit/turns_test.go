package kit_test

import (
	"io"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/httperr"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/gofiber/fiber/v2"
)

// turnsApp serves GET /:name through turns; the request named "first" holds its
// turn until release is closed. Every request that runs is recorded in order.
type turnsApp struct {
	app     *fiber.App
	release chan struct{}
	mu      sync.Mutex
	order   []string
}

func newTurnsApp(turns *kit.Turns) *turnsApp {
	ta := &turnsApp{release: make(chan struct{})}
	ta.app = fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.Status(httperr.StatusOf(err)).SendString(app.ErrorMessage(err))
	}})
	pass := func(c *fiber.Ctx) bool { return c.Params("*") == "stream" }
	ta.app.Get("/*", turns.Handler(pass), func(c *fiber.Ctx) error {
		ta.mu.Lock()
		ta.order = append(ta.order, c.Params("*"))
		ta.mu.Unlock()
		if c.Params("*") == "first" || c.Params("*") == "stream" {
			<-ta.release
		}
		return c.SendString("ok")
	})
	return ta
}

// get runs GET /name and returns the status and body.
func (ta *turnsApp) get(t *testing.T, name string) (int, string, string) {
	resp, err := ta.app.Test(httptest.NewRequest("GET", "/"+name, nil), -1)
	if err != nil {
		t.Error(err)
		return 0, "", ""
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Retry-After")
}

func (ta *turnsApp) ran() []string {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return append([]string(nil), ta.order...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

// One turn: while the first request holds it, five more arrive one after another
// and wait; they run in the order they came, not in the order of a draw. A
// request the pass function lets through (a stream) runs beside them at once.
func TestTurnsServeInOrderOfArrival(t *testing.T) {
	turns := kit.NewTurns(1, time.Minute)
	ta := newTurnsApp(turns)
	var wg sync.WaitGroup
	run := func(name string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body, _ := ta.get(t, name); code != 200 || body != "ok" {
				t.Errorf("%s: %d %q", name, code, body)
			}
		}()
	}
	run("first")
	waitFor(t, "the first request to run", func() bool { return len(ta.ran()) == 1 })
	names := []string{"b", "c", "d", "e", "f"}
	for i, name := range names {
		run(name)
		waitFor(t, name+" to wait", func() bool { return turns.Stats().Waited == int64(i+1) })
		time.Sleep(20 * time.Millisecond) // from counted to parked on the channel
	}
	run("stream")
	waitFor(t, "the stream to run beside the first", func() bool { return len(ta.ran()) == 2 })
	if got := ta.ran(); got[1] != "stream" {
		t.Fatalf("ran %v while the first held the turn, want the stream only", got)
	}
	close(ta.release)
	wg.Wait()
	want := append([]string{"first", "stream"}, names...)
	got := ta.ran()
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Fatalf("ran in the order %v, want %v", got, want)
		}
	}
	if s := turns.Stats(); s.Waited != 5 || s.Refused != 0 {
		t.Errorf("stats %+v, want 5 waited, none refused", s)
	}
}

// A request that finds no turn within the bound is told the server is busy (429,
// Retry-After, in Russian); the one holding the turn finishes as usual.
func TestTurnsRefuseAfterTheBound(t *testing.T) {
	turns := kit.NewTurns(1, 50*time.Millisecond)
	ta := newTurnsApp(turns)
	done := make(chan int)
	go func() {
		code, _, _ := ta.get(t, "first")
		done <- code
	}()
	waitFor(t, "the first request to run", func() bool { return len(ta.ran()) == 1 })
	code, body, retry := ta.get(t, "second")
	if code != 429 || retry != "1" || body != "Сервер сейчас занят и не успел дойти до вашего запроса. Повторите через несколько секунд." {
		t.Errorf("second: %d Retry-After %q %q", code, retry, body)
	}
	close(ta.release)
	if code := <-done; code != 200 {
		t.Errorf("first: %d", code)
	}
	if got := ta.ran(); len(got) != 1 {
		t.Errorf("ran %v: the refused request must not run", got)
	}
	if s := turns.Stats(); s.Waited != 1 || s.Refused != 1 {
		t.Errorf("stats %+v, want 1 waited, 1 refused", s)
	}
}
