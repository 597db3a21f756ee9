package regstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// Times read from the registry's database are UTC, as the centre's store's are
// (they drifted: the registry's were local).
func TestTimesReadAreUTC(t *testing.T) {
	if got := fromUnix(sql.NullInt64{Int64: 1700000000, Valid: true}); got.Location() != time.UTC || got.Unix() != 1700000000 {
		t.Errorf("fromUnix: %v in %v", got, got.Location())
	}
	if got := fromUnix(sql.NullInt64{}); !got.IsZero() {
		t.Errorf("fromUnix(NULL) = %v, want zero", got)
	}
	db, err := Open(filepath.Join(t.TempDir(), DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AddMunicipality(context.Background(), "UTC", "Проверка"); err != nil {
		t.Fatal(err)
	}
	ms, err := db.Municipalities(context.Background())
	if err != nil || len(ms) != 1 {
		t.Fatalf("%v %v", ms, err)
	}
	if ms[0].CreatedAt.Location() != time.UTC || ms[0].TokenIssuedAt.Location() != time.UTC {
		t.Errorf("created %v, token issued %v: want UTC", ms[0].CreatedAt.Location(), ms[0].TokenIssuedAt.Location())
	}
}
