package regstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	for _, q := range []string{schema,
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
