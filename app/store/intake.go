package store

import (
	"context"

	"github.com/ecoz/ecoz/app"
)

// FileLinked files a ticket as the user in ctx and, when parent is not empty,
// links it to parent (one more call about the same incident) in the same
// transaction, so that nothing is half-saved: the operator's intake form.
func (s *Store) FileLinked(ctx context.Context, n app.NewTicket, parent string) (*app.Ticket, error) {
	var t *app.Ticket
	err := s.Write(ctx, func(tx *Tx) error {
		created, err := tx.CreateTicket(n)
		if err != nil {
			return err
		}
		t = created
		if parent != "" {
			t, err = tx.Act(created.Number, app.ActionLink, ActInput{Parent: parent})
		}
		return err
	})
	return t, err
}
