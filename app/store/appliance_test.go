package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
	"golang.org/x/crypto/bcrypt"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func scalar[T any](t *testing.T, db *sql.DB, q string) T {
	t.Helper()
	var v T
	if err := db.QueryRow(q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestSchemaVersionMatchesMigrations(t *testing.T) {
	if store.SchemaVersion != store.Migrations()+1 {
		t.Fatalf("SchemaVersion %d, but %d migration steps: raise one with the other", store.SchemaVersion, store.Migrations())
	}
}

// Opening a database again changes nothing; a new migration step runs exactly
// once, in its transaction, and the binary before it then refuses the database.
func TestMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ecoz.db")
	schema := apptest.Schema(t)
	s, err := store.Open(path, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(context.Background(), func(tx *store.Tx) error { return tx.SetSetting(store.SetMunicipalityName, "Проверка") }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = store.Open(path, schema)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	if got := s.Setting(context.Background(), store.SetMunicipalityName); got != "Проверка" {
		t.Fatalf("second open lost data: %q", got)
	}
	s.Close()
	db := rawDB(t, path)
	if v := scalar[int](t, db, "PRAGMA user_version"); v != store.SchemaVersion {
		t.Fatalf("user_version %d, want %d", v, store.SchemaVersion)
	}
	tables := scalar[int](t, db, "SELECT count(*) FROM sqlite_schema")

	// The next release adds a table and a row: applied on the first open only
	// (a second run would fail on CREATE TABLE and add a second row).
	step := "CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO extra(note) VALUES ('шаг миграции');"
	for i := 0; i < 2; i++ {
		s, err := store.OpenWithStep(path, schema, step)
		if err != nil {
			t.Fatalf("open %d with the new step: %v", i+1, err)
		}
		s.Close()
	}
	db.Close()
	db = rawDB(t, path)
	if v := scalar[int](t, db, "PRAGMA user_version"); v != store.SchemaVersion+1 {
		t.Fatalf("after the step user_version %d, want %d", v, store.SchemaVersion+1)
	}
	if n := scalar[int](t, db, "SELECT count(*) FROM extra"); n != 1 {
		t.Fatalf("the step ran %d times", n)
	}
	if n := scalar[int](t, db, "SELECT count(*) FROM sqlite_schema"); n != tables+1 {
		t.Fatalf("schema objects %d, want %d", n, tables+1)
	}

	// A failing step leaves the database as it was.
	bad := filepath.Join(t.TempDir(), "ecoz.db")
	s, err = store.Open(bad, schema)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := store.OpenWithStep(bad, schema, "CREATE TABLE half (id INTEGER); INSERT INTO no_such_table VALUES (1);"); err == nil || !strings.Contains(err.Error(), "обновление схемы до версии") {
		t.Fatalf("failing step: %v", err)
	}
	bdb := rawDB(t, bad)
	if v := scalar[int](t, bdb, "PRAGMA user_version"); v != store.SchemaVersion {
		t.Fatalf("failed step moved user_version to %d", v)
	}
	if n := scalar[int](t, bdb, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"); n != 0 {
		t.Fatal("failed step left half of itself")
	}
}

// A database from a newer ecoz is refused with a sentence that says what to do,
// and is not touched.
func TestNewerDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ecoz.db")
	s, err := store.Open(path, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion+3)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := fileSum(t, path)
	_, err = store.Open(path, apptest.Schema(t))
	if err == nil {
		t.Fatal("a newer database was opened")
	}
	want := fmt.Sprintf("создана более новой версией ecoz (схема %d, эта программа знает до %d); установите новую версию программы", store.SchemaVersion+3, store.SchemaVersion)
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q lacks %q", err, want)
	}
	if fileSum(t, path) != before {
		t.Fatal("the refused database was changed")
	}
	if err := store.CheckFile(context.Background(), path); err == nil || !strings.Contains(err.Error(), "более новой версией") {
		t.Fatalf("CheckFile (restore) accepts a newer database: %v", err)
	}
}

// A file that is not a sound database is refused, never overwritten with an empty one.
func TestCorruptFileIsRefused(t *testing.T) {
	good := filepath.Join(t.TempDir(), "ecoz.db")
	s, err := store.Open(good, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	sound, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	schemaTrashed := append([]byte{}, sound...)
	copy(schemaTrashed[100:], bytes.Repeat([]byte{0xA5}, 3000)) // page 1 past the header: the schema's b-tree
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a database", bytes.Repeat([]byte("это не база данных\n"), 500), "не открывается как база данных SQLite"},
		{"schema page trashed", schemaTrashed, "не открывается как база данных SQLite"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ecoz.db")
			if err := os.WriteFile(path, c.data, 0o640); err != nil {
				t.Fatal(err)
			}
			_, err := store.Open(path, apptest.Schema(t))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "ecoz restore") {
				t.Fatalf("got %v, want a refusal saying %q and how to restore", err, c.want)
			}
			b, _ := os.ReadFile(path)
			if !bytes.Equal(b, c.data) {
				t.Fatal("the corrupt file was overwritten")
			}
		})
	}
}

