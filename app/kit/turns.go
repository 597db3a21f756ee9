package kit

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// Turns lets at most n requests through at once; the others wait for their turn
// in the order they came, up to a bound.
//
// Without it, every request that reads the database waits for one of the few
// reader connections, and database/sql hands a freed connection to a waiting
// request chosen at random (connRequestSet.TakeRandom): with 32 requests at once
// and four readers, an unlucky request loses the draw again and again, and a page
// that takes 25 ms on average takes three times that for one request in a
// hundred. A page also reads in several queries, and drew once for each. Here a
// request waits once, before it starts, and a buffered channel serves its waiting
// senders first in, first out.
type Turns struct {
	slots   chan struct{}
	wait    time.Duration
	waited  atomic.Int64
	refused atomic.Int64
}

// NewTurns lets n requests run at once, each of the others waiting at most wait.
func NewTurns(n int, wait time.Duration) *Turns {
	return &Turns{slots: make(chan struct{}, max(1, n)), wait: wait}
}

// TurnStats counts the requests that waited for their turn, and those that were
// refused after waiting the whole bound.
type TurnStats struct{ Waited, Refused int64 }

// Stats returns the counts since the start.
func (t *Turns) Stats() TurnStats {
	return TurnStats{t.waited.Load(), t.refused.Load()}
}

// Handler waits for a turn, runs the rest of the chain and gives the turn back.
// Requests for which pass returns true go straight on (a change that waits for
// the disk rather than the processor). A request
// that finds no turn within the bound gets 429 with Retry-After and a message
// that says the server is busy.
func (t *Turns) Handler(pass func(c *fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if pass != nil && pass(c) {
			return c.Next()
		}
		select {
		case t.slots <- struct{}{}:
		default:
			t.waited.Add(1)
			timer := time.NewTimer(t.wait)
			select {
			case t.slots <- struct{}{}:
				timer.Stop()
			case <-timer.C:
				t.refused.Add(1)
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(max(1, t.wait.Seconds()/4))))
				return app.Errorf(app.ERATELIMITED, "Сервер сейчас занят и не успел дойти до вашего запроса. Повторите через несколько секунд.")
			}
		}
		defer func() { <-t.slots }()
		return c.Next()
	}
}
