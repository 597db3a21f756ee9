package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestMigrateRatingFromRelease1: a database of the first release (schema version
// 1, testdata/schema_v1.sql) with a stored rating day and v1 weights upgrades to
// the schema schema.sql creates: the same tables, columns and indexes; the stored
// day is kept as method v1; the v1 weights give way to v2's defaults, recorded as
// the first change.
func TestMigrateRatingFromRelease1(t *testing.T) {
	v1, err := os.ReadFile(filepath.Join("testdata", "schema_v1.sql"))
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(t.TempDir(), "old.db")
	db := rawDB(t, old)
	for _, q := range []string{string(v1), "PRAGMA user_version = 1",
		`INSERT INTO settings(key, value) VALUES ('rating_weights', '{"on_time":40,"accept_on_time":15,"first_time_fix":20,"load":15,"overdue_now":10}')`,
		`INSERT INTO organizations(id, name) VALUES (1, 'УК Альфа')`,
		`INSERT INTO ratings(day, cutoff, computed_at, weights, median_load) VALUES ('2026-11-01', 1, 2, '{"on_time":40,"accept_on_time":15,"first_time_fix":20,"load":15,"overdue_now":10}', 3.5)`,
		`INSERT INTO rating_rows(day, organization_id, rank, score, tickets, metrics) VALUES ('2026-11-01', 1, 1, 80, 12, '{"on_time":{"num":1,"den":2,"value":0.5},"accept_on_time":{"num":0,"den":0,"value":null},"first_time_fix":{"num":0,"den":0,"value":null},"load":{"requests":12,"apartments":100,"per_100":12,"median":3.5,"value":0.2917},"overdue_now":{"num":0,"den":0,"value":1}}')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q[:min(len(q), 60)], err)
		}
	}
	db.Close()
	s, err := store.Open(old, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := s.Rating(ctx, "2026-11-01")
	if err != nil || d.Method != app.RatingMethodV1 || d.Weights != app.DefaultRatingWeightsV1 || d.Rows[0].Metrics.Load == nil || d.Rows[0].Metrics.Load.Per100 != 12 {
		t.Fatalf("the stored v1 day after the upgrade: %+v, %v", d, err)
	}
	if w, _ := s.RatingSettings(ctx); w != app.DefaultRatingWeights {
		t.Errorf("weights after the upgrade %+v", w)
	}
	ch, err := s.RatingWeightChanges(ctx)
	if err != nil || len(ch) != 1 || ch[0].Weights != app.DefaultRatingWeights || !strings.Contains(ch[0].Actor, "методика v2") {
		t.Errorf("changes after the upgrade %+v, %v", ch, err)
	}
	s.Close()

	fresh := filepath.Join(t.TempDir(), "new.db")
	s, err = store.Open(fresh, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	shape := func(path string) string {
		db := rawDB(t, path)
		defer db.Close()
		rows, err := db.Query(`SELECT m.type || ' ' || m.name || ' ' || COALESCE((SELECT group_concat(p.name || ':' || p.type || ':' || p."notnull" || ':' || COALESCE(p.dflt_value, ''), ',')
			FROM pragma_table_info(m.name) p), '') FROM sqlite_schema m WHERE m.name NOT LIKE 'sqlite_%' ORDER BY m.type, m.name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			// Columns added by ALTER TABLE come last; compare them as a set.
			if i := strings.Index(s, " "); i > 0 {
				parts := strings.SplitN(s, " ", 3)
				if len(parts) == 3 {
					cols := strings.Split(parts[2], ",")
					sort.Strings(cols)
					s = parts[0] + " " + parts[1] + " " + strings.Join(cols, ",")
				}
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	if a, b := shape(old), shape(fresh); a != b {
		t.Errorf("upgraded and fresh schemas differ:\nupgraded:\n%s\nfresh:\n%s", a, b)
	}
}
