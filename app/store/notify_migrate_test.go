package store_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// The notifications step turns a database without them into what schema.sql
// makes: the same tables and indexes, statement for statement.
func TestNotifyMigrationMatchesSchema(t *testing.T) {
	schema := apptest.Schema(t)
	objects := func(path string) map[string]string {
		db := rawDB(t, path)
		defer db.Close()
		rows, err := db.Query(`SELECT name, sql FROM sqlite_schema WHERE name LIKE 'outbox%' OR name LIKE 'notify_%' OR name LIKE 'org_duty%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				t.Fatal(err)
			}
			out[name] = sql
		}
		return out
	}
	fresh := filepath.Join(t.TempDir(), "ecoz.db")
	s, err := store.Open(fresh, schema)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	want := objects(fresh)

	// A database as the release before this step left it.
	old := filepath.Join(t.TempDir(), "ecoz.db")
	s, err = store.Open(old, schema)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, old)
	for _, tbl := range []string{"outbox", "notify_contacts", "notify_prefs", "org_duty_contacts"} {
		if _, err := db.Exec("DROP TABLE " + tbl); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err = store.OpenWithStep(old, schema, store.MigrateNotify)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := objects(old); !reflect.DeepEqual(got, want) {
		t.Errorf("after the step:\n%v\nschema.sql makes:\n%v", got, want)
	}
	for _, name := range []string{"outbox", "notify_contacts", "notify_prefs", "org_duty_contacts", "outbox_due", "outbox_failed", "outbox_key"} {
		if want[name] == "" {
			t.Errorf("schema.sql makes no %s", name)
		}
	}
}
