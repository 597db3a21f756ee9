package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
)

// hashAPIKey is what is stored of a key: a leaked database does not hand out
// working keys. Keys are 32 random bytes, so a plain SHA-256 needs no salt.
func hashAPIKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on a supported system
	return base64.RawURLEncoding.EncodeToString(b)
}

// AddAPIKey issues a key for the application name with rate requests filed a
// minute (0: no limit) and returns the key; only its hash is stored, so this is
// the one time anyone sees it.
func (s *Store) AddAPIKey(ctx context.Context, name string, rate int) (string, error) {
	name, err := app.ValidateAPIKeyName(name)
	if err != nil {
		return "", err
	}
	if rate < 0 || rate > 100000 {
		return "", &app.Error{Code: app.EINVALID, Message: "Лимит — от 0 до 100000 заявок в минуту (0 — без лимита).", Fields: map[string]string{"rate_limit": "От 0 до 100000."}}
	}
	key := randomToken(32)
	err = s.Write(ctx, func(tx *Tx) error {
		// SQLite's NOCASE folds only ASCII: «мобильный» and «Мобильный» are
		// compared here.
		taken, err := tx.activeKeyName(name)
		if err != nil {
			return err
		}
		if taken != "" {
			return &app.Error{Code: app.ECONFLICT, Message: "У приложения «" + taken + "» уже есть действующий ключ; чтобы выдать новый, сначала отзовите его.", Fields: map[string]string{"name": "Уже есть."}}
		}
		_, err = tx.exec("INSERT INTO api_keys(name, key_hash, rate_limit, created_at) VALUES (?,?,?,?)", name, hashAPIKey(key), rate, unix(tx.now))
		return err
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// activeKeyName returns the name of the key in force called name in any case
// ("": none).
func (tx *Tx) activeKeyName(name string) (string, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT name FROM api_keys WHERE revoked_at IS NULL")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", err
		}
		if strings.EqualFold(n, name) {
			return n, nil
		}
	}
	return "", rows.Err()
}

// RevokeAPIKey revokes the key of the application name at once; the tickets it
// filed keep saying who filed them.
func (s *Store) RevokeAPIKey(ctx context.Context, name string) error {
	name = strings.Join(strings.Fields(name), " ")
	return s.Write(ctx, func(tx *Tx) error {
		if taken, err := tx.activeKeyName(name); err != nil {
			return err
		} else if taken != "" {
			name = taken
		}
		res, err := tx.exec("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", unix(tx.now), name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.ENOTFOUND, "Действующего ключа для приложения «%s» нет.", name)
		}
		return nil
	})
}

// APIKeys lists the keys ever issued, those in force first.
func (s *Store) APIKeys(ctx context.Context) ([]*app.APIKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT k.id, k.name, k.rate_limit, k.created_at, k.revoked_at,
		(SELECT count(*) FROM ticket_apps a WHERE a.api_key_id = k.id)
		FROM api_keys k ORDER BY k.revoked_at IS NOT NULL, k.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*app.APIKey{}
	for rows.Next() {
		k := &app.APIKey{}
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Name, &k.RateLimit, &created, &revoked, &k.Tickets); err != nil {
			return nil, err
		}
		k.CreatedAt, k.RevokedAt = time.Unix(created, 0).UTC(), fromUnix(revoked)
		out = append(out, k)
	}
	return out, rows.Err()
}

// APIKeyFor returns the key in force whose value is key; an unknown or revoked
// key is EFORBIDDEN.
func (s *Store) APIKeyFor(ctx context.Context, key string) (*app.APIKey, error) {
	k := &app.APIKey{}
	var created int64
	var revoked sql.NullInt64
	err := s.readRow(ctx, "SELECT id, name, rate_limit, created_at, revoked_at FROM api_keys WHERE key_hash = ?", hashAPIKey(strings.TrimSpace(key))).
		Scan(&k.ID, &k.Name, &k.RateLimit, &created, &revoked)
	if err == sql.ErrNoRows || (err == nil && revoked.Valid) || strings.TrimSpace(key) == "" {
		return nil, app.Errorf(app.EFORBIDDEN, "Неверный или отозванный api_key: подать заявку нельзя.")
	}
	if err != nil {
		return nil, err
	}
	k.CreatedAt = time.Unix(created, 0).UTC()
	return k, nil
}

