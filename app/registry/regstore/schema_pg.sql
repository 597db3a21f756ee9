-- ecoz registry on PostgreSQL (`ecoz registry serve --db postgres://…`): the same
-- tables, columns and meanings as schema.sql (SQLite), laid out for a country's
-- tickets. docs/scale.md explains the choices; in short:
--  * tickets are partitioned by the month the ticket was filed (created_at, unix
--    seconds); a month's partition is created by the registry before the first
--    record of that month is written (regstore's partitions.ensure);
--  * every key and unique index of a table that grows with the tickets (tickets,
--    ticket_keys, batches, org_buildings) begins with the municipality, and those tables refer
--    only to municipalities: the schema can be spread over a Citus cluster with
--    the municipality as the distribution column and municipalities, users and
--    sessions as reference tables (TestPGDistributable checks it);
--  * a ticket's key is (municipality, number), unique in ticket_keys; in tickets
--    the partition key joins it in the primary key, as PostgreSQL requires, and
--    the registry moves a ticket whose filing time changed (its old row is
--    deleted in the same transaction).

CREATE TABLE municipalities (
  code            text COLLATE "C" PRIMARY KEY,
  name            text COLLATE "C" NOT NULL,
  token_hash      text NOT NULL UNIQUE,
  token_issued_at bigint NOT NULL,
  revoked         integer NOT NULL DEFAULT 0,
  created_at      bigint NOT NULL,
  last_push_at    bigint,
  -- What the overview shows, kept by every ingest in the same transaction, so
  -- that the republic's list never counts millions of rows.
  n_tickets       bigint NOT NULL DEFAULT 0,
  n_open          bigint NOT NULL DEFAULT 0,
  n_closed        bigint NOT NULL DEFAULT 0,
  n_on_time       bigint NOT NULL DEFAULT 0
);

CREATE TABLE tickets (
  municipality    text COLLATE "C" NOT NULL REFERENCES municipalities(code),
  number          text COLLATE "C" NOT NULL,
  version         bigint NOT NULL,
  status          text NOT NULL,
  organization_id bigint NOT NULL DEFAULT 0,
  organization    text COLLATE "C" NOT NULL DEFAULT '',
  building_id     bigint NOT NULL,
  address         text NOT NULL,
  apartments      integer NOT NULL DEFAULT 0,
  category        text NOT NULL,
  parent          text NOT NULL DEFAULT '',
  created_at      bigint NOT NULL,
  accept_due_at   bigint NOT NULL,
  due_at          bigint NOT NULL,
  accepted_at     bigint,
  done_at         bigint,
  closed_at       bigint,
  done_on_time    integer,
  reopen_count    integer NOT NULL DEFAULT 0,
  horizon         bigint NOT NULL,        -- the latest of filing, deadlines and closure: the rating's window reads from here
  search          text NOT NULL,
  record          text NOT NULL,
  received_at     bigint NOT NULL,
  PRIMARY KEY (municipality, number, created_at)
) PARTITION BY RANGE (created_at);
-- A municipality's list, newest first (and the lookup by number, through the key).
CREATE INDEX tickets_created ON tickets(municipality, created_at);
-- Open work: the overview's overdue count and the rating's open tickets.
CREATE INDEX tickets_open ON tickets(municipality, due_at) WHERE {{open}};
-- The rating's window, covering every column the rating counts: the rating reads
-- a month of tickets from this index alone (an index-only scan, about a tenth of
-- the table's bytes), not from the rows with their records.
CREATE INDEX tickets_rating ON tickets(horizon) INCLUDE (municipality, organization_id, organization, status, parent,
  created_at, due_at, accept_due_at, accepted_at, done_at, closed_at, reopen_count);

-- Each ticket's key and what a batch's plan needs of it, in one table that is
-- not partitioned: the key (municipality, number) is unique here, whatever month
-- the ticket was filed in, and a batch reads the versions it holds with one
-- probe per record (the partitioned table would probe every month's index).
CREATE TABLE ticket_keys (
  municipality text COLLATE "C" NOT NULL REFERENCES municipalities(code),
  number       text COLLATE "C" NOT NULL,
  version      bigint NOT NULL,
  status       text NOT NULL,
  done_on_time integer,
  created_at   bigint NOT NULL,
  PRIMARY KEY (municipality, number)
);

-- The buildings seen in each organisation's records, with their flat count: the
-- rating's load, without reading every ticket ever held.
CREATE TABLE org_buildings (
  municipality    text COLLATE "C" NOT NULL REFERENCES municipalities(code),
  organization_id bigint NOT NULL,
  building_id     bigint NOT NULL,
  apartments      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (municipality, organization_id, building_id)
);

CREATE TABLE batches (
  municipality text COLLATE "C" NOT NULL REFERENCES municipalities(code),
  id           bigint GENERATED ALWAYS AS IDENTITY,
  batch_id     text NOT NULL,
  source       text NOT NULL CHECK (source IN ('push','import')),
  received_at  bigint NOT NULL,
  records      integer NOT NULL,
  accepted     integer NOT NULL,
  ignored      integer NOT NULL,
  PRIMARY KEY (municipality, id)
);

CREATE TABLE users (
  login         text NOT NULL,
  password_hash text NOT NULL,
  created_at    bigint NOT NULL
);
CREATE UNIQUE INDEX users_login ON users(lower(login));

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  login      text NOT NULL,
  csrf       text NOT NULL,
  expires_at bigint NOT NULL
);
