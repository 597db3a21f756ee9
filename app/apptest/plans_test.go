package apptest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestRecordedQueryPlans explains every statement the tests recorded
// (ECOZ_SQL_RECORD, sqlrecord.go) against the million tickets, and lists for each
// index of the tickets and their trail the statements that walk it: an index no
// statement walks only costs every write. With ECOZ_SQL_DROP=index,…, it drops
// those indexes in a copy and prints every statement whose plan changes.
//
//	ECOZ_SQL_RECORD=/tmp/q go test ./... -count=1
//	ECOZ_SQL_PLANS='/tmp/q.*' go test ./app/apptest -run RecordedQueryPlans -v -timeout 1h
func TestRecordedQueryPlans(t *testing.T) {
	glob := os.Getenv("ECOZ_SQL_PLANS")
	if glob == "" {
		t.Skip("ECOZ_SQL_PLANS is not set: record the statements first (ECOZ_SQL_RECORD)")
	}
	files, _ := filepath.Glob(glob)
	seen := map[string]bool{}
	var stmts []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range strings.Split(string(b), "\x00") {
			q = strings.TrimSpace(q)
			if q != "" && !seen[q] && explainable(q) {
				seen[q] = true
				stmts = append(stmts, q)
			}
		}
	}
	sort.Strings(stmts)
	src := BulkDB(t, 1000000)
	dst := filepath.Join(t.TempDir(), "plans.db")
	CopyFile(t, src, dst)
	db, err := sql.Open("sqlite", "file:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	plans, failed := explainAll(ctx, conn, stmts)
	t.Logf("%d statements recorded, %d explained, %d not explainable here (temporary tables, other schemas)", len(stmts), len(plans), failed)
	rows, err := conn.QueryContext(ctx, "SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('tickets', 'ticket_events', 'ticket_facts', 'ticket_orgs') ORDER BY tbl_name, name")
	if err != nil {
		t.Fatal(err)
	}
	var indexes []string
	for rows.Next() {
		var name, tbl string
		rows.Scan(&name, &tbl)
		indexes = append(indexes, name)
	}
	rows.Close()
	use := regexp.MustCompile(`USING (?:COVERING )?INDEX (\w+)`)
	users := map[string][]string{}
	for q, p := range plans {
		for _, m := range use.FindAllStringSubmatch(p, -1) {
			users[m[1]] = append(users[m[1]], q)
		}
	}
	for _, ix := range indexes {
		t.Logf("%-32s %d statements", ix, len(users[ix]))
		if os.Getenv("ECOZ_SQL_SHOW") == ix {
			for _, q := range users[ix] {
				t.Logf("    %s\n      %s", oneLine(q), strings.ReplaceAll(plans[q], "\n", "\n      "))
			}
		}
	}
	drop := os.Getenv("ECOZ_SQL_DROP")
	if drop == "" {
		return
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	for _, ix := range strings.Split(drop, ",") {
		if _, err := conn.ExecContext(ctx, "DROP INDEX "+ix); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := explainAll(ctx, conn, stmts)
	changed := 0
	for _, q := range stmts {
		if before, ok := plans[q]; ok && after[q] != before {
			changed++
			t.Logf("CHANGED %s\n  before: %s\n  after:  %s", oneLine(q), strings.ReplaceAll(before, "\n", " | "), strings.ReplaceAll(after[q], "\n", " | "))
		}
	}
	t.Logf("%d plans changed", changed)
}

func explainable(q string) bool {
	w := strings.ToUpper(strings.Fields(q)[0])
	switch w {
	case "SELECT", "WITH", "UPDATE", "DELETE", "INSERT", "REPLACE":
		return true
	}
	return false
}

// explainAll returns each statement's plan, its steps one a line; statements that
// do not prepare here are left out and counted.
func explainAll(ctx context.Context, conn *sql.Conn, stmts []string) (map[string]string, int) {
	out := map[string]string{}
	failed := 0
	for _, q := range stmts {
		var args []any
		var rows *sql.Rows
		var err error
		for try := 0; try < 300; try++ {
			rows, err = conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
			if err == nil || !strings.Contains(err.Error(), "missing") || !strings.Contains(err.Error(), "argument") {
				break
			}
			args = append(args, nil) // one more parameter, unbound
		}
		if err != nil {
			failed++
			if os.Getenv("ECOZ_SQL_ERRORS") != "" {
				fmt.Printf("%v: %.200s\n", err, oneLine(q))
			}
			continue
		}
		var b strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			fmt.Fprintf(&b, "%s\n", detail)
		}
		rows.Close()
		out[q] = strings.TrimSpace(b.String())
	}
	return out, failed
}

func oneLine(q string) string {
	return strings.Join(strings.Fields(q), " ")
}
