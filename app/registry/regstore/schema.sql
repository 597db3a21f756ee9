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
  last_push_at    INTEGER,
  -- What the overview shows, kept by every ingest in the same transaction.
  n_tickets       INTEGER NOT NULL DEFAULT 0,
  n_open          INTEGER NOT NULL DEFAULT 0,
  n_closed        INTEGER NOT NULL DEFAULT 0,
  n_on_time       INTEGER NOT NULL DEFAULT 0
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
  horizon         INTEGER NOT NULL DEFAULT 0, -- the latest of filing, deadlines and closure: the rating's window reads from here
  UNIQUE (municipality, number)
);
-- Few indexes beside the key, each for a page: every index slows the ingest.
CREATE INDEX tickets_created ON tickets(municipality, created_at);
-- Open work: the overview's overdue count and the rating's open tickets.
CREATE INDEX tickets_open ON tickets(municipality, due_at) WHERE {{open}};
-- The rating's window.
CREATE INDEX tickets_horizon ON tickets(horizon);

-- The buildings seen in each organisation's records, with their flat count: the
-- rating's load, without reading every ticket ever held.
CREATE TABLE org_buildings (
  municipality    TEXT NOT NULL REFERENCES municipalities(code),
  organization_id INTEGER NOT NULL,
  building_id     INTEGER NOT NULL,
  apartments      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (municipality, organization_id, building_id)
) WITHOUT ROWID;

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
