// Package pgkit is the server kit's PostgreSQL half, beside sqlkit's SQLite: the
// opener (a pgx pool, with database/sql over it for the queries both engines
// share) and the migrator, which works as sqlkit's does: the schema's version
// kept in the database, the whole schema on an empty one, then each missing step
// in its own transaction, and a newer schema refused.
package pgkit

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app/kit/sqlkit"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsURL says whether a --db value names a PostgreSQL database rather than an
// SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact is the URL with its password hidden, for messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// DB is one PostgreSQL database: the pool, and database/sql over the same pool.
type DB struct {
	URL  string // redacted
	Pool *pgxpool.Pool
	SQL  *sql.DB
}

// ConnectTimeout bounds the wait for an unreachable server at start-up.
const ConnectTimeout = 10 * time.Second

// Open connects to the database at rawURL and brings its schema up to date. A
// server that does not answer within ConnectTimeout is an error that says so,
// never a hang.
func Open(ctx context.Context, rawURL string, s sqlkit.Schema, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("адрес базы PostgreSQL %s не разобран: %v", Redact(rawURL), err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > ConnectTimeout {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	// Times are kept as unix seconds; the session's zone only touches what the
	// server prints, and UTC keeps that the same on every server.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "ecoz"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("база PostgreSQL %s: %v", Redact(rawURL), err)
	}
	pctx, cancel := context.WithTimeout(ctx, ConnectTimeout+time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("база PostgreSQL %s недоступна: %v; проверьте адрес, что сервер запущен и что пользователь может войти", Redact(rawURL), err)
	}
	db := &DB{URL: Redact(rawURL), Pool: pool, SQL: stdlib.OpenDBFromPool(pool)}
	if err := Migrate(ctx, db, s); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	err := db.SQL.Close()
	db.Pool.Close()
	return err
}

// versionTable holds the schema's version: PostgreSQL has no user_version.
const versionTable = "ecoz_schema"

// migrateLock is the advisory lock under which one process migrates: two
// registries started together against one database do not both run a step.
const migrateLock = 0x65636f7a // "ecoz"

// Migrate brings the database to s.Version(): s.SQL on an empty database (no
// tables in its search path), then each missing step in its own transaction. A
// database with tables but no version table is not ecoz's and is refused.
func Migrate(ctx context.Context, db *DB, s sqlkit.Schema) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", migrateLock)
	var hasVersion bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", versionTable).Scan(&hasVersion); err != nil {
		return err
	}
	target := s.Version()
	if !hasVersion {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("база PostgreSQL %s не пуста и это не %s; укажите пустую базу", db.URL, s.Of)
		}
		return step(ctx, conn.Conn(), "CREATE TABLE "+versionTable+" (version integer NOT NULL);\nINSERT INTO "+versionTable+" VALUES (0);\n"+s.SQL, target)
	}
	var v int
	if err := conn.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&v); err != nil {
		return fmt.Errorf("%s %s: версия схемы не читается: %v", s.Noun, db.URL, err)
	}
	if v > target {
		return fmt.Errorf("%s %s создана более новой версией ecoz (схема %d, эта программа знает до %d); установите новую версию программы", s.Noun, db.URL, v, target)
	}
	for ; v < target; v++ {
		if err := step(ctx, conn.Conn(), s.Steps[v-1], v+1); err != nil {
			return err
		}
	}
	return nil
}

func step(ctx context.Context, c *pgx.Conn, sqlText string, version int) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	// The simple protocol runs a script of several statements at once.
	if _, err := tx.Exec(ctx, sqlText, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("обновление схемы до версии %d не удалось: %w", version, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE "+versionTable+" SET version = $1", version); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Rebind turns a query written with SQLite's placeholders (? in order, or ?N)
// into PostgreSQL's ($1, $2, …), so that the SQL both engines share is written
// once. Question marks inside quoted literals are left alone.
func Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		ch := q[i]
		if ch == '\'' {
			quoted = !quoted
		}
		if ch != '?' || quoted {
			b.WriteByte(ch)
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		b.WriteByte('$')
		if j > i+1 {
			b.WriteString(q[i+1 : j])
			i = j - 1
			continue
		}
		n++
		fmt.Fprintf(&b, "%d", n)
	}
	return b.String()
}
