package regstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/ecoz/ecoz/app"
	jsonv2 "github.com/go-json-experiment/json"
)

// Apply files a validated batch in one transaction: each record replaces the one
// held only when its version is higher, so a replay or a late, older copy changes
// nothing.
func (db *DB) Apply(ctx context.Context, code string, b *app.Batch, rows []row) (Result, error) {
	var res Result
	if err := db.ready(ctx, rows); err != nil {
		return res, err
	}
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		res, err = db.applyTx(ctx, tx, code, b.BatchID, rows, "push")
		return err
	})
	return res, err
}

// held is what the registry holds of a ticket before a batch.
type held struct {
	version int64
	status  app.Status
	onTime  sql.NullInt64
	created int64
}

// tally is what one ticket adds to its municipality's overview counts.
type tally struct{ tickets, open, closed, onTime int64 }

func (t *tally) add(status app.Status, onTime sql.NullInt64, sign int64) {
	if status.WorkOpen() {
		t.open += sign
	}
	if status == app.StatusClosed {
		t.closed += sign
		if onTime.Valid && onTime.Int64 == 1 {
			t.onTime += sign
		}
	}
}

// plan is what a batch does, worked out before anything is written from what is
// held: the records accepted (in the batch's order, each version above the one
// held or accepted before it in the batch), the last accepted row of each
// ticket, the tickets whose filing time moved, and the change to the counts.
type plan struct {
	res      Result
	accepted []*row
	final    []*row // the last accepted row of each ticket, in first-seen order
	moved    []string
	delta    tally
}

func planBatch(code string, rows []row, was map[string]held) (*plan, error) {
	p := &plan{}
	fe := app.FieldErrors{}
	for i := range rows {
		w := &rows[i]
		if w.rec.Version > was[w.rec.Number].version+MaxVersionJump {
			fe.Add(recordKey(i, w.rec.Number), fmt.Sprintf("версия %d больше хранимой (%d) более чем на %d", w.rec.Version, was[w.rec.Number].version, MaxVersionJump))
		}
	}
	if len(fe) > 0 {
		return nil, badRecords(fe)
	}
	now := map[string]held{}
	last := map[string]int{} // number → index in final
	for i := range rows {
		w := &rows[i]
		n := w.rec.Number
		cur, ok := now[n]
		if !ok {
			cur, ok = was[n]
		}
		if ok && w.rec.Version <= cur.version {
			p.res.Ignored++
			continue
		}
		p.res.Accepted++
		p.accepted = append(p.accepted, w)
		if ok {
			p.delta.add(cur.status, cur.onTime, -1)
		} else {
			p.delta.tickets++
		}
		p.delta.add(w.rec.Status, w.onTime, 1)
		now[n] = held{version: w.rec.Version, status: w.rec.Status, onTime: w.onTime, created: w.created}
		if j, seen := last[n]; seen {
			p.final[j] = w
		} else {
			last[n] = len(p.final)
			p.final = append(p.final, w)
		}
	}
	for _, w := range p.final {
		if h, ok := was[w.rec.Number]; ok && h.created != w.created {
			p.moved = append(p.moved, w.rec.Number)
		}
	}
	return p, nil
}

// horizon is the latest of a ticket's filing, deadlines and closure: a ticket
// with any of them inside the rating's window has its horizon there or later.
func horizon(w *row) int64 {
	h := max(w.created, w.closed.Int64)
	if w.acceptDue < app.NoDeadlineUnix {
		h = max(h, w.acceptDue)
	}
	if w.due < app.NoDeadlineUnix {
		h = max(h, w.due)
	}
	return h
}

func (w *row) search() string {
	r := w.rec
	return strings.ToLower(r.Number + " " + r.Building.Address + " " + r.WorkType.Name + " " + w.orgName)
}

// applyTx files rows inside tx; source is "push" or "import" (an import does not
// count as a push for the staleness warning: it came by hand, not by the link).
func (db *DB) applyTx(ctx context.Context, tx *wtx, code, batchID string, rows []row, source string) (Result, error) {
	now := db.Now().Unix()
	var p *plan
	var err error
	if db.pg != nil {
		p, err = db.applyPG(ctx, tx, code, rows, now)
	} else {
		p, err = db.applySQLite(ctx, tx, code, rows, now)
	}
	if err != nil {
		return Result{}, err
	}
	if err := db.keepBuildings(ctx, tx, code, p.final); err != nil {
		return Result{}, err
	}
	if _, err := tx.ExecContext(ctx, db.q("INSERT INTO batches(municipality, batch_id, source, received_at, records, accepted, ignored) VALUES (?,?,?,?,?,?,?)"),
		code, batchID, source, now, len(rows), p.res.Accepted, p.res.Ignored); err != nil {
		return Result{}, err
	}
	pushed := sql.NullInt64{}
	if source == "push" {
		pushed = sql.NullInt64{Int64: now, Valid: true}
	}
	d := p.delta
	_, err = tx.ExecContext(ctx, db.q(`UPDATE municipalities SET n_tickets = n_tickets + ?, n_open = n_open + ?, n_closed = n_closed + ?, n_on_time = n_on_time + ?,
		last_push_at = COALESCE(?, last_push_at) WHERE code = ?`), d.tickets, d.open, d.closed, d.onTime, pushed, code)
	return p.res, err
}

