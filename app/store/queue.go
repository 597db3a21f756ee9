package store

import (
	"context"
	"sort"
)

// Facets are the counts a queue's filters show beside each choice: how many of
// the tab's tickets each organisation, category, emergencies and overdue hold.
type Facets struct {
	ByOrg      map[int64]int
	Categories []QueueCategory
	Emergency  int
	Overdue    int
}

// QueueCategory is one category of a queue with its number of tickets.
type QueueCategory struct {
	Category string
	Count    int
}

// facetsSQL reads only columns of tickets_category_queue, so that a tab's counts
// come from the index alone.
const facetsSQL = `SELECT COALESCE(t.organization_id, 0), t.category, count(*), sum(t.emergency),
		sum(t.status IN ('new','routed','accepted','reopened') AND t.due_at < ?)
		FROM tickets t`

// QueueFacets counts the tickets of f (a queue tab, before its filters) by
// organisation and category, and its emergencies and overdue ones, in one pass
// over the tab's rows, scoped to the user in ctx; kept like CountTickets'.
func (s *Store) QueueFacets(ctx context.Context, f TicketFilter) (Facets, error) {
	f.After, f.Sort = "", ""
	where, args, err := s.where(ctx, f)
	if err != nil {
		return Facets{}, err
	}
	return s.cachedFacets(ctx, countKey(ctx, "facets", f), func() (Facets, error) {
		return s.queueFacets(ctx, f, where, args)
	})
}

func (s *Store) queueFacets(ctx context.Context, f TicketFilter, where string, args []any) (Facets, error) {
	rows, err := s.r.QueryContext(ctx, facetsSQL+facetsIndex(f)+" WHERE "+where+` GROUP BY 1, 2`, append([]any{s.Now().Unix()}, args...)...)
	if err != nil {
		return Facets{}, err
	}
	defer rows.Close()
	fc := Facets{ByOrg: map[int64]int{}}
	cats := map[string]int{}
	for rows.Next() {
		var org int64
		var cat string
		var n, em, over int
		if err := rows.Scan(&org, &cat, &n, &em, &over); err != nil {
			return fc, err
		}
		fc.ByOrg[org] += n
		cats[cat] += n
		fc.Emergency += em
		fc.Overdue += over
	}
	for c, n := range cats {
		fc.Categories = append(fc.Categories, QueueCategory{c, n})
	}
	sort.Slice(fc.Categories, func(i, j int) bool { return fc.Categories[i].Category < fc.Categories[j].Category })
	return fc, rows.Err()
}

// facetsIndex makes SQLite read the tab from tickets_category_queue, which holds
// every column of facetsSQL and of a tab's filters, rather than from a narrower
// index that would send it to every row (the overdue tab); the callback tabs
// filter on columns it does not hold.
func facetsIndex(f TicketFilter) string {
	if f.CallbackDue || f.CallbackFailed {
		return ""
	}
	return " INDEXED BY tickets_category_queue"
}
