package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/ecoz/ecoz/app"
)

// RoutingFigures is how the centre itself did at sending tickets on: the clock of
// a ticket nobody could be found for at filing is the centre's, not an
// organisation's.
type RoutingFigures struct {
	Norm        time.Duration // the centre's own norm (a municipal setting)
	Filed       int           // tickets of the period that were routed or still wait
	WithinNorm  int           // of them, routed within the norm
	AvgMinutes  float64       // mean time from filing to the first routing
	Waiting     int           // waiting to be routed now
	WaitingLate int           // of them, longer than the norm
}

// SharePct is the share of the period's tickets routed within the norm, in per cent
// (100 when there was nothing to route).
func (r RoutingFigures) SharePct() float64 {
	if r.Filed == 0 {
		return 100
	}
	return 100 * float64(r.WithinNorm) / float64(r.Filed)
}

// RoutingFigures measures the routing of the tickets registered in [from, to) and
// the queue of unrouted tickets now. A ticket routed at filing took no time; one
// cancelled or linked before anybody routed it is left out.
func (s *Store) RoutingFigures(ctx context.Context, from, to time.Time) (RoutingFigures, error) {
	r := RoutingFigures{Norm: s.RouteNorm(ctx)}
	if u := app.UserFrom(ctx); u == nil || !u.SeesAllTickets() {
		return r, app.Errorf(app.EFORBIDDEN, "Показатели центра доступны центру и Управлению ЖКХ.")
	}
	norm := int64(r.Norm / time.Second)
	now := s.Now().Unix()
	var within sql.NullInt64
	var avg sql.NullFloat64
	// The first routing of each ticket, read through ticket_events(ticket_id, id).
	err := s.r.QueryRowContext(ctx, `SELECT count(*), sum(COALESCE(r, ?) - created_at <= ?), avg(r - created_at) / 60.0
		FROM (SELECT t.created_at, t.status,
			(SELECT min(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'route') AS r
			FROM tickets t WHERE t.created_at >= ? AND t.created_at < ?)
		WHERE r IS NOT NULL OR status = 'new'`, now, norm, from.Unix(), to.Unix()).Scan(&r.Filed, &within, &avg)
	if err != nil {
		return r, err
	}
	r.WithinNorm, r.AvgMinutes = int(within.Int64), avg.Float64
	// A ticket waits since it became new: filed, or returned by an organisation.
	err = s.r.QueryRowContext(ctx, "SELECT count(*), COALESCE(sum(t.updated_at < ?), 0) FROM tickets t WHERE t.status = 'new'", now-norm).Scan(&r.Waiting, &r.WaitingLate)
	return r, err
}
