package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// IdempotencyWindow is how long a creation's Idempotency-Key is remembered.
const IdempotencyWindow = 24 * time.Hour

// CheckIdempotencyKey validates a client's key: 1 to 200 visible ASCII characters.
func CheckIdempotencyKey(key string) error {
	bad := len(key) == 0 || len(key) > 200
	for _, r := range key {
		if r < '!' || r > '~' {
			bad = true
		}
	}
	if bad {
		msg := "Idempotency-Key — от 1 до 200 видимых латинских символов (например, UUID)."
		return &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"Idempotency-Key": msg}}
	}
	return nil
}

// CreateTicketOnce is CreateTicket made safe to retry: with a key ("" for none) the
// same user's repeat within 24 hours gets the ticket created the first time
// (replay true), and a reuse of the key with a different request is a conflict.
// Writes are serialised, so of concurrent retries exactly one creates.
func (tx *Tx) CreateTicketOnce(n app.NewTicket, key string) (t *app.Ticket, replay bool, err error) {
	if key == "" {
		t, err = tx.CreateTicket(n)
		return t, false, err
	}
	if err := CheckIdempotencyKey(key); err != nil {
		return nil, false, err
	}
	if tx.user == nil {
		return nil, false, app.Errorf(app.EUNAUTHORIZED, "Войдите, чтобы подать заявку.")
	}
	b, err := json.Marshal(n)
	if err != nil {
		return nil, false, err
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	since := unix(tx.now.Add(-IdempotencyWindow))
	if _, err := tx.exec("DELETE FROM idempotency_keys WHERE created_at < ?", since); err != nil {
		return nil, false, err
	}
	var was string
	var id int64
	err = tx.queryRow("SELECT body_hash, ticket_id FROM idempotency_keys WHERE user_id = ? AND key = ?", tx.user.ID, key).Scan(&was, &id)
	switch {
	case err == nil && was != hash:
		return nil, false, app.Errorf(app.ECONFLICT, "Этот Idempotency-Key уже использован для другой заявки; для новой заявки нужен новый ключ.")
	case err == nil:
		t, err = tx.ticketBy("t.id = ?", id)
		return t, true, err
	case err != sql.ErrNoRows:
		return nil, false, err
	}
	if t, err = tx.CreateTicket(n); err != nil {
		return nil, false, err
	}
	_, err = tx.exec("INSERT INTO idempotency_keys(user_id, key, body_hash, ticket_id, created_at) VALUES (?,?,?,?,?)", tx.user.ID, key, hash, t.ID, unix(tx.now))
	return t, false, err
}

// CreateTicketKeyed is Tx.CreateTicketOnce in its own transaction, as the user in
// ctx, with the possible duplicates of a newly created ticket in brief (none for
// a retry).
func (s *Store) CreateTicketKeyed(ctx context.Context, n app.NewTicket, key string) (*app.Ticket, []app.TicketBrief, bool, error) {
	var out *app.Ticket
	var dups []app.TicketBrief
	var replay bool
	err := s.Write(ctx, func(tx *Tx) error {
		// The ticket as built is complete: reading it back would cost the single
		// writer a query per ticket.
		var err error
		out, replay, err = tx.CreateTicketOnce(n, strings.TrimSpace(key))
		if err != nil || replay {
			return err
		}
		dups, err = tx.duplicateBriefs(out)
		return err
	})
	if err != nil || replay {
		return out, nil, replay, err
	}
	return out, dups, false, nil
}