// A backup taken while another goroutine writes is a whole database holding one
// moment: each write transaction files a ticket and moves it through two more
// steps, so a copy holding any half of one would show it.
func TestBackupWhileWriting(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	write := func() error {
		return f.s.Write(apptest.As(f.operator), func(tx *store.Tx) error {
			tk, err := tx.CreateTicket(app.NewTicket{BuildingID: f.building.ID, Apartment: "7", WorkType: "ROOF-01", Description: "Течёт крыша", ReporterName: "Иван", ReporterPhone: "8 912 345-67-89"})
			if err != nil {
				return err
			}
			tx.SetUser(f.disp)
			if _, err := tx.Act(tk.Number, app.ActionAccept, store.ActInput{}); err != nil {
				return err
			}
			_, err = tx.Act(tk.Number, app.ActionDone, store.ActInput{Note: "Устранено"})
			return err
		})
	}
	for i := 0; i < 100; i++ { // enough that a copy takes a while
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	var committed atomic.Int64
	committed.Store(100)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := write(); err != nil {
				writeErr = err
				return
			}
			committed.Add(1)
		}
	}()
	dir := t.TempDir()
	var backups []string
	var bounds [][2]int64
	for i := 0; i < 5; i++ {
		out := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		lo := committed.Load()
		if err := f.s.Backup(ctx, out); err != nil {
			t.Fatal(err)
		}
		bounds = append(bounds, [2]int64{lo, committed.Load()})
		backups = append(backups, out)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("the writer failed during backups: %v", writeErr)
	}
	// Every ticket of the live database has the same trail; the copies must too.
	live := rawDB(t, f.s.Path)
	perTicket := scalar[int](t, live, "SELECT count(*) FROM ticket_events WHERE ticket_id = 1")
	if perTicket < 3 {
		t.Fatalf("a ticket has %d events, want at least 3", perTicket)
	}
	for i, path := range backups {
		if err := store.CheckFile(ctx, path); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		db := rawDB(t, path)
		if ok := scalar[string](t, db, "PRAGMA integrity_check"); ok != "ok" {
			t.Fatalf("backup %d integrity_check: %s", i, ok)
		}
		n := scalar[int64](t, db, "SELECT count(*) FROM tickets")
		if n < bounds[i][0] || n > bounds[i][1]+1 {
			t.Errorf("backup %d holds %d tickets, committed before %d and after %d", i, n, bounds[i][0], bounds[i][1])
		}
		if maxID := scalar[int64](t, db, "SELECT max(id) FROM tickets"); maxID != n {
			t.Errorf("backup %d: %d tickets but the last is %d: a gap", i, n, maxID)
		}
		if bad := scalar[int](t, db, fmt.Sprintf(`SELECT count(*) FROM tickets t WHERE t.status != 'done'
			OR (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id) != %d`, perTicket)); bad != 0 {
			t.Errorf("backup %d: %d tickets caught half-way through their transaction", i, bad)
		}
		if maxSeq, n2 := scalar[int64](t, db, "SELECT max(seq) FROM tickets"), scalar[int64](t, db, "SELECT count(DISTINCT seq) FROM tickets"); maxSeq < n2 {
			t.Errorf("backup %d: seq %d behind %d distinct changes", i, maxSeq, n2)
		}
		db.Close()
	}
	t.Logf("backups held %v tickets (bounds), %d events per ticket", bounds, perTicket)
}

// The constant compared against for unknown logins must cost what a real hash costs.
func TestDummyHashCostsWhatARealOneDoes(t *testing.T) {
	if cost, err := bcrypt.Cost(store.DummyHash); err != nil || cost != bcrypt.DefaultCost {
		t.Fatalf("dummy hash cost %d (%v), want %d", cost, err, bcrypt.DefaultCost)
	}
	if err := bcrypt.CompareHashAndPassword(store.DummyHash, []byte("ecoz-dummy-password")); err != nil {
		t.Fatalf("dummy hash is not a bcrypt hash: %v", err)
	}
}

// A data folder whose name holds characters that mean something in a URI still
// backs up and restores.
func TestBackupAndRestoreWithAwkwardFolderName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "данные #1 ?100% готово")
	path := filepath.Join(dir, "ecoz.db")
	s, err := store.Open(path, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(store.SetMunicipalityName, "Ухта") }); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy #1.db")
	if err := s.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := store.CheckFile(ctx, out); err != nil {
		t.Fatal(err)
	}
	kept, err := store.Restore(ctx, out, path)
	if err != nil || kept == "" {
		t.Fatalf("restore: %q %v", kept, err)
	}
	s, err = store.Open(path, apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Setting(ctx, store.SetMunicipalityName); got != "Ухта" {
		t.Fatalf("restored database holds %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "ecoz.db?_pragma=busy_timeout(10000)")); err == nil {
		t.Fatal("a stray file named after the URI was created")
	}
}

// A nightly copy that is stopped half-way leaves nothing behind that looks like a
// copy; one that completes is verified and the oldest beyond keep are removed.
func TestNightlyBackup(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(t.TempDir(), "backups")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.s.NightlyBackup(ctx, dir, apptest.Now, 3); err == nil {
		t.Fatal("a cancelled nightly copy reported success")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a cancelled copy left %v", entries)
	}
	for d := 0; d < 5; d++ {
		out, err := f.s.NightlyBackup(context.Background(), dir, apptest.Now.AddDate(0, 0, d), 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckFile(context.Background(), out); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"ecoz-2026-11-18.db", "ecoz-2026-11-19.db", "ecoz-2026-11-20.db"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("kept %v, want %v", names, want)
	}
}
