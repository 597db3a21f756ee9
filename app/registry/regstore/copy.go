package regstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CopyCount is one table's count in a move.
type CopyCount struct {
	Table          string
	Source, Copied int64
}

// copyTables are the tables a move copies, with their columns (the same on both
// engines). Sessions are not moved: officials sign in again.
var copyTables = []struct {
	name, cols, order string
}{
	{"municipalities", "code, name, token_hash, token_issued_at, revoked, created_at, last_push_at, n_tickets, n_open, n_closed, n_on_time", "code"},
	{"users", "login, password_hash, created_at", "login"},
	{"tickets", "municipality, number, version, status, organization_id, organization, building_id, address, apartments, category, parent, created_at, accept_due_at, due_at, accepted_at, done_at, closed_at, done_on_time, reopen_count, horizon, search, record, received_at", "municipality, created_at"},
	{"org_buildings", "municipality, organization_id, building_id, apartments", "municipality, organization_id, building_id"},
	{"batches", "municipality, batch_id, source, received_at, records, accepted, ignored", "id"},
}

// Copy moves everything src holds into dst, an empty PostgreSQL registry, in
// one transaction of dst: it commits only when every table's count in dst is the
// source's, so a failed move leaves dst as empty as it was. progress is told of
// each table copied.
func Copy(ctx context.Context, src, dst *DB, progress func(table string, n int64)) ([]CopyCount, error) {
	if dst.pg == nil {
		return nil, fmt.Errorf("перенос возможен только в базу PostgreSQL (postgres://…)")
	}
	var n int64
	if err := dst.r.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM municipalities) + (SELECT count(*) FROM tickets) + (SELECT count(*) FROM users)").Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("база назначения %s не пуста; перенос делается в пустую базу", dst.Path)
	}
	// The months of the tickets, ready before the transaction.
	var lo, hi sql.NullInt64
	if err := src.r.QueryRowContext(ctx, "SELECT min(created_at), max(created_at) FROM tickets").Scan(&lo, &hi); err != nil {
		return nil, err
	}
	if lo.Valid {
		var months []int64
		for t := lo.Int64; ; {
			months = append(months, t)
			_, _, next := month(t)
			if next > hi.Int64 {
				break
			}
			t = next
		}
		if err := dst.parts.ensure(ctx, dst, months); err != nil {
			return nil, err
		}
	}
	tx, err := dst.pg.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.Background())
	var out []CopyCount
	for _, t := range copyTables {
		var want int64
		if err := src.r.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&want); err != nil {
			return nil, err
		}
		rows, err := src.r.QueryContext(ctx, "SELECT "+t.cols+" FROM "+t.name+" ORDER BY "+t.order)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		got, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, cols, &sqlRows{rows: rows, n: len(cols)})
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("таблица %s не перенесена: %w", t.name, err)
		}
		var held int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+t.name).Scan(&held); err != nil {
			return nil, err
		}
		if got != want || held != want {
			return nil, fmt.Errorf("таблица %s: в источнике %d записей, перенесено %d, в базе назначения %d; перенос отменён", t.name, want, got, held)
		}
		if t.name == "tickets" {
			// Each ticket's key, from the tickets just copied.
			if _, err := tx.Exec(ctx, `INSERT INTO ticket_keys(municipality, number, version, status, done_on_time, created_at)
				SELECT municipality, number, version, status, done_on_time, created_at FROM tickets`); err != nil {
				return nil, fmt.Errorf("ключи заявок не перенесены: %w", err)
			}
		}
		out = append(out, CopyCount{Table: t.name, Source: want, Copied: held})
		if progress != nil {
			progress(t.name, held)
		}
	}
	return out, tx.Commit(ctx)
}

// sqlRows feeds database/sql rows to COPY.
type sqlRows struct {
	rows *sql.Rows
	n    int
	vals []any
	err  error
}

func (r *sqlRows) Next() bool {
	if !r.rows.Next() {
		r.err = r.rows.Err()
		return false
	}
	r.vals = make([]any, r.n)
	ptrs := make([]any, r.n)
	for i := range r.vals {
		ptrs[i] = &r.vals[i]
	}
	r.err = r.rows.Scan(ptrs...)
	return r.err == nil
}

func (r *sqlRows) Values() ([]any, error) {
	for i, v := range r.vals {
		if b, ok := v.([]byte); ok {
			r.vals[i] = string(b)
		}
	}
	return r.vals, r.err
}

func (r *sqlRows) Err() error { return r.err }
