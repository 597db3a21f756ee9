package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"time"

	"github.com/ecoz/ecoz/app"
	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the password hashing cost; tests lower it.
var BcryptCost = bcrypt.DefaultCost

const (
	userCols  = "id, login, name, role, COALESCE(organization_id, 0), phone, disabled, locale"
	userColsU = "u.id, u.login, u.name, u.role, COALESCE(u.organization_id, 0), u.phone, u.disabled, u.locale"
)

func scanUser(sc interface{ Scan(...any) error }) (*app.User, error) {
	u := &app.User{}
	err := sc.Scan(&u.ID, &u.Login, &u.Name, &u.Role, &u.OrganizationID, &u.Phone, &u.Disabled, &u.Locale)
	return u, err
}

// CreateUser validates u and stores it with a hash of password.
func (tx *Tx) CreateUser(u *app.User, password string) error {
	return tx.createUser(u, password, password, BcryptCost)
}

// CreateDemoUser stores a demo account, whose password is its login and so
// shorter than the policy allows; only the demo municipality has such accounts.
// Its hash is the cheapest bcrypt allows: the password is printed for everyone, so
// a costly hash protects nothing and would add most of a second to the demo's start.
func (tx *Tx) CreateDemoUser(u *app.User) error {
	return tx.createUser(u, "demo-password-policy-ok", u.Login, bcrypt.MinCost)
}

func (tx *Tx) createUser(u *app.User, checked, password string, cost int) error {
	if err := app.ValidateNewUser(u, checked); err != nil {
		return err
	}
	if u.Phone != "" {
		p, err := app.NormalizePhone(u.Phone)
		if err != nil {
			return &app.Error{Code: app.EINVALID, Message: err.Error(), Fields: map[string]string{"phone": err.Error()}}
		}
		u.Phone = p
	}
	if u.OrganizationID != 0 {
		var n int
		if err := tx.queryRow("SELECT count(*) FROM organizations WHERE id = ?", u.OrganizationID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return &app.Error{Code: app.EINVALID, Message: "Организация не найдена.", Fields: map[string]string{"organization_id": "Нет такой организации."}}
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return err
	}
	res, err := tx.exec("INSERT INTO users(login, name, role, organization_id, phone, password_hash, locale, created_at) VALUES (?,?,?,?,?,?,?,?)",
		u.Login, u.Name, u.Role, nullID(u.OrganizationID), u.Phone, string(hash), u.Locale, unix(tx.now))
	if err != nil {
		return fieldConflict(translate(err), "login")
	}
	u.ID, err = res.LastInsertId()
	return err
}

// CreateUser is Tx.CreateUser in its own transaction.
func (s *Store) CreateUser(ctx context.Context, u *app.User, password string) error {
	return s.Write(ctx, func(tx *Tx) error { return tx.CreateUser(u, password) })
}

// Users lists every user by role and login.
func (s *Store) Users(ctx context.Context) ([]*app.User, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY role, login")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User returns one user by id.
func (s *Store) User(ctx context.Context, id int64) (*app.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Пользователь не найден.")
	}
	return u, err
}

// UserUpdate is what the administrator changes of a user.
type UserUpdate struct {
	Name           string
	Role           app.Role
	OrganizationID int64
	Disabled       bool
	Locale         string
	Password       string // "" keeps the password
}

// UpdateUser changes a user; disabling or a new password ends their sessions.
func (s *Store) UpdateUser(ctx context.Context, id int64, up UserUpdate) error {
	return s.Write(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.queryRow("SELECT "+userCols+" FROM users WHERE id = ?", id))
		if err == sql.ErrNoRows {
			return app.Errorf(app.ENOTFOUND, "Пользователь не найден.")
		} else if err != nil {
			return err
		}
		u.Name, u.Role, u.OrganizationID, u.Locale = up.Name, up.Role, up.OrganizationID, up.Locale
		pw := up.Password
		if pw == "" {
			pw = "unchanged" // passes the policy; not stored
		}
		if err := app.ValidateNewUser(u, pw); err != nil {
			return err
		}
		if _, err := tx.exec("UPDATE users SET name = ?, role = ?, organization_id = ?, disabled = ?, locale = ? WHERE id = ?",
			u.Name, u.Role, nullID(u.OrganizationID), up.Disabled, u.Locale, id); err != nil {
			return translate(err)
		}
		if up.Password != "" {
			hash, err := bcrypt.GenerateFromPassword([]byte(up.Password), BcryptCost)
			if err != nil {
				return err
			}
			if _, err := tx.exec("UPDATE users SET password_hash = ? WHERE id = ?", string(hash), id); err != nil {
				return err
			}
		}
		if up.Disabled || up.Password != "" {
			_, err = tx.exec("DELETE FROM sessions WHERE user_id = ?", id)
		}
		return err
	})
}

