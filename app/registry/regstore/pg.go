package regstore

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app/kit/pgkit"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// schemaPG is the registry's schema on PostgreSQL (version 3, the SQLite
// schema's after migrateCounts, laid out for scale).
//
//go:embed schema_pg.sql
var schemaPG string

// pgMigrations[i] upgrades a PostgreSQL registry from version i+1 to i+2. The
// PostgreSQL registry starts at the SQLite schema's version 3, so its first two
// steps are never run (there is no PostgreSQL registry older than 3).
var pgMigrations = []string{"SELECT 1", "SELECT 1"}

// PGConns is the size of the PostgreSQL pool: the ingest of many municipalities
// at once runs in parallel up to it.
var PGConns int32 = 16

func openPG(rawURL string) (*DB, error) {
	s := sqlkit.Schema{SQL: strings.ReplaceAll(schemaPG, "{{open}}", openSQL), Steps: pgMigrations, Noun: "база реестра", Of: "реестра ecoz"}
	pg, err := pgkit.Open(context.Background(), rawURL, s, PGConns)
	if err != nil {
		return nil, err
	}
	db := &DB{Path: pg.URL, Now: time.Now, pg: pg, w: pg.SQL, r: pg.SQL}
	// The months of tickets already held, and this month and the next, ready.
	if err := db.parts.load(context.Background(), db); err != nil {
		db.Close()
		return nil, err
	}
	now := time.Now().UTC()
	if err := db.parts.ensure(context.Background(), db, []int64{now.Unix(), now.AddDate(0, 1, 0).Unix()}); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// partitions are the months of tickets (partitions tickets_pYYYYMM) that exist.
type partitions struct {
	mu   sync.Mutex
	have map[string]bool
}

func month(unix int64) (name string, from, to int64) {
	t := time.Unix(unix, 0).UTC()
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("tickets_p%04d%02d", m.Year(), int(m.Month())), m.Unix(), m.AddDate(0, 1, 0).Unix()
}

func (p *partitions) load(ctx context.Context, db *DB) error {
	rows, err := db.r.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'tickets'::regclass`)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.have = map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		p.have[n] = true
	}
	return rows.Err()
}

// partitionLock is the advisory lock under which partitions are created.
const partitionLock = 0x65636f7a + 1

// ensure creates the partitions of the months of times that do not exist yet,
// each in its own transaction before the batch's (creating a partition locks
// the whole table for a moment: once a month, not once a batch).
func (p *partitions) ensure(ctx context.Context, db *DB, times []int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range times {
		name, from, to := month(t)
		if p.have[name] {
			continue
		}
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", partitionLock)
		if err == nil {
			_, err = tx.ExecContext(ctx, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF tickets FOR VALUES FROM (%d) TO (%d)", name, from, to))
		}
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err != nil {
			return fmt.Errorf("раздел %s таблицы заявок не создан: %w", name, err)
		}
		p.have[name] = true
	}
	return nil
}

// ready makes the partitions for rows' months, before the batch's transaction
// begins (creating one waits for the transactions writing tickets to end).
func (db *DB) ready(ctx context.Context, rows []row) error {
	if db.pg == nil {
		return nil
	}
	months := make([]int64, len(rows))
	for i, w := range rows {
		months[i] = w.created
	}
	return db.parts.ensure(ctx, db, months)
}

// municipalityLock makes one municipality's batches apply one after another, as
// SQLite's single writer does: what the batch's plan read of the versions held
// stays true until it commits. Different municipalities go in parallel.
const municipalityLock = "SELECT pg_advisory_xact_lock(hashtext('ecoz:' || $1))"

// applyPG writes a batch with one statement whatever its size: the tickets'
// columns as arrays, unnested into an upsert that keeps the highest version.
func (db *DB) applyPG(ctx context.Context, tx *wtx, code string, rows []row, now int64) (*plan, error) {
	if len(rows) == 0 {
		return &plan{}, nil
	}
	numbers := make([]string, len(rows))
	for i, w := range rows {
		numbers[i] = w.rec.Number
	}
	if _, err := tx.ExecContext(ctx, municipalityLock, code); err != nil {
		return nil, err
	}
	q, err := tx.QueryContext(ctx, "SELECT number, version, status, done_on_time, created_at FROM ticket_keys WHERE municipality = $1 AND number = ANY($2)", code, numbers)
	if err != nil {
		return nil, err
	}
	was := map[string]held{}
	for q.Next() {
		var n string
		var h held
		if err := q.Scan(&n, &h.version, &h.status, &h.onTime, &h.created); err != nil {
			q.Close()
			return nil, err
		}
		was[n] = h
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, err
	}
	p, err := planBatch(code, rows, was)
	if err != nil || len(p.final) == 0 {
		return p, err
	}
	if len(p.moved) > 0 {
		// A ticket whose filing time changed lives in another month's partition
		// now: its old row goes, in this transaction.
		if _, err := tx.ExecContext(ctx, "DELETE FROM tickets WHERE municipality = $1 AND number = ANY($2)", code, p.moved); err != nil {
			return nil, err
		}
	}
	if PGBulk == "copy" {
		if err := db.copyPG(ctx, tx, code, now, p.final); err != nil {
			return nil, err
		}
		return p, keepKeys(ctx, tx, code, p.final)
	}
	n := len(p.final)
	c := struct {
		number, status, organization, address, category, parent, search, record []string
		version, orgID, building, created, acceptDue, due, horizon              []int64
		accepted, done, closed                                                  []*int64
		onTime                                                                  []*int32
		reopen, apartments                                                      []int32
	}{}
	for _, w := range p.final {
		r := w.rec
		rec, err := jsonv2.Marshal(r)
		if err != nil {
			return nil, err
		}
		c.number = append(c.number, r.Number)
		c.status = append(c.status, string(r.Status))
		c.organization = append(c.organization, w.orgName)
		c.address = append(c.address, r.Building.Address)
		c.category = append(c.category, r.WorkType.Category)
		c.parent = append(c.parent, w.parent)
		c.search = append(c.search, w.search())
		c.record = append(c.record, string(rec))
		c.version = append(c.version, r.Version)
		c.orgID = append(c.orgID, w.orgID.Int64)
		c.building = append(c.building, r.Building.ID)
		c.created = append(c.created, w.created)
		c.acceptDue = append(c.acceptDue, w.acceptDue)
		c.due = append(c.due, w.due)
		c.horizon = append(c.horizon, horizon(w))
		c.accepted = append(c.accepted, nullable(w.accepted))
		c.done = append(c.done, nullable(w.done))
		c.closed = append(c.closed, nullable(w.closed))
		var ot *int32
		if w.onTime.Valid {
			v := int32(w.onTime.Int64)
			ot = &v
		}
		c.onTime = append(c.onTime, ot)
		c.reopen = append(c.reopen, int32(r.ReopenCount))
		c.apartments = append(c.apartments, int32(r.Building.Apartments))
	}
	res, err := tx.ExecContext(ctx, upsertPG, code, c.number, c.version, c.status, c.orgID, c.organization, c.building, c.address,
		c.category, c.parent, c.created, c.acceptDue, c.due, c.accepted, c.done, c.closed, c.onTime, c.reopen,
		c.search, c.record, now, c.apartments, c.horizon)
	if err != nil {
		return nil, err
	}
	if got, _ := res.RowsAffected(); got != int64(n) {
		return nil, fmt.Errorf("реестр: из %d записей пакета легло %d; пакет не принят", n, got)
	}
	return p, keepKeys(ctx, tx, code, p.final)
}

// keepKeys writes the final rows' keys and versions (ticket_keys), with the same
// rule as the tickets: only a higher version replaces the one held.
func keepKeys(ctx context.Context, tx *wtx, code string, final []*row) error {
	n := len(final)
	numbers, versions, statuses, created := make([]string, n), make([]int64, n), make([]string, n), make([]int64, n)
	onTime := make([]*int64, n)
	for i, w := range final {
		numbers[i], versions[i], statuses[i], created[i], onTime[i] = w.rec.Number, w.rec.Version, string(w.rec.Status), w.created, nullable(w.onTime)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ticket_keys(municipality, number, version, status, done_on_time, created_at)
		SELECT $1, n, v, s, o, c FROM unnest($2::text[], $3::bigint[], $4::text[], $5::integer[], $6::bigint[]) AS u(n, v, s, o, c)
		ON CONFLICT (municipality, number) DO UPDATE SET version = excluded.version, status = excluded.status,
		done_on_time = excluded.done_on_time, created_at = excluded.created_at
		WHERE excluded.version > ticket_keys.version`, code, numbers, versions, statuses, onTime, created)
	if err != nil {
		return err
	}
	if got, _ := res.RowsAffected(); got != int64(n) {
		return fmt.Errorf("реестр: ключи %d записей из %d не легли; пакет не принят", int64(n)-got, n)
	}
	return nil
}

