package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/ecoz/ecoz/app"
)

// ExportState is the registry push job's progress as the administrator sees it.
type ExportState struct {
	AckedSeq    int64 // the last change sequence the registry acknowledged
	LastSeq     int64 // the newest change sequence in the database
	Queued      int   // tickets changed since AckedSeq
	Pushed      int64 // records acknowledged in all
	LastSuccess time.Time
	LastAttempt time.Time
	LastError   string
	LastErrorAt time.Time
	Failures    int // failed attempts since the last success
	// OldestQueued is when the oldest change not yet acknowledged was made (zero
	// when none waits): how far behind the registry is.
	OldestQueued time.Time
}

// ExportState reads the push job's progress.
func (s *Store) ExportState(ctx context.Context) (ExportState, error) {
	var e ExportState
	var ok, attempt, errAt sql.NullInt64
	err := s.r.QueryRowContext(ctx, "SELECT acked_seq, pushed, last_success, last_attempt, last_error, last_error_at, failures FROM registry_export WHERE id = 1").
		Scan(&e.AckedSeq, &e.Pushed, &ok, &attempt, &e.LastError, &errAt, &e.Failures)
	if err != nil && err != sql.ErrNoRows {
		return e, err
	}
	e.LastSuccess, e.LastAttempt, e.LastErrorAt = fromUnix(ok), fromUnix(attempt), fromUnix(errAt)
	var oldest sql.NullInt64
	err = s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0), (SELECT count(*) FROM tickets WHERE seq > ?1),
		(SELECT updated_at FROM tickets WHERE seq > ?1 ORDER BY seq LIMIT 1) FROM tickets`, e.AckedSeq).Scan(&e.LastSeq, &e.Queued, &oldest)
	e.OldestQueued = fromUnix(oldest)
	return e, err
}

// Changes returns up to limit tickets changed after seq, in change order: each
// ticket once, as it stands now, which is its latest version.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]*app.Ticket, error) {
	rows, err := s.r.QueryContext(ctx, ticketSelect+" WHERE t.seq > ? ORDER BY t.seq LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*app.Ticket, 0, min(limit, 1000))
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ExportAcked records that the registry acknowledged every change up to seq (n
// records). The sequence never moves back: a late answer to an old batch cannot
// make the job resend less than it must, nor skip anything.
func (s *Store) ExportAcked(ctx context.Context, seq int64, n int) error {
	return s.Write(ctx, func(tx *Tx) error {
		tx.touch(0) // the export's own state: no page anyone else sees
		now := unix(tx.now)
		_, err := tx.exec(`INSERT INTO registry_export(id, acked_seq, pushed, last_success, last_attempt) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq), pushed = pushed + excluded.pushed,
			last_success = excluded.last_success, last_attempt = excluded.last_attempt, failures = 0`, seq, n, now, now)
		return err
	})
}

// ExportFailed records a failed push attempt.
func (s *Store) ExportFailed(ctx context.Context, msg string) error {
	return s.Write(ctx, func(tx *Tx) error {
		tx.touch(0) // the export's own state: no page anyone else sees
		now := unix(tx.now)
		_, err := tx.exec(`INSERT INTO registry_export(id, last_attempt, last_error, last_error_at, failures) VALUES (1, ?, ?, ?, 1)
			ON CONFLICT(id) DO UPDATE SET last_attempt = excluded.last_attempt, last_error = excluded.last_error,
			last_error_at = excluded.last_error_at, failures = failures + 1`, now, msg, now)
		return err
	})
}

// ResetExport makes the job push every ticket again from the start: for a new
// registry, or one restored from an old copy.
func (s *Store) ResetExport(ctx context.Context) error {
	return s.Write(ctx, func(tx *Tx) error {
		tx.touch(0)
		_, err := tx.exec("INSERT INTO registry_export(id, acked_seq) VALUES (1, 0) ON CONFLICT(id) DO UPDATE SET acked_seq = 0")
		return err
	})
}
