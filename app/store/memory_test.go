package store_test

import (
	"database/sql"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
	"github.com/ecoz/ecoz/app/store"
)

// TestConnectionsHaveMemoryBounds: every pooled connection gets its page cache
// size, and SQLite's memory as a whole its soft limit, from the DSN.
func TestConnectionsHaveMemoryBounds(t *testing.T) {
	s, _ := apptest.Open(t)
	for _, c := range []struct {
		readOnly bool
		cache    int
	}{{false, -sqlkit.CacheKiB}, {true, -sqlkit.CacheKiB / 2}} {
		db, err := sql.Open("sqlite", store.DSN(s.Path, c.readOnly))
		if err != nil {
			t.Fatal(err)
		}
		var cache, limit int
		if err := db.QueryRow("PRAGMA cache_size").Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA soft_heap_limit").Scan(&limit); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if cache != c.cache || limit != sqlkit.HeapLimit {
			t.Errorf("read-only %v: cache_size %d, soft_heap_limit %d; want %d and %d", c.readOnly, cache, limit, c.cache, sqlkit.HeapLimit)
		}
	}
}