// dummyHash is compared against when the login is unknown, so that a wrong login
// and a wrong password take the same time. It is a constant (bcrypt of
// "ecoz-dummy-password" at the default cost): computing it at init cost every
// start and every CLI command 0.1-0.8 s.
var dummyHash = []byte("$2a$10$8YV0wASKCrCFFE1JrD5hN.fRTlNC8Z.E8WdVw9yPBdAphEh7ru/My")

// Authenticate returns the active user with login and password, or EUNAUTHORIZED.
func (s *Store) Authenticate(ctx context.Context, login, password string) (*app.User, error) {
	var hash string
	row := s.r.QueryRowContext(ctx, "SELECT "+userCols+", password_hash FROM users WHERE login = ?", login)
	u := &app.User{}
	err := row.Scan(&u.ID, &u.Login, &u.Name, &u.Role, &u.OrganizationID, &u.Phone, &u.Disabled, &u.Locale, &hash)
	bad := app.Errorf(app.EUNAUTHORIZED, "Неверный логин или пароль.")
	if err == sql.ErrNoRows {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return nil, bad
	}
	if u.Disabled {
		return nil, app.Errorf(app.EUNAUTHORIZED, "Учётная запись отключена; обратитесь к администратору.")
	}
	return u, nil
}

// Session is a sign-in: a web session with its CSRF token, or an API bearer token.
type Session struct {
	Token     string // only when just created: the store keeps its hash
	CSRF      string
	ExpiresAt time.Time
	User      *app.User
}

// newToken and hashToken are the domain's: a session token is kept only as its hash.
var (
	newToken  = app.NewToken
	hashToken = app.HashToken
)

// CreateSession signs u in for ttl; kind is "web" or "api".
func (s *Store) CreateSession(ctx context.Context, u *app.User, kind string, ttl time.Duration) (*Session, error) {
	sess := &Session{Token: newToken(), CSRF: newToken(), User: u}
	err := s.Write(ctx, func(tx *Tx) error {
		tx.touch(0) // no page anyone else sees shows sessions; the expired ones it deletes are refused when kept (sessionCache)
		sess.ExpiresAt = tx.now.Add(ttl)
		if _, err := tx.exec("DELETE FROM sessions WHERE expires_at < ?", unix(tx.now)); err != nil {
			return err
		}
		_, err := tx.exec("INSERT INTO sessions(token_hash, user_id, kind, csrf, created_at, expires_at) VALUES (?,?,?,?,?,?)",
			hashToken(sess.Token), u.ID, kind, sess.CSRF, unix(tx.now), unix(sess.ExpiresAt))
		return err
	})
	return sess, err
}

// SessionUser returns the session of token, or EUNAUTHORIZED when it is unknown,
// expired, of another kind, or its user is disabled.
func (s *Store) SessionUser(ctx context.Context, token, kind string) (*Session, error) {
	h, v := hashToken(token), s.Version(ScopeAccounts)
	cs, ok := s.sessions.get(h, v)
	if !ok {
		row := s.readRow(ctx, "SELECT s.csrf, s.kind, s.expires_at, "+userColsU+" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", h)
		u := &cs.user
		err := row.Scan(&cs.csrf, &cs.kind, &cs.expires, &u.ID, &u.Login, &u.Name, &u.Role, &u.OrganizationID, &u.Phone, &u.Disabled, &u.Locale)
		if err == sql.ErrNoRows || (err == nil && u.Disabled) {
			return nil, errSession()
		} else if err != nil {
			return nil, err
		}
		s.sessions.put(h, v, cs)
	}
	if cs.kind != kind || s.Now().Unix() >= cs.expires {
		return nil, errSession()
	}
	u := cs.user
	return &Session{CSRF: cs.csrf, ExpiresAt: time.Unix(cs.expires, 0).UTC(), User: &u}, nil
}

// errSession is SessionUser's answer to a token that opens no session.
func errSession() error {
	return app.Errorf(app.EUNAUTHORIZED, "Сеанс истёк или недействителен; войдите снова.")
}

// CheckCSRF compares a submitted token with the session's in constant time.
func (sess *Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) == 1
}

// DeleteSession signs a token out.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.Write(ctx, func(tx *Tx) error {
		tx.touch(ScopeAccounts)
		_, err := tx.exec("DELETE FROM sessions WHERE token_hash = ?", hashToken(token))
		return err
	})
}
