package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
)

// countCache keeps the queues' counts (the tabs, a filtered tab's total, the
// filters' facets) between requests: on a million tickets a tab's count reads
// tens of thousands of index entries, and every queue page shows every tab's
// count and refreshes itself every 15 seconds for each person at work.
//
// The counts are only as old as the last change of a ticket: they are kept with
// the store's version of ScopeTickets (bumped after every committed write that
// touches tickets, and after every write that does not say what it touched) and
// dropped when it moves on, so the page after a ticket was filed, routed or
// closed shows the new numbers. Two counts change with the clock alone — overdue
// tickets (a deadline passes) and the callbacks due (a «перезвонить в …» time
// comes) — so the cache also ends at the next such moment of any open ticket.
type countCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped whenever the cache is emptied
	version uint64
	from    int64 // unix seconds: the cache holds while from <= now < until
	until   int64
	counts  map[string]int
	facets  map[string]Facets
	pinned  map[string]pinnedList
	open    map[int64]int // open tickets by building (the map), nil until asked
}

// pinnedList is the emergencies pinned above the queues (OpenEmergencies), which
// also change when one of them leaves the last day.
type pinnedList struct {
	list  []*app.Ticket
	until int64
}

// maxCounts bounds each of the cache's maps: far more than the tabs and filters of
// every person at work, few enough to stay small.
const maxCounts = 1000

// countKey identifies a count: who asks (their scope) and what (the filter, without
// the page's cursor).
func countKey(ctx context.Context, kind string, f TicketFilter) string {
	where, args := scope(app.UserFrom(ctx))
	f.After, f.Limit = "", 0
	return fmt.Sprintf("%s|%s|%v|%+v", kind, where, args, f)
}

// countGeneration returns the generation of the cache that holds for now, emptying
// it when the tickets changed or a clock passed since it was filled.
func (s *Store) countGeneration(ctx context.Context) (uint64, error) {
	v, now := s.Version(ScopeTickets), s.Now().Unix()
	c := &s.counts
	c.mu.Lock()
	ok, gen := c.counts != nil && c.version == v && c.from <= now && now < c.until, c.gen
	c.mu.Unlock()
	if ok {
		return gen, nil
	}
	until, err := s.nextCountChange(ctx, now)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Versions only grow: a caller that read an older one while another emptied
	// the cache for a newer one uses that (its queries start after the commit).
	if c.counts == nil || c.version < v || now < c.from || now >= c.until {
		c.gen++
		c.version, c.from, c.until = v, now, until
		c.counts, c.facets, c.pinned, c.open = map[string]int{}, map[string]Facets{}, map[string]pinnedList{}, nil
	}
	return c.gen, nil
}

// nextCountChange is the first second after now at which a count may change with
// no write: one second past the earliest deadline of an open ticket not yet past
// (overdue is due_at < now), or the earliest «перезвонить в …» still ahead.
func (s *Store) nextCountChange(ctx context.Context, now int64) (int64, error) {
	due, err := s.NextDeadline(ctx, time.Unix(now, 0))
	if err != nil {
		return 0, err
	}
	var retry sql.NullInt64
	if err := s.readRow(ctx, "SELECT min(t.callback_retry_at) FROM tickets t INDEXED BY tickets_callback WHERE t.status = 'done' AND t.callback_failed_at IS NULL AND t.callback_retry_at > ?", now).Scan(&retry); err != nil {
		return 0, err
	}
	until := now + int64(time.Hour/time.Second) // bounds the cache's life whatever happens
	if !due.IsZero() && due.Unix()+1 < until {
		until = due.Unix() + 1
	}
	if retry.Valid && retry.Int64 < until {
		until = retry.Int64
	}
	return until, nil
}

// cached returns the value under key in the cache's map that pick names,
// computing it when the map has none or stale says it no longer holds. A value
// computed while the cache was emptied is not kept: it may belong to the
// generation before.
func cached[V any](s *Store, ctx context.Context, pick func(*countCache) map[string]V, key string, stale func(V) bool, compute func() (V, error)) (V, error) {
	var zero V
	gen, err := s.countGeneration(ctx)
	if err != nil {
		return zero, err
	}
	c := &s.counts
	c.mu.Lock()
	v, ok := pick(c)[key]
	c.mu.Unlock()
	if ok && (stale == nil || !stale(v)) {
		return v, nil
	}
	if v, err = compute(); err != nil {
		return zero, err
	}
	c.mu.Lock()
	if c.gen == gen {
		m := pick(c)
		if len(m) >= maxCounts { // a filter is typed in (a category): bound what a day of them keeps
			clear(m)
		}
		m[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

// cachedCount returns the count under key, computing it when the cache has none.
func (s *Store) cachedCount(ctx context.Context, key string, compute func() (int, error)) (int, error) {
	return cached(s, ctx, func(c *countCache) map[string]int { return c.counts }, key, nil, compute)
}

// cachedFacets is cachedCount for a tab's facets; the caller gets its own copy.
func (s *Store) cachedFacets(ctx context.Context, key string, compute func() (Facets, error)) (Facets, error) {
	fc, err := cached(s, ctx, func(c *countCache) map[string]Facets { return c.facets }, key, nil, compute)
	if err != nil {
		return Facets{}, err
	}
	fc.ByOrg, fc.Categories = maps.Clone(fc.ByOrg), slices.Clone(fc.Categories)
	return fc, nil
}

// cachedPinned is cachedCount for the pinned emergencies; compute also says until
// when its list holds. The caller gets its own copies of the tickets.
func (s *Store) cachedPinned(ctx context.Context, key string, compute func() ([]*app.Ticket, int64, error)) ([]*app.Ticket, error) {
	p, err := cached(s, ctx, func(c *countCache) map[string]pinnedList { return c.pinned }, key,
		func(p pinnedList) bool { return s.Now().Unix() >= p.until },
		func() (p pinnedList, err error) { p.list, p.until, err = compute(); return p, err })
	if err != nil {
		return nil, err
	}
	out := make([]*app.Ticket, len(p.list))
	for i, t := range p.list {
		cp := *t
		out[i] = &cp
	}
	return out, nil
}

// cachedOpenByBuilding is cachedCount for the open tickets of every building; the
// caller gets its own copy.
func (s *Store) cachedOpenByBuilding(ctx context.Context, compute func() (map[int64]int, error)) (map[int64]int, error) {
	gen, err := s.countGeneration(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.counts
	c.mu.Lock()
	m := c.open
	c.mu.Unlock()
	if m == nil {
		if m, err = compute(); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.gen == gen {
			c.open = m
		}
		c.mu.Unlock()
	}
	return maps.Clone(m), nil
}
