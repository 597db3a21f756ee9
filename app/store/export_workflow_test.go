package store

import (
	"context"

	"github.com/ecoz/ecoz/app"
)

// ExplainDuplicates is SQLite's plan for the duplicate lookup of t, one step a line.
func (s *Store) ExplainDuplicates(ctx context.Context, t *app.Ticket) (string, error) {
	q, args := s.duplicatesQuery(ctx, t)
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		out += detail + "\n"
	}
	return out, rows.Err()
}

// ExplainFacets is SQLite's plan for the counts of a queue tab.
func (s *Store) ExplainFacets(ctx context.Context, f TicketFilter) (string, error) {
	where, args, err := s.where(ctx, f)
	if err != nil {
		return "", err
	}
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+facetsSQL+facetsIndex(f)+" WHERE "+where+" GROUP BY 1, 2", append([]any{0}, args...)...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		out += detail + "\n"
	}
	return out, rows.Err()
}
