package sqlkit

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"sync"
)

// RecordStatements makes every database opened after it run through a wrapper of
// the SQLite driver that appends each statement's text, once per process, to
// path.PID. For tests (apptest, with ECOZ_SQL_RECORD=FILE): the recorded
// statements are what apptest's TestRecordedQueryPlans explains against the
// million tickets, to see which index each query walks and which index none needs.
func RecordStatements(path string) {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	// A file per process: the packages' tests run side by side.
	path = fmt.Sprintf("%s.%d", path, os.Getpid())
	sql.Register("sqlite-recorded", &recDriver{inner: db.Driver(), path: path, seen: map[string]bool{}})
	Driver = "sqlite-recorded"
}

type recDriver struct {
	inner driver.Driver
	path  string
	mu    sync.Mutex
	seen  map[string]bool
}

func (d *recDriver) record(q string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen[q] {
		return
	}
	d.seen[q] = true
	f, err := os.OpenFile(d.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	// One statement per record, NUL-terminated: statements span lines.
	f.WriteString(q + "\x00")
}

func (d *recDriver) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return &recConn{Conn: c, d: d}, nil
}

type recConn struct {
	driver.Conn
	d *recDriver
}

func (c *recConn) Prepare(q string) (driver.Stmt, error) {
	c.d.record(q)
	return c.Conn.Prepare(q)
}

func (c *recConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.d.record(q)
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *recConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.d.record(q)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *recConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.d.record(q)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *recConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *recConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *recConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
