package regstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/registry/regtest"
)

// distributed are the tables that grow with the tickets: on a Citus cluster they
// are distributed by municipality; the rest are reference tables.
var distributed = []string{"tickets", "ticket_keys", "batches", "org_buildings"}

// TestPGDistributable checks what Citus needs of a schema distributed by one
// column (docs/scale.md): every primary key and unique index of a distributed
// table includes the municipality; a distributed table refers only to the
// reference table municipalities, and no reference table refers to a
// distributed one; the distribution columns have one type and collation, so
// that a municipality's rows of every table live on one node (co-location).
func TestPGDistributable(t *testing.T) {
	if !regtest.PG {
		t.Skip("PostgreSQL's schema")
	}
	db, _ := regtest.OpenDB(t)
	q := func(sql string, args ...any) []string {
		rows, err := db.SQL().Query(sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	for _, table := range distributed {
		for _, idx := range q(`SELECT i.indexrelid::regclass::text || ': ' || pg_get_indexdef(i.indexrelid) FROM pg_index i
			WHERE i.indrelid = $1::regclass AND i.indisunique`, table) {
			if !strings.Contains(idx, "municipality") {
				t.Errorf("%s: a unique index without the distribution column: %s", table, idx)
			}
		}
		if len(q(`SELECT 1 FROM pg_index WHERE indrelid = $1::regclass AND indisprimary`, table)) == 0 {
			t.Errorf("%s has no primary key", table)
		}
		for _, ref := range q(`SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, table) {
			if ref != "municipalities" {
				t.Errorf("%s refers to %s, which is not a reference table", table, ref)
			}
		}
		typ := q(`SELECT format_type(atttypid, atttypmod) || ' ' || COALESCE((SELECT collname FROM pg_collation WHERE oid = attcollation), '')
			FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'municipality'`, table)
		if len(typ) != 1 || typ[0] != `text C` {
			t.Errorf("%s.municipality is %v, want text C (co-located with the others)", table, typ)
		}
	}
	for _, ref := range []string{"municipalities", "users", "sessions"} {
		for _, to := range q(`SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, ref) {
			t.Errorf("reference table %s refers to %s", ref, to)
		}
	}
	if got := q(`SELECT pg_get_partkeydef('tickets'::regclass)`); len(got) != 1 || got[0] != "RANGE (created_at)" {
		t.Errorf("tickets partitioned by %v, want RANGE (created_at)", got)
	}
}

// TestPGBulkPaths: both ways a batch reaches PostgreSQL (one upsert over
// arrays; COPY into a staging table) keep the highest version, refuse nothing
// sound, count replays as ignored, and move a ticket whose filing time changed
// to its new month without holding it twice.
func TestPGBulkPaths(t *testing.T) {
	if !regtest.PG {
		t.Skip("PostgreSQL's bulk write")
	}
	for _, how := range []string{"unnest", "copy"} {
		t.Run(how, func(t *testing.T) {
			defer func(was string) { regstore.PGBulk = was }(regstore.PGBulk)
			regstore.PGBulk = how
			db, _ := regtest.OpenDB(t)
			ctx := context.Background()
			apply := func(recs ...app.TicketRecord) regstore.Result {
				t.Helper()
				b := regtest.BatchOf(fmt.Sprint("b", time.Now().UnixNano()), recs...)
				rows, err := regstore.Validate("TST", &b, regtest.Now)
				if err != nil {
					t.Fatal(err)
				}
				res, err := db.Apply(ctx, "TST", &b, rows)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if res := apply(regtest.Rec(1, 1), regtest.Rec(2, 1), regtest.Rec(1, 3), regtest.Rec(1, 2)); res.Accepted != 3 || res.Ignored != 1 {
				t.Fatalf("first batch: %+v, want 3 accepted (v1, v1, v3) and 1 ignored (v2 after v3)", res)
			}
			if res := apply(regtest.Rec(1, 3), regtest.Rec(2, 1)); res.Accepted != 0 || res.Ignored != 2 {
				t.Fatalf("replay: %+v", res)
			}
			moved := regtest.Rec(2, 2)
			moved.CreatedAt = regtest.Now.AddDate(0, -2, 0).Format(time.RFC3339)
			if res := apply(moved); res.Accepted != 1 {
				t.Fatalf("moved ticket: %+v", res)
			}
			var n, v1, v2 int
			db.SQL().QueryRow(`SELECT count(*), max(version) FILTER (WHERE number = 'TST-000001'), max(version) FILTER (WHERE number = 'TST-000002') FROM tickets`).Scan(&n, &v1, &v2)
			if n != 2 || v1 != 3 || v2 != 2 {
				t.Fatalf("held: %d rows, versions %d and %d; want 2 rows at 3 and 2", n, v1, v2)
			}
			var keys, created int64
			db.SQL().QueryRow(`SELECT count(*), max(created_at) FILTER (WHERE number = 'TST-000002') FROM ticket_keys`).Scan(&keys, &created)
			if want, _ := time.Parse(time.RFC3339, moved.CreatedAt); keys != 2 || created != want.Unix() {
				t.Fatalf("ticket_keys: %d keys, TST-000002 filed at %d; want 2 keys and the moved filing time", keys, created)
			}
			g, err := db.Overview(ctx, regtest.Now, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if g[0].Code != "TST" || g[0].Tickets != 2 || g[0].Open != 2 {
				t.Fatalf("kept counts: %+v", g[0])
			}
		})
	}
}

// TestPGUnreachable: a registry pointed at a PostgreSQL server that does not
// answer says so at once and exits non-zero; it does not hang.
func TestPGUnreachable(t *testing.T) {
	if !regtest.PG {
		t.Skip("PostgreSQL's start-up")
	}
	t0 := time.Now()
	_, err := regstore.Open("postgres://ecoz@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "недоступна") {
		t.Fatalf("open of an unreachable server: %v", err)
	}
	if d := time.Since(t0); d > 15*time.Second {
		t.Fatalf("the failure took %s", d)
	}
}

// TestPGMigrateFromSQLite: a republic's SQLite registry copied into PostgreSQL
// (ecoz registry migrate) holds the same: the counts of every table, the
// overview, each record, the rating; a second move into the now full database
// is refused and changes nothing.
func TestPGMigrateFromSQLite(t *testing.T) {
	if !regtest.PG {
		t.Skip("a move into PostgreSQL")
	}
	ctx := context.Background()
	src, err := regstore.Open(filepath.Join(t.TempDir(), regstore.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.Now = func() time.Time { return regtest.Now }
	if _, err := src.AddMunicipality(ctx, "TST", "Тестовый"); err != nil {
		t.Fatal(err)
	}
	if err := src.AddUser(ctx, "Official", "long-password"); err != nil {
		t.Fatal(err)
	}
	var recs []app.TicketRecord
	for i := 1; i <= 600; i++ {
		r := regtest.Rec(i, int64(i%4+1))
		if i%3 == 0 {
			r.Status = app.StatusClosed
			at := regtest.Now.Add(-time.Hour).Format(time.RFC3339)
			onTime := i%2 == 0
			r.AcceptedAt, r.DoneAt, r.ClosedAt, r.DoneOnTime = &at, &at, &at, &onTime
		}
		r.Building.Apartments = 30 + i%50
		recs = append(recs, r)
	}
	b := regtest.BatchOf("one", recs...)
	rows, err := regstore.Validate("TST", &b, regtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Apply(ctx, "TST", &b, rows); err != nil {
		t.Fatal(err)
	}
	dst, err := regstore.Open(regtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	dst.Now = src.Now
	counts, err := regstore.Copy(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"municipalities": 1, "users": 1, "tickets": 600, "batches": 1}
	for _, c := range counts {
		if w, ok := want[c.Table]; ok && (c.Copied != w || c.Source != w) {
			t.Errorf("%s: copied %d of %d, want %d", c.Table, c.Copied, c.Source, w)
		}
	}
	a, _ := src.Overview(ctx, regtest.Now, time.Hour)
	z, _ := dst.Overview(ctx, regtest.Now, time.Hour)
	if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", z) {
		t.Errorf("overview differs:\nsqlite   %+v\npostgres %+v", a, z)
	}
	for _, n := range []string{"TST-000001", "TST-000300", "TST-000600"} {
		x, _ := src.TicketRecord(ctx, "TST", n)
		y, err := dst.TicketRecord(ctx, "TST", n)
		if err != nil || string(x) != string(y) {
			t.Errorf("%s differs: %v\n%s\n%s", n, err, x, y)
		}
	}
	ra, _ := src.Rating(ctx, regtest.Now)
	rz, _ := dst.Rating(ctx, regtest.Now)
	if fmt.Sprintf("%+v", ra) != fmt.Sprintf("%+v", rz) {
		t.Errorf("rating differs:\nsqlite   %+v\npostgres %+v", ra, rz)
	}
	if _, err := dst.SignIn(ctx, "official", "long-password"); err != nil {
		t.Errorf("the moved user cannot sign in: %v", err)
	}
	if _, err := regstore.Copy(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "не пуста") {
		t.Errorf("a second move: %v", err)
	}
	if c, _ := dst.Count(ctx, ""); c.Tickets != 600 {
		t.Errorf("after the refused move: %d tickets", c.Tickets)
	}
}
