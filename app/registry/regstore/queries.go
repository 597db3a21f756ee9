package regstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
)

// openSQL are the statuses of work not yet reported done, as in the centre.
var openSQL = sqlkit.In("status", app.OpenStatuses)

// Glance is one municipality's line on the republic's overview.
type Glance struct {
	Municipality
	Tickets  int
	Open     int
	Overdue  int
	Closed   int
	OnTime   int
	Stale    bool // not pushed for longer than the registry's limit
	OnTimePc int  // share of closed tickets done on time, %
}

// Overview counts each municipality's tickets as of now; staleAfter marks those
// that have not pushed for longer. The totals are kept by the ingest; only the
// overdue, which changes with the clock, is counted, from the open tickets'
// index.
func (db *DB) Overview(ctx context.Context, now time.Time, staleAfter time.Duration) ([]Glance, error) {
	out, err := db.Glances(ctx, now, staleAfter)
	if err != nil {
		return nil, err
	}
	overdue := map[string]int{}
	od, err := db.r.QueryContext(ctx, db.q("SELECT municipality, count(*) FROM tickets WHERE "+openSQL+" AND due_at < ? GROUP BY municipality"), now.Unix())
	if err != nil {
		return nil, err
	}
	defer od.Close()
	for od.Next() {
		var code string
		var n int
		if err := od.Scan(&code, &n); err != nil {
			return nil, err
		}
		overdue[code] = n
	}
	if err := od.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Overdue = overdue[out[i].Code]
	}
	return out, nil
}

// Glances is the overview without the overdue counts: what the ingest keeps
// (tickets, open, closed, on time) and the staleness, read from the
// municipalities alone.
func (db *DB) Glances(ctx context.Context, now time.Time, staleAfter time.Duration) ([]Glance, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+municipalityCols+", n_tickets, n_open, n_closed, n_on_time FROM municipalities")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Glance
	for rows.Next() {
		var g Glance
		m, err := scanMunicipality(rows, &g.Tickets, &g.Open, &g.Closed, &g.OnTime)
		if err != nil {
			return nil, err
		}
		g.Municipality = m
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		g := &out[i]
		g.Stale = !g.Revoked && (g.LastPushAt.IsZero() || now.Sub(g.LastPushAt) > staleAfter)
		if g.Closed > 0 {
			g.OnTimePc = g.OnTime * 100 / g.Closed
		}
	}
	sortMunicipalities(out, func(g Glance) Municipality { return g.Municipality })
	return out, nil
}

// Ticket is a ticket as the registry holds it.
type Ticket struct {
	app.TicketRecord
	Overdue bool
}

// TicketRecord returns the latest record held of a municipality's ticket, as
// received.
func (db *DB) TicketRecord(ctx context.Context, code, number string) (json.RawMessage, error) {
	var rec string
	err := db.r.QueryRowContext(ctx, db.q("SELECT record FROM tickets WHERE municipality = ? AND number = ?"), strings.ToUpper(code), strings.ToUpper(number)).Scan(&rec)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Заявка %s муниципалитета %s в реестре не найдена.", number, code)
	}
	return json.RawMessage(rec), err
}

// Filter picks tickets for a list.
type Filter struct {
	Municipality string
	Query        string // words found in the number, address, work type or organisation
	Overdue      bool
	Limit        int
}

// Tickets lists tickets, newest first.
func (db *DB) Tickets(ctx context.Context, f Filter, now time.Time) ([]Ticket, error) {
	conds, args := []string{"1 = 1"}, []any{}
	if f.Municipality != "" {
		conds, args = append(conds, "municipality = ?"), append(args, strings.ToUpper(f.Municipality))
	}
	for _, w := range strings.Fields(strings.ToLower(f.Query)) {
		w = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(w)
		conds, args = append(conds, `search LIKE ? ESCAPE '\'`), append(args, "%"+w+"%")
	}
	if f.Overdue {
		conds, args = append(conds, openSQL+" AND due_at < ?"), append(args, now.Unix())
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := db.r.QueryContext(ctx, db.q("SELECT record, "+openSQL+" AND due_at < ? FROM tickets WHERE "+strings.Join(conds, " AND ")+" ORDER BY created_at DESC, number DESC LIMIT ?"),
		append(append([]any{now.Unix()}, args...), f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		var rec string
		var t Ticket
		if err := rows.Scan(&rec, &t.Overdue); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(rec), &t.TicketRecord); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// BatchLog is one push or import as logged.
type BatchLog struct {
	BatchID    string
	Source     string
	ReceivedAt time.Time
	Records    int
	Accepted   int
	Ignored    int
}

// Batches lists a municipality's latest pushes and imports.
func (db *DB) Batches(ctx context.Context, code string, limit int) ([]BatchLog, error) {
	rows, err := db.r.QueryContext(ctx, db.q("SELECT batch_id, source, received_at, records, accepted, ignored FROM batches WHERE municipality = ? ORDER BY id DESC LIMIT ?"), strings.ToUpper(code), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BatchLog{}
	for rows.Next() {
		var b BatchLog
		var at int64
		if err := rows.Scan(&b.BatchID, &b.Source, &at, &b.Records, &b.Accepted, &b.Ignored); err != nil {
			return nil, err
		}
		b.ReceivedAt = time.Unix(at, 0).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// Stats is a count of what the registry holds.
type Stats struct {
	Tickets int
}

// Count returns how many tickets of code the registry holds ("" for all).
func (db *DB) Count(ctx context.Context, code string) (Stats, error) {
	var s Stats
	err := db.r.QueryRowContext(ctx, db.q("SELECT count(*) FROM tickets WHERE ? = '' OR municipality = ?"), code, code).Scan(&s.Tickets)
	return s, err
}
