package store

import (
	"context"
	"time"

	"github.com/ecoz/ecoz/app"
)

// OrgCounts is one organisation's line of the housing department's overview.
type OrgCounts struct {
	NewToday, Open, Overdue int
}

// Overview counts, per organisation, the tickets registered in [from, to), the
// open ones and the overdue ones, in three grouped queries rather than three per
// organisation. Tickets not yet routed are counted under organisation 0. Only
// those who see every ticket get it.
func (s *Store) Overview(ctx context.Context, from, to time.Time) (map[int64]*OrgCounts, error) {
	if u := app.UserFrom(ctx); u == nil || !u.SeesAllTickets() {
		return nil, app.Errorf(app.EFORBIDDEN, "Сводка доступна центру и Управлению ЖКХ.")
	}
	out := map[int64]*OrgCounts{}
	get := func(id int64) *OrgCounts {
		if out[id] == nil {
			out[id] = &OrgCounts{}
		}
		return out[id]
	}
	queries := []struct {
		q    string
		args []any
		dst  func(*OrgCounts) *int
	}{
		{"SELECT COALESCE(t.organization_id, 0), count(*) FROM tickets t WHERE t.created_at >= ? AND t.created_at < ? GROUP BY 1",
			[]any{from.Unix(), to.Unix()}, func(c *OrgCounts) *int { return &c.NewToday }},
		{"SELECT COALESCE(t.organization_id, 0), count(*) FROM tickets t WHERE " + openStatusSQL + " GROUP BY 1",
			nil, func(c *OrgCounts) *int { return &c.Open }},
		{"SELECT COALESCE(t.organization_id, 0), count(*) FROM tickets t WHERE " + openStatusSQL + " AND t.due_at < ? GROUP BY 1",
			[]any{s.Now().Unix()}, func(c *OrgCounts) *int { return &c.Overdue }},
	}
	for _, q := range queries {
		rows, err := s.r.QueryContext(ctx, q.q, q.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			*q.dst(get(id)) = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
