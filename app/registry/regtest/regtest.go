// Package regtest holds the registry's test fixtures, shared by the tests of its
// data (regstore) and of its HTTP side (registry): a frozen clock, sound records
// and batches, and an empty registry database.
package regtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/pgkit"
	"github.com/ecoz/ecoz/app/kit/pgkit/pgtest"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"golang.org/x/crypto/bcrypt"
)

// Now is the registry's frozen clock in tests.
var Now = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

// PG says whether the tests run on PostgreSQL (the second run of Main).
var PG bool

// Main runs the package's tests on SQLite, then on PostgreSQL: the registry's
// one suite, both engines.
func Main(m *testing.M) { pgtest.Main(m, func(pg bool) { PG = pg }) }

// DSN is a new, empty registry database for the test on the engine of this
// run: an SQLite file in the test's folder, or a PostgreSQL schema of its own.
func DSN(t testing.TB) string {
	t.Helper()
	if PG {
		return pgtest.Schema(t)
	}
	return filepath.Join(t.TempDir(), regstore.DBFile)
}

// DataArgs are the command-line flags that put a registry command on the
// test's database: --data dir, and --db on PostgreSQL.
func DataArgs(dir, dsn string) []string {
	if pgkit.IsURL(dsn) {
		return []string{"--data", dir, "--db", dsn}
	}
	return []string{"--data", dir}
}

// OpenDB opens an empty registry with municipality TST (and USN) on the frozen
// clock, closed when the test ends; it returns TST's push token.
func OpenDB(t testing.TB) (*regstore.DB, string) {
	t.Helper()
	regstore.BcryptCost = bcrypt.MinCost
	db, err := regstore.Open(DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return Now }
	t.Cleanup(func() { db.Close() })
	tok, err := db.AddMunicipality(context.Background(), "tst", "Тестовый")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMunicipality(context.Background(), "USN", "Усинск"); err != nil {
		t.Fatal(err)
	}
	return db, tok
}

// Rec makes a sound record of TST.
func Rec(i int, version int64) app.TicketRecord {
	created := Now.Add(-time.Duration(i%(20*24)) * time.Hour)
	acceptDue, due := created.Add(24*time.Hour).Format(time.RFC3339), created.Add(72*time.Hour).Format(time.RFC3339)
	org := &app.OrganizationRf{ID: int64(i%3 + 1), Name: fmt.Sprintf("УК %d", i%3+1)}
	return app.TicketRecord{
		Municipality: "TST", Number: fmt.Sprintf("TST-%06d", i), Status: app.StatusRouted, Source: app.SourcePhone,
		WorkType:     app.WorkTypeRef{Code: "CW-05", Name: "Течь крана", Category: "Сантехника"},
		Building:     app.BuildingRef{ID: int64(i%50 + 1), Address: fmt.Sprintf("ул. Ленина, д. %d", i%50+1)},
		Organization: org, CreatedAt: created.Format(time.RFC3339),
		AcceptDueAt: &acceptDue, DueAt: &due,
		Version: version, UpdatedAt: created.Format(time.RFC3339),
	}
}

// BatchOf is a batch of TST with the records.
func BatchOf(id string, recs ...app.TicketRecord) app.Batch {
	if recs == nil {
		recs = []app.TicketRecord{}
	}
	return app.Batch{Municipality: "TST", BatchID: id, Records: recs}
}
