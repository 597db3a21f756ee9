// Package regstore is the republic registry's data: the database every municipal
// centre pushes its tickets to, the batches' parsing and validation, the queries
// of its pages and API, and the republic rating's counts. SQL lives here; HTTP in
// app/registry.
package regstore

import (
	"context"
	"database/sql"
	_ "embed"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/pgkit"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
	"golang.org/x/crypto/bcrypt"
)

// schema is the registry's own schema. It lives beside the code that uses it,
// not in the top-level schema.sql, because a registry and a centre never share a
// database: each file's schema is applied to its own kind of database only.
//
//go:embed schema.sql
var schema string

// DBFile is the registry database's name inside its data folder.
const DBFile = "registry.db"

// DB is the registry's database: one type over two engines. SQLite (a file, the
// default: a republic's twenty municipalities) and PostgreSQL (a country's two
// thousand). The SQL they share is written once, with SQLite's placeholders
// (q turns them into PostgreSQL's); where the engines differ — the schema, the
// bulk write of a batch, a conflict target — each has its own text, side by side.
type DB struct {
	// Path is the SQLite file, or the PostgreSQL URL with its password hidden.
	Path string
	// Now is the clock; tests move it.
	Now func() time.Time
	k   *sqlkit.DB // SQLite
	pg  *pgkit.DB  // PostgreSQL
	w   *sql.DB
	r   *sql.DB
	// PostgreSQL: the months whose partition of tickets exists.
	parts partitions
}

// Engines, as Engine names them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Open opens (creating if need be) the registry database: an SQLite file at
// dsn, or the PostgreSQL database dsn names (postgres://…), with the kit's
// opener and migrator (the same checks as a centre's database).
func Open(dsn string) (*DB, error) {
	if pgkit.IsURL(dsn) {
		return openPG(dsn)
	}
	k, err := sqlkit.Open(dsn, sqlkit.Schema{SQL: sqliteSchema(), Steps: sqliteMigrations(), Noun: "база реестра", Of: "реестра ecoz"})
	if err != nil {
		return nil, err
	}
	return &DB{Path: dsn, Now: time.Now, k: k, w: k.W, r: k.R}, nil
}

// sqliteSchema is schema.sql with the open statuses written in.
func sqliteSchema() string { return strings.ReplaceAll(schema, "{{open}}", openSQL) }

// sqliteMigrations[i] upgrades an SQLite registry from version i+1 to i+2.
func sqliteMigrations() []string {
	return []string{migrateStripPersonal, strings.ReplaceAll(migrateCounts, "{{open}}", openSQL)}
}

// Engine is SQLite or Postgres.
func (db *DB) Engine() string {
	if db.pg != nil {
		return Postgres
	}
	return SQLite
}

// SQL is the database's reader, for tests and tools that look at what is held.
func (db *DB) SQL() *sql.DB { return db.r }

// q is a query written with SQLite's placeholders, in the engine's own.
func (db *DB) q(s string) string {
	if db.pg == nil {
		return s
	}
	return rebind(s)
}

var rebound sync.Map // query → PostgreSQL's text

func rebind(s string) string {
	if v, ok := rebound.Load(s); ok {
		return v.(string)
	}
	v := pgkit.Rebind(s)
	rebound.Store(s, v)
	return v
}