// FileViaApp registers n as filed by the application of key k (Open311) and
// returns it with the token the specification's tokens/{token} resolves. It is
// routed at once, like a resident's request: the organisation learns of it
// without waiting for an operator. photos (the request's media_url, already
// written to the uploads folder) become its report photos.
func (s *Store) FileViaApp(ctx context.Context, k *app.APIKey, n app.NewTicket, email string, photos []*app.Attachment) (*app.Ticket, string, error) {
	email = strings.TrimSpace(email)
	if utf8.RuneCountInString(email) > 200 || (email != "" && !strings.Contains(email, "@")) {
		return nil, "", &app.Error{Code: app.EINVALID, Message: "Неверный адрес электронной почты.", Fields: map[string]string{"email": "Неверный адрес."}}
	}
	var out *app.Ticket
	token := randomToken(16)
	err := s.Write(app.WithUser(ctx, nil), func(tx *Tx) error {
		tx.apiKey = k
		var revoked sql.NullInt64
		if err := tx.queryRow("SELECT revoked_at FROM api_keys WHERE id = ?", k.ID).Scan(&revoked); err != nil || revoked.Valid {
			return app.Errorf(app.EFORBIDDEN, "Неверный или отозванный api_key: подать заявку нельзя.")
		}
		t, err := tx.CreateTicket(n)
		if err != nil {
			return err
		}
		if _, err := tx.exec("INSERT INTO ticket_apps(ticket_id, api_key_id, token, reporter_email) VALUES (?,?,?,?)", t.ID, k.ID, token, email); err != nil {
			return err
		}
		if err := tx.attach(t.ID, app.AttachReport, photos); err != nil {
			return err
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

// TicketApplication names the application that filed the ticket with id ("": none).
func (s *Store) TicketApplication(ctx context.Context, ticketID int64) (string, error) {
	var name string
	err := s.readRow(ctx, "SELECT k.name FROM ticket_apps a JOIN api_keys k ON k.id = a.api_key_id WHERE a.ticket_id = ?", ticketID).Scan(&name)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return name, err
}

// ServiceRequestByToken returns the number of the ticket filed with token.
func (s *Store) ServiceRequestByToken(ctx context.Context, token string) (string, error) {
	var number string
	err := s.readRow(ctx, "SELECT t.number FROM ticket_apps a JOIN tickets t ON t.id = a.ticket_id WHERE a.token = ?", strings.TrimSpace(token)).Scan(&number)
	if err == sql.ErrNoRows {
		return "", app.Errorf(app.ENOTFOUND, "Токен %s не найден.", token)
	}
	return number, err
}

// MaxPublicText bounds the text the centre publishes for a ticket.
const MaxPublicText = 1000

// PublishText sets (or, with "", withdraws) the public text of a ticket: the one
// description Open311 shows. Only the centre may publish: it reads what a resident
// wrote and retells it without names, flats or phone numbers.
func (s *Store) PublishText(ctx context.Context, number, text string) error {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > MaxPublicText {
		return &app.Error{Code: app.EINVALID, Message: "Текст для публикации — не длиннее 1000 символов.", Fields: map[string]string{"public_text": "Не длиннее 1000 символов."}}
	}
	u := app.UserFrom(ctx)
	if u == nil || !(u.Role == app.RoleOperator || u.Role == app.RoleSupervisor) {
		return app.Errorf(app.EFORBIDDEN, "Публиковать текст заявки могут оператор центра и Управление ЖКХ.")
	}
	t, err := s.Ticket(ctx, number)
	if err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		if text == "" {
			_, err := tx.exec("DELETE FROM ticket_public_texts WHERE ticket_id = ?", t.ID)
			return err
		}
		_, err := tx.exec(`INSERT INTO ticket_public_texts(ticket_id, text, published_by, published_at) VALUES (?,?,?,?)
			ON CONFLICT(ticket_id) DO UPDATE SET text = excluded.text, published_by = excluded.published_by, published_at = excluded.published_at`,
			t.ID, text, u.ID, unix(tx.now))
		return err
	})
}

// PublicText returns the text published for the ticket with id ("": none).
func (s *Store) PublicText(ctx context.Context, ticketID int64) (string, error) {
	var text string
	err := s.readRow(ctx, "SELECT text FROM ticket_public_texts WHERE ticket_id = ?", ticketID).Scan(&text)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return text, err
}

// ServiceRequestFilter selects tickets for Open311's GET requests.
type ServiceRequestFilter struct {
	Numbers     []string // service_request_id: when given, every other filter is ignored
	ServiceCode string
	From, To    time.Time // registration, both included
	Open        *bool     // nil: both
	Limit       int
	Offset      int
}

// serviceRequestSelect reads a ticket as Open311 shows it. status_notes is the
// latest note made public by the centre or the organisation; a resident's own
// words (a rejection, a comment) are not shown to the world.
const serviceRequestSelect = `SELECT t.number, t.status, t.work_type, w.name, COALESCE(o.name, ''),
 t.created_at, t.updated_at, t.due_at, b.id, b.address, b.lat, b.lon, COALESCE(pt.text, ''),
 COALESCE((SELECT e.note FROM ticket_events e JOIN users u ON u.id = e.actor_id
   WHERE e.ticket_id = t.id AND e.public = 1 AND e.note <> '' AND u.role <> 'resident' ORDER BY e.id DESC LIMIT 1), '')
FROM tickets t
JOIN work_types w ON w.code = t.work_type
JOIN buildings b ON b.id = t.building_id
LEFT JOIN organizations o ON o.id = t.organization_id
LEFT JOIN ticket_public_texts pt ON pt.ticket_id = t.id`

func scanServiceRequest(sc interface{ Scan(...any) error }) (app.ServiceRequest, error) {
	var r app.ServiceRequest
	var created, updated, due int64
	var lat, lon sql.NullFloat64
	err := sc.Scan(&r.Number, &r.Status, &r.ServiceCode, &r.ServiceName, &r.Agency, &created, &updated, &due,
		&r.BuildingID, &r.Address, &lat, &lon, &r.Description, &r.StatusNotes)
	r.CreatedAt, r.UpdatedAt, r.DueAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC(), time.Unix(due, 0).UTC()
	r.Geo = geoOf(lat, lon)
	return r, err
}

// ServiceRequests lists tickets for Open311, newest first. Anyone may call it, so
// it reads only what app.ServiceRequest holds.
func (s *Store) ServiceRequests(ctx context.Context, f ServiceRequestFilter) ([]app.ServiceRequest, error) {
	q, args := serviceRequestsQuery(f)
	rows, err := s.readQuery(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]app.ServiceRequest, 0, 64)
	for rows.Next() {
		r, err := scanServiceRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// serviceRequestsQuery is the query ServiceRequests runs for f.
func serviceRequestsQuery(f ServiceRequestFilter) (string, []any) {
	var conds []string
	var args []any
	order := "t.created_at DESC, t.id DESC"
	if len(f.Numbers) > 0 {
		ph := make([]string, len(f.Numbers))
		for i, n := range f.Numbers {
			ph[i] = "?"
			args = append(args, strings.ToUpper(strings.TrimSpace(n)))
		}
		conds = append(conds, "t.number IN ("+strings.Join(ph, ",")+")")
	} else {
		if f.ServiceCode != "" {
			conds, args = append(conds, "t.work_type = ?"), append(args, strings.ToUpper(f.ServiceCode))
		}
		if !f.From.IsZero() {
			conds, args = append(conds, "t.created_at >= ?"), append(args, unix(f.From))
		}
		if !f.To.IsZero() {
			conds, args = append(conds, "t.created_at <= ?"), append(args, unix(f.To))
		}
		// The unary + keeps SQLite off the status indexes: by status alone it
		// would read every closed ticket ever (3.5 s on a million) to sort out
		// the newest thousand, where the range of dates is the narrow part.
		if f.Open != nil {
			if *f.Open {
				conds = append(conds, "+t.status NOT IN ('closed','cancelled')")
			} else {
				conds = append(conds, "+t.status IN ('closed','cancelled')")
			}
		}
	}
	if len(conds) == 0 {
		conds = append(conds, "1")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	// The page's ids come from the indexes alone; only they are joined and read.
	return serviceRequestSelect + " WHERE t.id IN (SELECT t.id FROM tickets t WHERE " + strings.Join(conds, " AND ") +
		" ORDER BY " + order + " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(max(f.Offset, 0)) + ") ORDER BY " + order, args
}
