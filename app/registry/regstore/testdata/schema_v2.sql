-- ecoz registry: the republic's database of every municipality's tickets. Its own
-- file and schema, separate from a centre's: the registry is the same binary run
-- as `ecoz registry serve`, and never shares a database with a centre.

CREATE TABLE municipalities (
  code            TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  token_hash      TEXT NOT NULL UNIQUE,   -- sha256 of the push token; the token itself is shown once
  token_issued_at INTEGER NOT NULL,
  revoked         INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  last_push_at    INTEGER
) WITHOUT ROWID;

-- The latest version held of each (municipality, number); the columns beside the
-- record are what the pages filter and count by.
CREATE TABLE tickets (
  id              INTEGER PRIMARY KEY,
  municipality    TEXT NOT NULL REFERENCES municipalities(code),
  number          TEXT NOT NULL,
  version         INTEGER NOT NULL,
  status          TEXT NOT NULL,
  organization_id INTEGER NOT NULL DEFAULT 0,
  organization    TEXT NOT NULL DEFAULT '',
  building_id     INTEGER NOT NULL,
  address         TEXT NOT NULL,
  apartments      INTEGER NOT NULL DEFAULT 0, -- the building's flat count, for the rating's load
  category        TEXT NOT NULL,
  parent          TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  accept_due_at   INTEGER NOT NULL,
  due_at          INTEGER NOT NULL,
  accepted_at     INTEGER,
  done_at         INTEGER,
  closed_at       INTEGER,
  done_on_time    INTEGER,
  reopen_count    INTEGER NOT NULL DEFAULT 0,
  search          TEXT NOT NULL,          -- number, address, work type and description, lower case
  record          TEXT NOT NULL,          -- the TicketRecord as received
  received_at     INTEGER NOT NULL,
  UNIQUE (municipality, number)
);
-- One index beside the key: every index slows the ingest, and the overview and
-- the rating read whole municipalities anyway.
CREATE INDEX tickets_created ON tickets(municipality, created_at);

-- Every push and import received, for the municipality's page and for audit.
CREATE TABLE batches (
  id           INTEGER PRIMARY KEY,
  municipality TEXT NOT NULL REFERENCES municipalities(code),
  batch_id     TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('push','import')),
  received_at  INTEGER NOT NULL,
  records      INTEGER NOT NULL,
  accepted     INTEGER NOT NULL,
  ignored      INTEGER NOT NULL
);
CREATE INDEX batches_municipality ON batches(municipality, id);

-- The registry's own staff (republic officials) and their web sessions.
CREATE TABLE users (
  login         TEXT PRIMARY KEY COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  login      TEXT NOT NULL REFERENCES users(login) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