// Close closes the database cleanly (on SQLite, checkpointing the WAL).
func (db *DB) Close() error {
	if db.pg != nil {
		return db.pg.Close()
	}
	return db.k.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// write runs fn in one immediate transaction.
func (db *DB) write(ctx context.Context, fn func(tx *wtx) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&wtx{Tx: tx, conn: conn}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if db.k != nil {
		db.k.Wrote() // for SQLite's checkpointer (sqlkit)
	}
	return nil
}

// wtx is a write transaction and its connection (PostgreSQL's COPY goes through
// the connection, inside the transaction).
type wtx struct {
	*sql.Tx
	conn *sql.Conn
}

// newToken and HashToken are the domain's (app.NewToken, app.HashToken): a token
// is kept only as its hash, also the key of its rate limit.
var (
	newToken  = app.NewToken
	HashToken = app.HashToken
)

// Municipality is one municipal centre registered with the registry.
type Municipality struct {
	Code          string
	Name          string
	Revoked       bool
	CreatedAt     time.Time
	TokenIssuedAt time.Time
	LastPushAt    time.Time
}

// AddMunicipality registers a municipality and returns its push token, which is
// kept only as a hash: this is the one time anyone sees it.
func (db *DB) AddMunicipality(ctx context.Context, code, name string) (string, error) {
	code, codeMsg := app.MunicipalityCode(code)
	name = strings.TrimSpace(name)
	fe := app.FieldErrors{}
	if codeMsg != "" {
		fe.Add("code", codeMsg)
	}
	if msg := app.MunicipalityName(name); msg != "" {
		fe.Add("name", msg)
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	token := newToken()
	err := db.write(ctx, func(tx *wtx) error {
		now := db.Now().Unix()
		var n int
		if err := tx.QueryRowContext(ctx, db.q("SELECT count(*) FROM municipalities WHERE code = ?"), code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &app.Error{Code: app.ECONFLICT, Message: "Муниципалитет с кодом " + code + " уже зарегистрирован; чтобы выдать ему новый токен, используйте перевыпуск.", Fields: map[string]string{"code": "Код уже занят."}}
		}
		_, err := tx.ExecContext(ctx, db.q("INSERT INTO municipalities(code, name, token_hash, token_issued_at, created_at) VALUES (?,?,?,?,?)"), code, name, HashToken(token), now, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// ReissueToken gives a municipality a new push token (and lifts a revocation); the
// old token stops working at once.
func (db *DB) ReissueToken(ctx context.Context, code string) (string, error) {
	token := newToken()
	err := db.write(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, db.q("UPDATE municipalities SET token_hash = ?, token_issued_at = ?, revoked = 0 WHERE code = ?"), HashToken(token), db.Now().Unix(), strings.ToUpper(code))
		if err != nil {
			return err
		}
		return mustAffect(res, code)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeToken stops a municipality's token from being accepted; what it pushed
// stays.
func (db *DB) RevokeToken(ctx context.Context, code string) error {
	return db.write(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, db.q("UPDATE municipalities SET revoked = 1 WHERE code = ?"), strings.ToUpper(code))
		if err != nil {
			return err
		}
		return mustAffect(res, code)
	})
}

func mustAffect(res sql.Result, code string) error {
	if n, _ := res.RowsAffected(); n == 0 {
		return app.Errorf(app.ENOTFOUND, "Муниципалитет %s не зарегистрирован.", code)
	}
	return nil
}

// Authenticate returns the code of the municipality whose live token this is.
func (db *DB) Authenticate(ctx context.Context, token string) (string, error) {
	var code string
	var revoked bool
	err := db.r.QueryRowContext(ctx, db.q("SELECT code, revoked FROM municipalities WHERE token_hash = ?"), HashToken(token)).Scan(&code, &revoked)
	if err == sql.ErrNoRows || revoked {
		return "", app.Errorf(app.EUNAUTHORIZED, "Токен муниципалитета неверен или отозван.")
	}
	return code, err
}

// fromUnix reads a stored time (the kit's, shared with the centre's store).
var fromUnix = sqlkit.FromUnix

const municipalityCols = "code, name, revoked, created_at, token_issued_at, last_push_at"

// scanMunicipality reads the municipalityCols of a row into m, and the row's
// further columns into extra.
func scanMunicipality(sc interface{ Scan(...any) error }, extra ...any) (Municipality, error) {
	var m Municipality
	var created, issued int64
	var last sql.NullInt64
	if err := sc.Scan(append([]any{&m.Code, &m.Name, &m.Revoked, &created, &issued, &last}, extra...)...); err != nil {
		return m, err
	}
	m.CreatedAt, m.TokenIssuedAt, m.LastPushAt = time.Unix(created, 0).UTC(), time.Unix(issued, 0).UTC(), fromUnix(last)
	return m, nil
}

// sortMunicipalities orders a list by name, then code, byte by byte: the same
// order on both engines, whatever the PostgreSQL server's collation.
func sortMunicipalities[T any](list []T, m func(T) Municipality) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := m(list[i]), m(list[j])
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Code < b.Code
	})
}

// Municipalities lists every registered municipality by name.
func (db *DB) Municipalities(ctx context.Context) ([]Municipality, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+municipalityCols+" FROM municipalities")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Municipality
	for rows.Next() {
		m, err := scanMunicipality(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortMunicipalities(out, func(m Municipality) Municipality { return m })
	return out, nil
}

// Municipality returns one registered municipality.
func (db *DB) Municipality(ctx context.Context, code string) (Municipality, error) {
	m, err := scanMunicipality(db.r.QueryRowContext(ctx, db.q("SELECT "+municipalityCols+" FROM municipalities WHERE code = ?"), strings.ToUpper(code)))
	if err == sql.ErrNoRows {
		return Municipality{}, app.Errorf(app.ENOTFOUND, "Муниципалитет %s не зарегистрирован.", code)
	}
	return m, err
}

// upsertUser adds a user or sets a password; a login is one whatever its case.
func (db *DB) upsertUser() string {
	if db.pg != nil {
		return "INSERT INTO users(login, password_hash, created_at) VALUES (?,?,?) ON CONFLICT ((lower(login))) DO UPDATE SET password_hash = excluded.password_hash"
	}
	return "INSERT INTO users(login, password_hash, created_at) VALUES (?,?,?) ON CONFLICT(login) DO UPDATE SET password_hash = excluded.password_hash"
}

// BcryptCost is the cost of registry users' password hashes; tests lower it.
var BcryptCost = bcrypt.DefaultCost

// AddUser adds a registry user (a republic official) with a password.
func (db *DB) AddUser(ctx context.Context, login, password string) error {
	login = strings.TrimSpace(login)
	fe := app.FieldErrors{}
	if login == "" || len(login) > 64 {
		fe.Add("login", "Логин — от 1 до 64 символов.")
	}
	if len(password) < 8 {
		fe.Add("password", "Пароль — не короче 8 символов.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, db.q(db.upsertUser()), login, string(hash), db.Now().Unix())
		return err
	})
}

// Session is a registry user's sign-in.
type Session struct {
	Login string
	CSRF  string
}

const sessionTTL = 12 * time.Hour

// SignIn checks a password and opens a session; it returns the session's token.
func (db *DB) SignIn(ctx context.Context, login, password string) (string, error) {
	var hash string
	err := db.r.QueryRowContext(ctx, db.q("SELECT login, password_hash FROM users WHERE lower(login) = lower(?)"), strings.TrimSpace(login)).Scan(&login, &hash)
	if err == sql.ErrNoRows || (err == nil && bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil) {
		return "", app.Errorf(app.EUNAUTHORIZED, "Неверный логин или пароль.")
	} else if err != nil {
		return "", err
	}
	token := newToken()
	err = db.write(ctx, func(tx *wtx) error {
		now := db.Now()
		if _, err := tx.ExecContext(ctx, db.q("DELETE FROM sessions WHERE expires_at < ?"), now.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q("INSERT INTO sessions(token_hash, login, csrf, expires_at) VALUES (?,?,?,?)"), HashToken(token), login, newToken(), now.Add(sessionTTL).Unix())
		return err
	})
	return token, err
}

// SessionFor returns the live session of a token.
func (db *DB) SessionFor(ctx context.Context, token string) (*Session, error) {
	s := &Session{}
	err := db.r.QueryRowContext(ctx, db.q("SELECT login, csrf FROM sessions WHERE token_hash = ? AND expires_at > ?"), HashToken(token), db.Now().Unix()).Scan(&s.Login, &s.CSRF)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.EUNAUTHORIZED, "Войдите в систему.")
	}
	return s, err
}

// SignOut ends a session.
func (db *DB) SignOut(ctx context.Context, token string) error {
	return db.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, db.q("DELETE FROM sessions WHERE token_hash = ?"), HashToken(token))
		return err
	})
}
