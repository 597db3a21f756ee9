package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestUpgradeGivesCallbacksAndWorkingOrder: a database of the first release (schema version 1,
// testdata/schema_v1.sql) with a routed ticket and one done ticket opens with the
// callback columns and the working order filled in, the same as a new ticket gets.
func TestUpgradeGivesCallbacksAndWorkingOrder(t *testing.T) {
	v1, err := os.ReadFile(filepath.Join("testdata", "schema_v1.sql"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ecoz.db")
	db := rawDB(t, path)
	if _, err := db.Exec(string(v1) + `; PRAGMA user_version = 1;
		INSERT INTO organizations(id, name) VALUES (1, 'УК');
		INSERT INTO buildings(id, address, address_key, organization_id) VALUES (1, 'ул. Ленина, д. 5', 'ленина 5', 1);
		INSERT INTO work_types(code, category, name, emergency) VALUES ('CW-05', 'Сантехника', 'Кран', 0), ('CW-01', 'Сантехника', 'Прорыв', 1);
		INSERT INTO tickets(id, number, status, source, work_type, category, emergency, building_id, description, organization_id,
			created_at, accept_due_at, due_at, localize_due_at, done_at, seq, updated_at) VALUES
			(1, 'T-1', 'routed', 'phone', 'CW-05', 'Сантехника', 0, 1, 'x', 1, 1000, 5000, 9000, NULL, NULL, 1, 1000),
			(2, 'T-2', 'routed', 'phone', 'CW-01', 'Сантехника', 1, 1, 'x', 1, 1000, 2800, 4600, 2800, NULL, 2, 1000),
			(3, 'T-3', 'done', 'phone', 'CW-05', 'Сантехника', 0, 1, 'x', 1, 1000, 5000, 9000, NULL, 7000, 3, 7000);`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := store.Open(path, apptest.Schema(t))
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	s.Close()
	db = rawDB(t, path)
	want := map[int64]int64{1: 5000 + 1<<40, 2: 2800, 3: 7000 + 1<<40} // accept by; localise by (emergency); call from done
	rows, err := db.Query("SELECT id, queue_key, callback_failed_at IS NULL, callback_retry_at IS NULL FROM tickets ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, key int64
		var noFail, noRetry bool
		if err := rows.Scan(&id, &key, &noFail, &noRetry); err != nil {
			t.Fatal(err)
		}
		if key != want[id] || !noFail || !noRetry {
			t.Errorf("ticket %d: queue_key %d (want %d), failed unset %v, retry unset %v", id, key, want[id], noFail, noRetry)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name IN ('tickets_queue', 'tickets_org_queue')").Scan(&n); err != nil || n != 2 {
		t.Errorf("queue indexes: %d %v", n, err)
	}
}
