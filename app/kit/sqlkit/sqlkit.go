// Package sqlkit is the server kit's database half, shared by the centre
// (app/store) and the registry (app/registry/…): the connection string with the
// pragmas, the opener (one writer, a pool of readers) and the migrator (ordered
// steps, a newer schema refused).
package sqlkit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver, registered as "sqlite"
)

// DSN returns the connection string with the pragmas every pooled connection needs:
// WAL, foreign keys, a busy timeout, synchronous=FULL (an acknowledged write
// survives a power cut), immediate transactions (read-then-write transactions
// never fail with "database is locked" midway) and the memory bounds below.
func DSN(path string, readOnly bool) string { return dsn(path, readOnly, false) }

// dsn is DSN; deferSync gives the writer synchronous=NORMAL: its commits do not
// fsync, and its user makes them durable with DB.SyncWAL (Schema.DeferSync).
func dsn(path string, readOnly, deferSync bool) string {
	cache := CacheKiB
	if readOnly {
		cache /= 2
	}
	sync := "FULL"
	if deferSync && !readOnly {
		sync = "NORMAL"
	}
	q := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=synchronous(" + sync + ")" +
		"&_pragma=cache_size(-" + strconv.Itoa(cache) + ")&_pragma=soft_heap_limit(" + strconv.Itoa(HeapLimit) + ")"
	if readOnly {
		q += "&_pragma=query_only(1)"
	} else {
		// temp_store(MEMORY): the savepoints of group commit journal in memory, not
		// in a temporary file written with every statement. wal_autocheckpoint(0):
		// the checkpoints run beside the writer, not in its commits (checkpoint.go).
		q += "&_txlock=immediate&_pragma=temp_store(2)&_pragma=wal_autocheckpoint(0)"
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q
}

// Driver is the database/sql driver the opener uses: modernc's SQLite. Tests may
// put a wrapper of it in its place (apptest's recorder of the queries run).
var Driver = "sqlite"

// Memory (README: «Память»). Each connection keeps its own page cache: the
// writer CacheKiB, each of the readers half of it. All of SQLite's memory together
// is held near HeapLimit by soft_heap_limit (process-wide: caches give pages back
// rather than grow past it); the operating system's file cache holds the rest of
// a large database's hot pages, a pread away.
const (
	CacheKiB  = 2048
	HeapLimit = 16 << 20
)

// Schema says how to create and upgrade one kind of database, and how to name it
// in messages.
type Schema struct {
	SQL   string   // the whole current schema, for a new database
	Steps []string // Steps[i] upgrades version i+1 to i+2; the current version is len(Steps)+1
	Noun  string   // "база данных", "база реестра"
	Of    string   // whose database it is: "ecoz", "реестра ecoz"
	Fix   string   // what to do with a damaged file, e.g. "восстановите её из копии: ecoz restore ФАЙЛ"
	// DeferSync: the writer's commits do not wait for an fsync (synchronous=NORMAL);
	// the user of the DB calls SyncWAL after each commit and acknowledges the
	// write only when it returns (app/store's group commit, syncer.go). Without
	// it every commit fsyncs (synchronous=FULL).
	DeferSync bool
}

// Version is the schema version this program creates.
func (s Schema) Version() int { return len(s.Steps) + 1 }

// DB is one database file: the one writer (writes are serialised) and the readers
// (concurrent under WAL).
type DB struct {
	Path string
	W, R *sql.DB

	readers   int // the readers' pool size
	ckpt      *checkpointer
	deferSync bool
}

// Open opens (creating if need be) the database at path and brings its schema up to
// date. A database written by a newer program is refused.
func Open(path string, s Schema) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("не удалось создать папку данных %s: %w", dir, err)
		}
	}
	if err := checkWritable(filepath.Dir(path)); err != nil {
		return nil, err
	}
	w, err := sql.Open(Driver, dsn(path, false, s.DeferSync))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := Migrate(context.Background(), w, path, s); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open(Driver, DSN(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	// Reads are CPU-bound (the hot pages are in memory): more readers than twice
	// the cores only add page caches and prepared statements (memory), not speed.
	readers := min(8, max(2, 2*runtime.NumCPU()))
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	// A reader idle for a minute is closed and gives its page cache and prepared
	// statements back; opening one again costs about a millisecond.
	r.SetConnMaxIdleTime(time.Minute)
	db := &DB{Path: path, W: w, R: r, readers: readers, deferSync: s.DeferSync}
	// The migration's commits, durable before anything else.
	if err := db.SyncWAL(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	db.startCheckpointer()
	return db, nil
}

// ReleaseMemory closes every connection not in use, the writer's too: each gives
// back its page cache, its copy of the schema and its prepared statements (several
// megabytes together on a large database). The next query opens a connection
// again (about a millisecond, and the statements are prepared anew as they are
// used). For a server gone quiet; closing the last connection also checkpoints
// the WAL into the database file.
func (db *DB) ReleaseMemory() {
	db.R.SetMaxIdleConns(0)
	db.R.SetMaxIdleConns(db.readers)
	db.W.SetMaxIdleConns(0)
	db.W.SetMaxIdleConns(1)
}

// Readers is the size of the readers' pool.
func (db *DB) Readers() int { return db.readers }

// SyncWAL makes every transaction committed so far durable: an fdatasync (on
// Linux; elsewhere File.Sync) of the -wal file, which holds every commit not yet
// checkpointed (a checkpoint fsyncs the database file before the -wal file is
// reused). Without a -wal file there is nothing to sync: the last connection
// closed checkpointed it and removed it.
func (db *DB) SyncWAL() error {
	if !db.deferSync {
		return nil // every commit fsynced already
	}
	f, err := os.OpenFile(db.Path+"-wal", os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = dataSync(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".ecoz-write-check-*")
	if err != nil {
		return fmt.Errorf("папка данных %s недоступна для записи: %v; укажите другую через --data или выдайте права на запись", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// Close closes the database cleanly, checkpointing the WAL.
func (db *DB) Close() error {
	db.stopCheckpointer()
	var errs []error
	if db.R != nil {
		errs = append(errs, db.R.Close())
	}
	if _, err := db.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, db.W.Close())
	return errors.Join(errs...)
}

// Migrate brings the database to s.Version(): s.SQL on an empty file, then each
// missing step in its own transaction.
//
// It deliberately checks only what is cheap: that the file is an SQLite database
// (the header, read by user_version) and that its schema parses (sqlite_schema).
// A full PRAGMA quick_check reads every page: 4-5 s on a million tickets, in front
// of every start of a service that must answer within a second.
func Migrate(ctx context.Context, w *sql.DB, path string, s Schema) error {
	var v int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("файл %s не открывается как база данных SQLite (повреждён или не тот файл: %v)%s", path, err, fix(s))
	}
	var n int
	if err := w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("%s %s повреждена (%v)%s", s.Noun, path, err, fix(s))
	}
	target := s.Version()
	if v > target {
		return fmt.Errorf("%s %s создана более новой версией ecoz (схема %d, эта программа знает до %d); установите новую версию программы", s.Noun, path, v, target)
	}
	if v == target {
		return nil
	}
	if v == 0 {
		if n > 0 {
			return fmt.Errorf("файл %s — база данных SQLite, но не %s; укажите пустую папку через --data", path, s.Of)
		}
		return step(ctx, w, s.SQL, target)
	}
	for ; v < target; v++ {
		if err := step(ctx, w, s.Steps[v-1], v+1); err != nil {
			return err
		}
	}
	return nil
}

func fix(s Schema) string {
	if s.Fix == "" {
		return ""
	}
	return "; " + s.Fix
}

// step runs one schema change and records its version in the same transaction.
func step(ctx context.Context, w *sql.DB, sqlText string, version int) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sqlText); err != nil {
		return fmt.Errorf("обновление схемы до версии %d не удалось: %w", version, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return err
	}
	return tx.Commit()
}

// In is the condition «col IN ('a','b',…)» over a fixed set of values from the
// domain (app.OpenStatuses and the like, never input): written out as literals,
// because SQLite uses a partial index only when a query's WHERE repeats the
// index's own, literals included.
func In[T ~string](col string, vals []T) string {
	var b strings.Builder
	b.WriteString(col + " IN (")
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + strings.ReplaceAll(string(v), "'", "''") + "'")
	}
	b.WriteString(")")
	return b.String()
}

// FromUnix is a time stored as unix seconds (NULL: the zero time), in UTC: both
// databases read their times so.
func FromUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}
