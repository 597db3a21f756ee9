package sqlkit_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/ecoz/ecoz/app/kit/sqlkit"
)

// TestReleaseMemoryClosesIdleConnections: a server gone quiet closes every
// connection it does not use, the writer's and the readers' (with their page
// caches), leaves one in use alone, and the next read and write open them again
// with nothing lost.
func TestReleaseMemoryClosesIdleConnections(t *testing.T) {
	db, err := sqlkit.Open(filepath.Join(t.TempDir(), "t.db"), sqlkit.Schema{SQL: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);", Noun: "база данных", Of: "теста"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('течёт кран')"); err != nil {
		t.Fatal(err)
	}
	// Three read transactions at once: three readers open.
	var txs []*sql.Tx
	for i := 0; i < 3; i++ {
		tx, err := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 1 {
			t.Fatalf("count %d, %v", n, err)
		}
		txs = append(txs, tx)
	}
	for _, tx := range txs[1:] {
		tx.Rollback()
	}
	if n := db.R.Stats().OpenConnections; n != 3 {
		t.Fatalf("readers open before: %d, want 3", n)
	}
	db.ReleaseMemory()
	if r, w := db.R.Stats(), db.W.Stats(); r.OpenConnections != 1 || r.InUse != 1 || w.OpenConnections != 0 {
		t.Fatalf("after the release: readers open %d (in use %d), writer %d; want the one in use alone", r.OpenConnections, r.InUse, w.OpenConnections)
	}
	txs[0].Rollback()
	if _, err := db.W.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('нет отопления')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after the release: %d notes, %v; want 2", n, err)
	}
	// The pool keeps its idle readers again, as before the release.
	a, _ := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	b, _ := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	a.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	b.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	a.Rollback()
	b.Rollback()
	if r := db.R.Stats(); r.Idle != 2 {
		t.Errorf("idle readers kept after the release: %d, want 2", r.Idle)
	}
	db.ReleaseMemory()
	if r := db.R.Stats(); r.OpenConnections != 0 {
		t.Errorf("readers open after the second release: %d", r.OpenConnections)
	}
}
