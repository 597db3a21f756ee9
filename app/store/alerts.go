package store

import (
	"context"
	"time"

	"github.com/ecoz/ecoz/app"
)

// LastTicketID is the id of the newest ticket (0: none): where the live alerts
// start watching.
func (s *Store) LastTicketID(ctx context.Context) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM tickets").Scan(&id)
	return id, err
}

// NewEmergencies lists the emergencies registered after the ticket afterID, for
// the live alerts (the system reads them for everyone; the alerts filter by
// organisation). The id range makes it one short read of the primary key.
func (s *Store) NewEmergencies(ctx context.Context, afterID int64) ([]*app.Ticket, error) {
	return s.systemTickets(ctx, ticketSelect+" WHERE t.id > ? AND t.emergency ORDER BY t.id LIMIT 200", afterID)
}

// LocalizeDueBetween lists the open tickets whose localisation clock, not yet met,
// runs out in (from, to]: the live alerts' ten-minute warning.
func (s *Store) LocalizeDueBetween(ctx context.Context, from, to time.Time) ([]*app.Ticket, error) {
	return s.systemTickets(ctx, ticketSelect+" WHERE t.id IN ("+localizeRunningSQL+" AND localize_due_at > ? AND localize_due_at <= ?) ORDER BY t.localize_due_at LIMIT 200", from.Unix(), to.Unix())
}

func (s *Store) systemTickets(ctx context.Context, q string, args ...any) ([]*app.Ticket, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
