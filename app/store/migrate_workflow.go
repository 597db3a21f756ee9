package store

import (
	"context"
	"strings"
	"time"
)

// queueKeySQL computes tickets.queue_key in SQL exactly as app.Ticket.WorkingOrderKey does
// in Go (a test holds them together), for the upgrade of existing tickets and for
// tickets written in bulk. ?1 is the centre's routing norm in seconds. It reads
// localized_at, which the emergencies' step (migrateEmerg) adds: this step runs
// after it.
const queueKeySQL = `CASE status
  WHEN 'new' THEN min(updated_at + ?1, COALESCE(CASE WHEN localized_at IS NULL THEN localize_due_at END, accept_due_at), accept_due_at, due_at)
  WHEN 'routed' THEN min(COALESCE(CASE WHEN localized_at IS NULL THEN localize_due_at END, accept_due_at), accept_due_at, due_at)
  WHEN 'reopened' THEN min(COALESCE(CASE WHEN localized_at IS NULL THEN localize_due_at END, accept_due_at), accept_due_at, due_at)
  WHEN 'accepted' THEN min(COALESCE(CASE WHEN localized_at IS NULL THEN localize_due_at END, due_at), due_at)
  WHEN 'done' THEN COALESCE(callback_retry_at, done_at, updated_at)
  ELSE created_at END + CASE WHEN emergency THEN 0 ELSE 1099511627776 END`

// migrateWorkflow adds what the centre's own work needs (issue #12): the state of
// the confirmation call on each ticket, the working order of the queues
// (queue_key, with the indexes a queue page walks in order), the index the
// duplicate lookup reads one week of one building's category from, and the
// Idempotency-Key of ticket creation. schema.sql says the same for a new database.
var migrateWorkflow = `
ALTER TABLE tickets ADD COLUMN last_call_at INTEGER;
ALTER TABLE tickets ADD COLUMN callback_retry_at INTEGER;
ALTER TABLE tickets ADD COLUMN callback_claimed_by INTEGER REFERENCES users(id);
ALTER TABLE tickets ADD COLUMN callback_claimed_until INTEGER;
ALTER TABLE tickets ADD COLUMN callback_failed_at INTEGER;
ALTER TABLE tickets ADD COLUMN queue_key INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET queue_key = ` + strings.ReplaceAll(queueKeySQL, "?1", "1800") + `;
CREATE INDEX tickets_queue ON tickets(status, queue_key, id, due_at);
CREATE INDEX tickets_org_queue ON tickets(organization_id, status, queue_key, id, due_at);
CREATE INDEX tickets_dup ON tickets(building_id, category, created_at);
CREATE INDEX tickets_callback ON tickets(status, callback_failed_at, queue_key, id, callback_retry_at);
CREATE INDEX tickets_open_clock ON tickets(queue_key, id, due_at) WHERE status IN ('new','routed','accepted','reopened');
CREATE INDEX tickets_facets ON tickets(status, organization_id, category, emergency, due_at);
CREATE TABLE idempotency_keys (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  key        TEXT NOT NULL,
  body_hash  TEXT NOT NULL,
  ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
`

// FillQueueKeys computes the working order of every ticket written around the
// domain (bulk loads, test fixtures), under the centre's routing norm.
func (s *Store) FillQueueKeys(ctx context.Context) error {
	norm := int64(s.RouteNorm(ctx) / time.Second)
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("UPDATE tickets SET queue_key = "+queueKeySQL, norm)
		return err
	})
}
