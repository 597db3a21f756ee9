// Package store keeps ecoz's data in one SQLite file: opening and migrating it,
// one transaction per exported method, and translating driver errors into app errors.
package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is the database of one municipal centre.
type Store struct {
	Path string
	// Now is the clock; tests freeze it.
	Now func() time.Time

	db *sqlkit.DB
	w  *sql.DB // the one writer: writes are serialised
	r  *sql.DB // readers, concurrent under WAL

	mu        sync.RWMutex
	settings  map[string]string
	workTypes map[string]*app.WorkType
	buildings []buildingEntry
	cacheGen  uint64 // bumped by every drop of a cache

	wq        writeQueue // group commit, see writer.go
	syncer    *syncer    // the fsync after it, see syncer.go
	changes   changes    // what committed writes changed, see changes.go
	counts    countCache // the queues' counts until the tickets change, see countcache.go
	sessions  sessionCache
	stmtCache stmtCache
	readCache readStmts
}

// DSN returns the connection string with the pragmas every pooled connection needs
// (the kit's, shared with the registry).
func DSN(path string, readOnly bool) string { return sqlkit.DSN(path, readOnly) }

// Open opens (creating if need be) the database at path and brings its schema up to
// date. A database written by a newer ecoz is refused.
func Open(path, schema string) (*Store, error) {
	return open(path, schema, migrations)
}

// open is Open with the list of migration steps given, so that tests can add one.
func open(path, schema string, steps []string) (*Store, error) {
	db, err := sqlkit.Open(path, centreSchema(schema, steps))
	if err != nil {
		return nil, err
	}
	return &Store{Path: path, Now: time.Now, db: db, w: db.W, r: db.R, syncer: newSyncer(db.SyncWAL)}, nil
}

// Close closes the database cleanly, checkpointing the WAL.
func (s *Store) Close() error {
	s.syncer.close()
	return s.db.Close()
}

// ReleaseMemory gives back the memory SQLite keeps in connections not in use
// (sqlkit.DB.ReleaseMemory), for a server gone quiet.
func (s *Store) ReleaseMemory() { s.db.ReleaseMemory() }

// Readers is how many reads run at once, each on its own connection.
func (s *Store) Readers() int { return s.db.Readers() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	return s.r.QueryRowContext(ctx, "SELECT 1").Scan(&n)
}

// Tx is one write transaction; the domain operations hang off it so that a caller
// (the demo loader, an import) can make many of them in one commit.
type Tx struct {
	tx   *sql.Tx
	s    *Store
	ctx  context.Context
	now  time.Time
	user *app.User
	as   string // who acts when there is no user (a resident answering a link)
	// apiKey is the application filing through Open311 when there is no user.
	apiKey *app.APIKey
	// dirty caches to drop after commit
	dropSettings, dropWorkTypes, dropBuildings bool
	// groupDirty: an earlier write of the same group changed a catalogue, so the
	// caches do not show what this transaction sees
	groupDirty bool
	// what the transaction changed, for the caches of pages (changes.go)
	declared, touchedAll bool
	scope                Scope
}

// cachesValid reports whether the store's catalogue caches show what this
// transaction sees: nothing in it, or before it in its group, changed them.
func (tx *Tx) cachesValid() bool {
	return !(tx.groupDirty || tx.dropSettings || tx.dropWorkTypes || tx.dropBuildings)
}

// SetNow moves the transaction's clock; the demo loader writes history with it.
func (tx *Tx) SetNow(t time.Time) { tx.now = t.UTC().Truncate(time.Second) }

// SetUser changes who the transaction acts as.
func (tx *Tx) SetUser(u *app.User) { tx.user = u }

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	if st := tx.s.stmt(q); st != nil {
		return tx.tx.StmtContext(tx.ctx, st).ExecContext(tx.ctx, args...)
	}
	return tx.tx.ExecContext(tx.ctx, q, args...)
}

func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	if st := tx.s.stmt(q); st != nil {
		return tx.tx.StmtContext(tx.ctx, st).QueryContext(tx.ctx, args...)
	}
	return tx.tx.QueryContext(tx.ctx, q, args...)
}

func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	if st := tx.s.stmt(q); st != nil {
		return tx.tx.StmtContext(tx.ctx, st).QueryRowContext(tx.ctx, args...)
	}
	return tx.tx.QueryRowContext(tx.ctx, q, args...)
}

func (s *Store) dropCaches(settings, workTypes, buildings bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if settings || workTypes || buildings {
		s.cacheGen++
	}
	if settings {
		s.settings = nil
	}
	if workTypes {
		s.workTypes = nil
	}
	if buildings {
		s.buildings = nil
	}
}

// translate turns driver errors into app errors once, here.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &app.Error{Code: app.ECONFLICT, Message: "Такая запись уже есть: " + uniqueWhat(se.Error())}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &app.Error{Code: app.EINVALID, Message: "Ссылка на несуществующую запись (организацию, дом, вид работ или пользователя)."}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &app.Error{Code: app.EINVALID, Message: "Недопустимое значение поля."}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &app.Error{Code: app.EINTERNAL, Message: "База данных занята; повторите попытку."}
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return err
}

func uniqueWhat(msg string) string {
	switch {
	case strings.Contains(msg, "users.login"):
		return "пользователь с таким логином."
	case strings.Contains(msg, "buildings.address_key"):
		return "дом с таким адресом."
	case strings.Contains(msg, "organizations.name"):
		return "организация с таким названием."
	case strings.Contains(msg, "work_types.code"):
		return "вид работ с таким кодом."
	}
	return "значение должно быть уникальным."
}

func unix(t time.Time) int64 { return t.UTC().Unix() }

func nullUnix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Unix()
}

// fromUnix reads a stored time (the kit's, shared with the registry).
var fromUnix = sqlkit.FromUnix

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Raw gives fn a way to run plain SQL inside the transaction: for bulk fixtures
// in tests and benchmarks, which would take hours through the domain path.
func (tx *Tx) Raw(fn func(exec func(q string, args ...any) error) error) error {
	cache := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range cache {
			st.Close()
		}
	}()
	return fn(func(q string, args ...any) error {
		st, ok := cache[q]
		if !ok {
			var err error
			if st, err = tx.tx.PrepareContext(tx.ctx, q); err != nil {
				return err
			}
			cache[q] = st
		}
		_, err := st.ExecContext(tx.ctx, args...)
		return err
	})
}