// PGBulk is how a batch reaches PostgreSQL: "copy" (COPY into a temporary
// table, then one upsert from it; the default) or "unnest" (one upsert over
// arrays). BenchmarkIngestConcurrent measures both: on a quiet machine COPY
// took 52,600–54,400 records/s and the arrays 48,000–52,500 (docs/scale.md).
var PGBulk = "copy"

// copyPG writes the final rows through COPY into a temporary staging table,
// then upserts them from it.
func (db *DB) copyPG(ctx context.Context, tx *wtx, code string, now int64, final []*row) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS ticket_stage (LIKE tickets INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`); err != nil {
		return err
	}
	src := make([][]any, len(final))
	for i, w := range final {
		r := w.rec
		rec, err := jsonv2.Marshal(r)
		if err != nil {
			return err
		}
		src[i] = []any{code, r.Number, r.Version, string(r.Status), w.orgID.Int64, w.orgName, r.Building.ID, r.Building.Address,
			r.WorkType.Category, w.parent, w.created, w.acceptDue, w.due, nullable(w.accepted), nullable(w.done), nullable(w.closed),
			nullable(w.onTime), int32(r.ReopenCount), w.search(), string(rec), now, int32(r.Building.Apartments), horizon(w)}
	}
	err := tx.conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		_, err := c.CopyFrom(ctx, pgx.Identifier{"ticket_stage"}, []string{"municipality", "number", "version", "status", "organization_id", "organization",
			"building_id", "address", "category", "parent", "created_at", "accept_due_at", "due_at", "accepted_at", "done_at", "closed_at", "done_on_time",
			"reopen_count", "search", "record", "received_at", "apartments", "horizon"}, pgx.CopyFromRows(src))
		return err
	})
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO tickets SELECT * FROM ticket_stage `+keepHighestPG)
	if err != nil {
		return err
	}
	if got, _ := res.RowsAffected(); got != int64(len(final)) {
		return fmt.Errorf("реестр: из %d записей пакета легло %d; пакет не принят", len(final), got)
	}
	return nil
}

