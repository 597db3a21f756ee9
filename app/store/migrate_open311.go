package store

// migrateOpen311 adds what Open311 GeoReport v2 and the map need (issue #18):
//   - buildings.lat, buildings.lon: WGS 84 degrees, NULL while unknown;
//   - api_keys: keys of third-party applications, only a hash of each kept;
//   - ticket_apps: which application filed a ticket through Open311, with the
//     token the specification's tokens/{token} resolves;
//   - ticket_public_texts: the text the centre published for a ticket, the only
//     description Open311 (and any public page) may show: what a resident wrote can
//     name a person.
const migrateOpen311 = `
ALTER TABLE buildings ADD COLUMN lat REAL;
ALTER TABLE buildings ADD COLUMN lon REAL;
CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL COLLATE NOCASE,
  key_hash    TEXT NOT NULL UNIQUE,
  rate_limit  INTEGER NOT NULL DEFAULT 60,  -- requests filed a minute; 0: no limit
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
-- One key in force per application; a revoked one stays, for the tickets it filed.
CREATE UNIQUE INDEX api_keys_name ON api_keys(name) WHERE revoked_at IS NULL;
CREATE TABLE ticket_apps (
  ticket_id      INTEGER PRIMARY KEY REFERENCES tickets(id),
  api_key_id     INTEGER NOT NULL REFERENCES api_keys(id),
  token          TEXT NOT NULL UNIQUE,
  reporter_email TEXT NOT NULL DEFAULT ''
);
-- Open311 lists requests of one service by date.
CREATE INDEX tickets_work_type ON tickets(work_type, created_at);
CREATE INDEX ticket_apps_key ON ticket_apps(api_key_id);
CREATE TABLE ticket_public_texts (
  ticket_id    INTEGER PRIMARY KEY REFERENCES tickets(id),
  text         TEXT NOT NULL,
  published_by INTEGER REFERENCES users(id),
  published_at INTEGER NOT NULL
);
`
