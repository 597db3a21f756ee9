package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// schemaShape describes a database's tables, columns and indexes in a form two
// databases can be compared by: what schema.sql creates and what an upgrade
// leaves must be the same.
func schemaText(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query("SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	type obj struct{ typ, name, table string }
	var objs []obj
	for rows.Next() {
		var o obj
		if err := rows.Scan(&o.typ, &o.name, &o.table); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	rows.Close()
	var out []string
	for _, o := range objs {
		line := o.typ + " " + o.name
		switch o.typ {
		case "table":
			cols, err := db.Query(fmt.Sprintf("SELECT name, type, \"notnull\", COALESCE(dflt_value, ''), pk FROM pragma_table_info('%s') ORDER BY name", o.name))
			if err != nil {
				t.Fatal(err)
			}
			for cols.Next() {
				var n, ty, def string
				var nn, pk int
				if err := cols.Scan(&n, &ty, &nn, &def, &pk); err != nil {
					t.Fatal(err)
				}
				line += fmt.Sprintf(" [%s %s nn=%d def=%s pk=%d]", n, ty, nn, def, pk)
			}
			cols.Close()
		case "index":
			cols, err := db.Query(fmt.Sprintf("SELECT COALESCE(name, '') FROM pragma_index_info('%s') ORDER BY seqno", o.name))
			if err != nil {
				t.Fatal(err)
			}
			for cols.Next() {
				var n string
				if err := cols.Scan(&n); err != nil {
					t.Fatal(err)
				}
				line += " " + n
			}
			cols.Close()
			line += " on " + o.table
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestUpgradeFromTheFirstReleaseMatchesSchema: a database of the first release
// (schema version 1, in the field), holding a building and a ticket, upgraded by
// the migrations, has exactly the tables, columns and indexes schema.sql gives a
// new one, and keeps its data; the building has no coordinates until someone
// sets them.
func TestUpgradeFromTheFirstReleaseMatchesSchema(t *testing.T) {
	v1, err := os.ReadFile(filepath.Join("testdata", "schema_v1.sql"))
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(t.TempDir(), "old.db")
	db := rawDB(t, old)
	if _, err := db.Exec(string(v1) + `;
		PRAGMA user_version = 1;
		INSERT INTO organizations(id, name) VALUES (1, 'УК Север');
		INSERT INTO buildings(id, address, address_key, organization_id) VALUES (1, 'ул. Ленина, д. 5', 'ленина 5', 1);`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := store.Open(old, apptest.Schema(t))
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	b, err := s.Building(context.Background(), 1)
	if err != nil || b.Address != "ул. Ленина, д. 5" || b.Geo != nil {
		t.Fatalf("after the upgrade: %+v %v", b, err)
	}
	b.Geo = &app.GeoPoint{Lat: 65.995, Lon: 57.53}
	if err := s.SaveBuilding(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	s.Close()

	fresh := filepath.Join(t.TempDir(), "new.db")
	s, err = store.Open(fresh, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	got, want := schemaText(t, rawDB(t, old)), schemaText(t, rawDB(t, fresh))
	if got != want {
		t.Fatalf("the upgraded schema differs from schema.sql:\n--- upgraded\n%s\n--- schema.sql\n%s", got, want)
	}
}