func nullable(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

const upsertPG = `INSERT INTO tickets(municipality, number, version, status, organization_id, organization, building_id, address, category,
 parent, created_at, accept_due_at, due_at, accepted_at, done_at, closed_at, done_on_time, reopen_count, search, record, received_at, apartments, horizon)
SELECT $1, number, version, status, organization_id, organization, building_id, address, category, parent, created_at, accept_due_at, due_at,
 accepted_at, done_at, closed_at, done_on_time, reopen_count, search, record, $21::bigint, apartments, horizon
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::text[], $9::text[],
 $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::integer[], $18::integer[],
 $19::text[], $20::text[], $22::integer[], $23::bigint[])
 AS u(number, version, status, organization_id, organization, building_id, address, category, parent, created_at, accept_due_at, due_at,
 accepted_at, done_at, closed_at, done_on_time, reopen_count, search, record, apartments, horizon) ` + keepHighestPG

// keepHighestPG is the upsert's conflict clause: the record held is replaced only
// by a higher version.
const keepHighestPG = `ON CONFLICT (municipality, number, created_at) DO UPDATE SET version = excluded.version, status = excluded.status,
 organization_id = excluded.organization_id, organization = excluded.organization, building_id = excluded.building_id,
 address = excluded.address, apartments = excluded.apartments, category = excluded.category, parent = excluded.parent,
 accept_due_at = excluded.accept_due_at, due_at = excluded.due_at, accepted_at = excluded.accepted_at, done_at = excluded.done_at,
 closed_at = excluded.closed_at, done_on_time = excluded.done_on_time, reopen_count = excluded.reopen_count,
 search = excluded.search, record = excluded.record, received_at = excluded.received_at, horizon = excluded.horizon
WHERE excluded.version > tickets.version`
