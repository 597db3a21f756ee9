package store

// migrateNotify adds notifications (issue #16): the outbox, written in the same
// transaction as the ticket change that causes a message; how each ticket's
// resident agreed to hear about it; residents' own preferences; and the duty
// contacts of each organisation. schema.sql holds the same statements.
const migrateNotify = `
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY,
  key        TEXT NOT NULL,
  ticket_id  INTEGER,
  kind       TEXT NOT NULL,
  channel    TEXT NOT NULL CHECK (channel IN ('sms','email','webhook')),
  recipient  TEXT NOT NULL,
  urgent     INTEGER NOT NULL DEFAULT 0,
  status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER,
  answer     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(next_at, id) WHERE status = 'pending';
CREATE UNIQUE INDEX outbox_key ON outbox(key) WHERE kind IN ('callback','emergency','localize','due','unrouted');
CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'failed';
CREATE TABLE notify_contacts (
  ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
  channel    TEXT NOT NULL CHECK (channel IN ('sms','email','none')),
  phone      TEXT NOT NULL DEFAULT '',
  email      TEXT NOT NULL DEFAULT '',
  consent_at INTEGER NOT NULL,
  consent_by TEXT NOT NULL,
  stopped_at INTEGER
);
CREATE TABLE notify_prefs (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id),
  channel    TEXT NOT NULL CHECK (channel IN ('sms','email','none')),
  email      TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
CREATE TABLE org_duty_contacts (
  organization_id INTEGER PRIMARY KEY REFERENCES organizations(id),
  phone           TEXT NOT NULL DEFAULT '',
  email           TEXT NOT NULL DEFAULT ''
);
`
