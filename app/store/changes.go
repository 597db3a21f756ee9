package store

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// Scope is a part of the data that pages built from it (the public pages, cached
// by the web side) depend on. After each commit the store counts a change in every
// scope the committed writes touched, so that a cache can tell in one atomic load
// whether what it keeps is still what the database says.
type Scope uint8

const (
	// ScopeTickets: tickets, their trail and their photos.
	ScopeTickets Scope = 1 << iota
	// ScopeRating: the computed rating days.
	ScopeRating
	// ScopeAccounts: users and their sessions (the sessions SessionUser keeps).
	ScopeAccounts

	scopeCount = iota
)

// changes counts the committed changes of each scope, and of everything else
// (catalogues, organisations, settings, any write that did not say what it
// touched), which every scope depends on.
type changes struct {
	all   atomic.Uint64
	scope [scopeCount]atomic.Uint64
}

// Version returns a number that changes whenever a committed write may have
// changed data of scope (or anything outside the scopes: catalogues, settings,
// organisations). It is bumped after the commit: a reader that sees the old number
// may see old or new data, one that sees the new number sees the new data.
func (s *Store) Version(scope Scope) uint64 {
	v := s.changes.all.Load()
	for i := range scopeCount {
		if scope&(1<<i) != 0 {
			v += s.changes.scope[i].Load()
		}
	}
	return v
}

// touched says which scopes a successful write changed: what it declared through
// tx.touch, or everything when it declared nothing.
func (tx *Tx) touched() (scope Scope, all bool) {
	if !tx.declared || tx.dropSettings || tx.dropWorkTypes || tx.dropBuildings || tx.touchedAll {
		return 0, true
	}
	return tx.scope, false
}

// touch declares that the transaction changed data of scope (0: nothing any page
// shows, e.g. a session). A write that declares nothing counts as changing all.
func (tx *Tx) touch(scope Scope) {
	tx.declared = true
	tx.scope |= scope
}

// touchAll declares a change outside the scopes (an organisation, a building):
// every cached page is stale, whatever else the transaction declared.
func (tx *Tx) touchAll() { tx.touchedAll = true }

// count records the changes of a committed group.
func (c *changes) count(scope Scope, all bool) {
	if all {
		c.all.Add(1)
		return
	}
	for i := range scopeCount {
		if scope&(1<<i) != 0 {
			c.scope[i].Add(1)
		}
	}
}

// NextDeadline is the earliest deadline of an open ticket that is not past at now
// (in whole seconds; zero when there is none): one second after it, public pages'
// «просрочено» figures change without any write. It reads tickets_status_due, a
// seek per open status.
func (s *Store) NextDeadline(ctx context.Context, now time.Time) (time.Time, error) {
	var due sql.NullInt64
	err := s.readRow(ctx, "SELECT min(t.due_at) FROM tickets t WHERE "+openStatusSQL+" AND t.due_at >= ?", now.Unix()).Scan(&due)
	return fromUnix(due), err
}
