package regstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/store"
)

// TestUpgradeStripsPersonal: a registry of the first release holds records with
// the flat, the description and a reporter; opening it with this release leaves
// none of them in the records, the search column or the file itself, and keeps
// everything else.
func TestUpgradeStripsPersonal(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFile)
	old, err := sql.Open("sqlite", store.DSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Сидоров Пётр, кв. 17, звонить 8.912.555.44.33"
	rec := `{"municipality":"TST","number":"TST-000001","status":"routed","source":"phone","work_type":{"code":"CW-05","name":"Течь крана","category":"Сантехника","emergency":false},` +
		`"building":{"id":1,"address":"ул. Ленина, д. 1","apartments":40},"apartment":"17","description":"` + secret + `","reporter":{"name":"Сидоров","phone":"+79125554433"},` +
		`"organization":{"id":1,"name":"УК 1"},"parent":null,"created_at":"2026-11-15T09:00:00Z","accept_due_at":"2026-11-16T09:00:00Z","due_at":"2026-11-18T09:00:00Z","version":4,"updated_at":"2026-11-15T09:00:00Z"}`
	v2, err := os.ReadFile(filepath.Join("testdata", "schema_v2.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(v2),
		`INSERT INTO municipalities(code, name, token_hash, token_issued_at, created_at) VALUES ('TST','Тестовый','h',1,1)`,
		`INSERT INTO tickets(municipality, number, version, status, organization, building_id, address, category, created_at, accept_due_at, due_at, search, record, received_at)
		 VALUES ('TST','TST-000001',4,'routed','УК 1',1,'ул. Ленина, д. 1','Сантехника',1,1,1,'tst-000001 ул. ленина, д. 1 течь крана ук 1 ` + strings.ToLower(secret) + `','` + rec + `',1)`,
		"PRAGMA user_version = 1"} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.TicketRecord(context.Background(), "TST", "TST-000001")
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{`"apartment"`, `"description"`, `"reporter"`, "Сидоров", "912"} {
		if strings.Contains(string(got), leak) {
			t.Errorf("upgraded record still holds %s: %s", leak, got)
		}
	}
	for _, kept := range []string{`"version":4`, `"address":"ул. Ленина, д. 1"`, `"name":"Течь крана"`, `"apartments":40`} {
		if !strings.Contains(string(got), kept) {
			t.Errorf("upgraded record lost %s: %s", kept, got)
		}
	}
	var search string
	db.r.QueryRow("SELECT search FROM tickets").Scan(&search)
	if search != "tst-000001 ул. ленина, д. 1 течь крана ук 1" {
		t.Errorf("search column: %q", search)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		raw, _ := os.ReadFile(f)
		if strings.Contains(string(raw), "Сидоров") || strings.Contains(string(raw), "555.44.33") {
			t.Errorf("%s still holds the old text in its pages", filepath.Base(f))
		}
	}
}

// TestUpgradeKeepsCounts: a registry of schema 2 upgraded to 3 has the schema a
// new one gets (the same tables, columns and indexes), and the counts the
// ingest keeps are computed from the tickets it holds.
func TestUpgradeKeepsCounts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DBFile)
	old, err := sql.Open("sqlite", store.DSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := os.ReadFile(filepath.Join("testdata", "schema_v2.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(v2),
		`INSERT INTO municipalities(code, name, token_hash, token_issued_at, created_at) VALUES ('TST','Тестовый','h',1,1), ('USN','Усинск','g',1,1)`,
		`INSERT INTO tickets(municipality, number, version, status, organization_id, organization, building_id, address, apartments, category, created_at, accept_due_at, due_at, closed_at, done_on_time, search, record, received_at) VALUES
		 ('TST','TST-1',1,'routed',1,'УК 1',1,'a',40,'c',100,200,300,NULL,NULL,'s','{}',1),
		 ('TST','TST-2',3,'closed',1,'УК 1',2,'b',60,'c',100,200,300,350,1,'s','{}',1),
		 ('TST','TST-3',2,'closed',2,'УК 2',2,'b',0,'c',100,200,` + noDeadline + `,400,0,'s','{}',1)`,
		"PRAGMA user_version = 2"} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fresh, err := Open(filepath.Join(dir, "fresh", DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	shape := func(db *DB) string {
		var out []string
		rows, err := db.r.Query(`SELECT m.type || ' ' || m.name || ': ' || COALESCE((SELECT group_concat(p.name || ' ' || p.type || ' ' || p."notnull" || ' ' || COALESCE(p.dflt_value, ''), ', ')
			FROM pragma_table_info(m.name) p), '') FROM sqlite_schema m WHERE m.name NOT LIKE 'sqlite_%' ORDER BY m.name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	if a, b := shape(db), shape(fresh); a != b {
		t.Errorf("upgraded schema differs from a new one:\n%s\n--- new:\n%s", a, b)
	}
	g, err := db.Overview(context.Background(), time.Unix(1000, 0), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tst := g[0] // by name: «Тестовый» before «Усинск»
	if tst.Tickets != 3 || tst.Open != 1 || tst.Overdue != 1 || tst.Closed != 2 || tst.OnTime != 1 {
		t.Errorf("TST after the upgrade: %+v", tst)
	}
	var h int64
	db.r.QueryRow("SELECT horizon FROM tickets WHERE number = 'TST-3'").Scan(&h)
	if h != 400 {
		t.Errorf("horizon of a ticket without a deadline, closed at 400: %d", h)
	}
	var flats, buildings int
	db.r.QueryRow("SELECT count(*), sum(apartments) FROM org_buildings WHERE organization_id = 1").Scan(&buildings, &flats)
	if buildings != 2 || flats != 100 {
		t.Errorf("УК 1's buildings: %d with %d flats, want 2 with 100", buildings, flats)
	}
}
