package store

import (
	"context"

	"github.com/ecoz/ecoz/app"
)

// FileLinked files a ticket as the user in ctx and, when parent is not empty,
// links it to parent (one more call about the same incident) in the same
// transaction, so that nothing is half-saved: the operator's intake form. With an
// idempotency key (key, "" for none) the same form sent again returns the ticket
// it filed the first time, and replay says so.
func (s *Store) FileLinked(ctx context.Context, n app.NewTicket, parent, key string) (t *app.Ticket, replay bool, err error) {
	err = s.Write(ctx, func(tx *Tx) error {
		created, again, err := tx.CreateTicketOnce(n, key)
		if err != nil {
			return err
		}
		t, replay = created, again
		if parent != "" && !again {
			t, err = tx.Act(created.Number, app.ActionLink, ActInput{Parent: parent})
		}
		return err
	})
	return t, replay, err
}