// keepBuildings records the buildings of the accepted records under their
// organisations, with the largest flat count seen.
func (db *DB) keepBuildings(ctx context.Context, tx *wtx, code string, final []*row) error {
	type key struct{ org, building int64 }
	flats := map[key]int{}
	for _, w := range final {
		if w.orgID.Int64 == 0 {
			continue
		}
		k := key{w.orgID.Int64, w.rec.Building.ID}
		flats[k] = max(flats[k], w.rec.Building.Apartments)
	}
	if len(flats) == 0 {
		return nil
	}
	keys := make([]key, 0, len(flats))
	for k := range flats {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.org != b.org {
			return int(a.org - b.org)
		}
		return int(a.building - b.building)
	})
	if db.pg != nil {
		orgs, buildings, apts := make([]int64, len(keys)), make([]int64, len(keys)), make([]int32, len(keys))
		for i, k := range keys {
			orgs[i], buildings[i], apts[i] = k.org, k.building, int32(flats[k])
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO org_buildings(municipality, organization_id, building_id, apartments)
			SELECT $1, o, b, a FROM unnest($2::bigint[], $3::bigint[], $4::integer[]) AS u(o, b, a)
			ON CONFLICT (municipality, organization_id, building_id) DO UPDATE SET apartments = excluded.apartments
			WHERE excluded.apartments > org_buildings.apartments`, code, orgs, buildings, apts)
		return err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO org_buildings(municipality, organization_id, building_id, apartments) VALUES (?,?,?,?)
		ON CONFLICT (municipality, organization_id, building_id) DO UPDATE SET apartments = excluded.apartments
		WHERE excluded.apartments > org_buildings.apartments`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range keys {
		if _, err := st.ExecContext(ctx, code, k.org, k.building, flats[k]); err != nil {
			return err
		}
	}
	return nil
}

// The SQLite engine writes record by record (a prepared statement in one
// transaction is what SQLite does fastest), in the batch's order.
const upsertSQLite = `INSERT INTO tickets(municipality, number, version, status, organization_id, organization, building_id, address, category,
 parent, created_at, accept_due_at, due_at, accepted_at, done_at, closed_at, done_on_time, reopen_count, search, record, received_at, apartments, horizon)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT(municipality, number) DO UPDATE SET version = excluded.version, status = excluded.status,
 organization_id = excluded.organization_id, organization = excluded.organization, building_id = excluded.building_id,
 address = excluded.address, apartments = excluded.apartments, category = excluded.category, parent = excluded.parent, created_at = excluded.created_at,
 accept_due_at = excluded.accept_due_at, due_at = excluded.due_at, accepted_at = excluded.accepted_at, done_at = excluded.done_at,
 closed_at = excluded.closed_at, done_on_time = excluded.done_on_time, reopen_count = excluded.reopen_count,
 search = excluded.search, record = excluded.record, received_at = excluded.received_at, horizon = excluded.horizon
WHERE excluded.version > tickets.version`

func (db *DB) applySQLite(ctx context.Context, tx *wtx, code string, rows []row, now int64) (*plan, error) {
	get, err := tx.PrepareContext(ctx, "SELECT version, status, done_on_time, created_at FROM tickets WHERE municipality = ? AND number = ?")
	if err != nil {
		return nil, err
	}
	defer get.Close()
	was := map[string]held{}
	for _, w := range rows {
		var h held
		err := get.QueryRowContext(ctx, code, w.rec.Number).Scan(&h.version, &h.status, &h.onTime, &h.created)
		if err == nil {
			was[w.rec.Number] = h
		} else if err != sql.ErrNoRows {
			return nil, err
		}
	}
	p, err := planBatch(code, rows, was)
	if err != nil {
		return nil, err
	}
	st, err := tx.PrepareContext(ctx, upsertSQLite)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	for _, w := range p.accepted {
		r := w.rec
		rec, err := jsonv2.Marshal(r)
		if err != nil {
			return nil, err
		}
		out, err := st.ExecContext(ctx, code, r.Number, r.Version, r.Status, w.orgID.Int64, w.orgName, r.Building.ID, r.Building.Address,
			r.WorkType.Category, w.parent, w.created, w.acceptDue, w.due, w.accepted, w.done, w.closed, w.onTime, r.ReopenCount,
			w.search(), string(rec), now, r.Building.Apartments, horizon(w))
		if err != nil {
			return nil, err
		}
		if n, _ := out.RowsAffected(); n != 1 {
			return nil, fmt.Errorf("реестр: запись %s версии %d не легла, хотя новее хранимой", r.Number, r.Version)
		}
	}
	return p, nil
}
