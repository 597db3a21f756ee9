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
	ids, args := s.duplicateWalk(ctx, t, "t.id")
	if ids == "" {
		return "", nil
	}
	return ticketSelect + ` WHERE t.id IN (` + ids + `) ORDER BY t.created_at DESC, t.id DESC`, args
}

// duplicateWalk selects cols of t's possible duplicates, at most ten, the newest
// first ("" when nothing can match).
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
func (s *Store) duplicateWalk(ctx context.Context, t *app.Ticket, cols string) (string, []any) {
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
	q := `SELECT ` + cols + ` FROM tickets t INDEXED BY tickets_building
		WHERE t.building_id = ? AND t.id > COALESCE((SELECT id FROM tickets INDEXED BY tickets_report
			WHERE created_at < ? ORDER BY created_at DESC LIMIT 1), 0)
		AND t.category = ? AND t.created_at >= ? AND t.id <> ?` + flat + `
		AND t.status IN ('new','routed','accepted','done','reopened') AND ` + where + `
		ORDER BY t.id DESC LIMIT 10`
	return q, append(args, scopeArgs...)
}

// duplicateBriefs lists t's possible duplicates as the answer to filing it shows
// them (app.TicketBrief), inside the transaction that has just filed t, on the
// writer's connection: its cache holds the pages the write has just touched, and
// the walk reads each duplicate's row anyway (its status, its flat), so the brief
// costs a few columns more. (On a reader, SQLite drops a connection's page cache
// whenever another has committed — at full load before every read — and the
// lookup, then the whole rows of ticketSelect with their joins, read every page
// again: a fifth of the ticket's CPU on a million tickets, then a tenth.)
func (tx *Tx) duplicateBriefs(t *app.Ticket) ([]app.TicketBrief, error) {
	out := []app.TicketBrief{}
	q, args := tx.s.duplicateWalk(tx.ctx, t, "t.number, t.status, t.work_type, t.category, t.emergency, t.apartment, t.description, t.created_at")
	if q == "" {
		return out, nil
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b app.TicketBrief
		var created int64
		if err := rows.Scan(&b.Number, &b.Status, &b.WorkType.Code, &b.WorkType.Category, &b.WorkType.Emergency, &b.Apartment, &b.Description, &created); err != nil {
			return nil, err
		}
		b.CreatedAt = time.Unix(created, 0).UTC()
		w, err := tx.cachedWorkType(b.WorkType.Code)
		if err != nil {
			return nil, err
		}
		b.WorkType.Name = w.Name
		out = append(out, b)
	}
	return out, rows.Err()
}
