package store

import (
	"context"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// DuplicateWindow is how far back a possible duplicate is looked for.
const DuplicateWindow = 7 * 24 * time.Hour

// duplicatesQuery is the query Duplicates runs ("" when nothing can match: an
// in-flat fault without a flat).
func (s *Store) duplicatesQuery(ctx context.Context, t *app.Ticket) (string, []any) {
	ids, args := s.duplicateIDsQuery(ctx, t)
	if ids == "" {
		return "", nil
	}
	return ticketSelect + ` WHERE t.id IN (` + ids + `) ORDER BY t.created_at DESC, t.id DESC`, args
}

// duplicateIDsQuery selects the ids of t's possible duplicates, at most ten, the
// newest first ("" when nothing can match).
//
// It walks the building's tickets in tickets_building(building_id, id, category,
// created_at) after the last ticket filed before the window (one step back in
// tickets_report, by time), reading category and time from the index: a few
// entries a building, and only those of t's category are read whole. Ids grow
// with the time of filing, both given by the one writer; a ticket that got a
// later time with a smaller id (the computer's clock set back by hand meanwhile)
// can fall outside the walk, and is then only not offered as a possible
// duplicate. (The first ticket of the window instead would need the smallest id
// of its second: a walk over every ticket of that second, thousands when a load
// test files them.)
func (s *Store) duplicateIDsQuery(ctx context.Context, t *app.Ticket) (string, []any) {
	where, scopeArgs := scope(app.UserFrom(ctx))
	since := t.CreatedAt.Add(-DuplicateWindow).Unix()
	args := []any{t.BuildingID, since, t.WorkType.Category, since, t.ID}
	flat := ""
	if app.InFlat(t.WorkType.Code) {
		apt := strings.TrimSpace(t.Apartment)
		if apt == "" {
			return "", nil
		}
		flat = " AND t.apartment = ?"
		args = append(args, apt)
	}
	q := `SELECT t.id FROM tickets t INDEXED BY tickets_building
		WHERE t.building_id = ? AND t.id > COALESCE((SELECT id FROM tickets INDEXED BY tickets_report
			WHERE created_at < ? ORDER BY created_at DESC LIMIT 1), 0)
		AND t.category = ? AND t.created_at >= ? AND t.id <> ?` + flat + `
		AND t.status IN ('new','routed','accepted','done','reopened') AND ` + where + `
		ORDER BY t.id DESC LIMIT 10`
	return q, append(args, scopeArgs...)
}

// duplicateIDs runs duplicateIDsQuery inside the transaction that has just filed
// t, on the writer's connection, whose cache holds the pages the write has just
// touched. (On a reader, the whole lookup cost a fifth of the ticket's CPU on a
// million tickets: SQLite drops a reader's page cache whenever another
// connection has committed, which at full load is before every read, so every
// lookup read its index pages again.) The rows themselves are read after the
// commit, on a reader, by ticketsByID: the writer, which every write waits for,
// only looks for ids, and most tickets have no duplicate.
func (tx *Tx) duplicateIDs(t *app.Ticket) ([]int64, error) {
	q, args := tx.s.duplicateIDsQuery(tx.ctx, t)
	if q == "" {
		return nil, nil
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// ticketsByID reads the tickets with ids on a reader, the newest first: the
// possible duplicates duplicateIDs found. A ticket gone since (erased) is left
// out; one changed since is shown as it is now.
func (s *Store) ticketsByID(ctx context.Context, ids []int64) ([]*app.Ticket, error) {
	if len(ids) == 0 {
		return []*app.Ticket{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := ticketSelect + ` WHERE t.id IN (?` + strings.Repeat(",?", len(ids)-1) + `) ORDER BY t.created_at DESC, t.id DESC`
	return scanTickets(s.readQuery(ctx, q, args...))
}
