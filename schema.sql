-- ecoz: the whole current schema. Applied to an empty database; later changes are
-- numbered migrations in app/store/migrate.go, and PRAGMA user_version says which
-- one a database has.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE organizations (
  id     INTEGER PRIMARY KEY,
  name   TEXT NOT NULL UNIQUE,
  kind   TEXT NOT NULL DEFAULT 'management' CHECK (kind IN ('management','supplier','lift','waste_operator','gas_service')),
  inn    TEXT NOT NULL DEFAULT '',
  phone  TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE buildings (
  id              INTEGER PRIMARY KEY,
  address         TEXT NOT NULL,
  address_key     TEXT NOT NULL UNIQUE,  -- normalised address: «ул. Ленина, д. 5» = «ленина 5»
  organization_id INTEGER NOT NULL REFERENCES organizations(id),
  supplier_id     INTEGER REFERENCES organizations(id),
  lift_org_id     INTEGER REFERENCES organizations(id),  -- the lift contractor serving it
  apartments      INTEGER NOT NULL DEFAULT 0,
  area_m2         REAL NOT NULL DEFAULT 0,
  year_built      INTEGER NOT NULL DEFAULT 0,
  lat             REAL,                  -- WGS 84 degrees; NULL: not known
  lon             REAL
);
CREATE INDEX buildings_org ON buildings(organization_id);

CREATE TABLE work_types (
  -- The catalogue's (federal) facts, updated with the embedded catalogue at start:
  code             TEXT PRIMARY KEY,
  category         TEXT NOT NULL,
  name             TEXT NOT NULL,
  category_en      TEXT NOT NULL DEFAULT '',
  name_en          TEXT NOT NULL DEFAULT '',
  emergency        INTEGER NOT NULL DEFAULT 0,
  federal_hours    REAL NOT NULL DEFAULT 0,   -- 0: no federal figure
  cold_hours       REAL NOT NULL DEFAULT 0,   -- during the cold period instead; 0: none
  localize_minutes INTEGER NOT NULL DEFAULT 0, -- the emergency's localisation clock; 0: none
  clock_hours      TEXT NOT NULL DEFAULT '',  -- 'HH-HH': the hours the clock runs in; '': always
  responsible      TEXT NOT NULL DEFAULT 'management', -- an organisation kind
  handoff          TEXT NOT NULL DEFAULT '',  -- a number the call is handed to at once (104)
  note             TEXT NOT NULL DEFAULT '',
  source           TEXT NOT NULL DEFAULT '',
  keywords         TEXT NOT NULL DEFAULT '',  -- the catalogue's keywords_ru, «a; b»
  retired          INTEGER NOT NULL DEFAULT 0, -- the catalogue's active = 0
  -- The municipality's own, kept through upgrades:
  local_hours      REAL NOT NULL DEFAULT 0,   -- the local norm (where no federal one)
  accept_hours     REAL NOT NULL DEFAULT 0,   -- a local acceptance norm; 0: by the rules
  route_override   TEXT NOT NULL DEFAULT '',  -- an organisation kind instead of responsible
  local_keywords   TEXT NOT NULL DEFAULT '',
  active           INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

-- Every edit of a work type's deadlines, so that a changed norm can be traced.
CREATE TABLE work_type_history (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL REFERENCES work_types(code),
  changed_at INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  field      TEXT NOT NULL,
  old_value  TEXT NOT NULL,
  new_value  TEXT NOT NULL
);

CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  login           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name            TEXT NOT NULL DEFAULT '',
  role            TEXT NOT NULL CHECK (role IN ('admin','operator','supervisor','org','resident')),
  organization_id INTEGER REFERENCES organizations(id),
  phone           TEXT NOT NULL DEFAULT '',
  password_hash   TEXT NOT NULL,
  disabled        INTEGER NOT NULL DEFAULT 0,
  locale          TEXT NOT NULL DEFAULT 'ru',
  created_at      INTEGER NOT NULL
);

-- Sign-in sessions of the web UI and bearer tokens of the API; only hashes are kept.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('web','api')),
  csrf       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- Times are Unix seconds (UTC). The ticket id is its sequence number: tickets are
-- never deleted, so numbers have no gaps and are never reused.
CREATE TABLE tickets (
  id              INTEGER PRIMARY KEY,
  number          TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL CHECK (status IN ('new','routed','accepted','done','closed','reopened','cancelled')),
  source          TEXT NOT NULL CHECK (source IN ('phone','portal')),
  work_type       TEXT NOT NULL REFERENCES work_types(code),
  category        TEXT NOT NULL,           -- the work type's category at registration
  emergency       INTEGER NOT NULL DEFAULT 0,
  building_id     INTEGER NOT NULL REFERENCES buildings(id),
  apartment       TEXT NOT NULL DEFAULT '',
  description     TEXT NOT NULL,
  reporter_name   TEXT NOT NULL DEFAULT '',
  reporter_phone  TEXT NOT NULL DEFAULT '',
  resident_id     INTEGER REFERENCES users(id),
  organization_id INTEGER REFERENCES organizations(id),
  parent_id       INTEGER REFERENCES tickets(id),
  created_at      INTEGER NOT NULL,
  accept_due_at   INTEGER NOT NULL,
  due_at          INTEGER NOT NULL,
  localize_due_at INTEGER,
  localized_at    INTEGER,                 -- when the emergency was localised
  accepted_at     INTEGER,
  done_at         INTEGER,
  closed_at       INTEGER,
  done_on_time    INTEGER,                 -- set at closure
  reopen_count    INTEGER NOT NULL DEFAULT 0,
  call_attempts   INTEGER NOT NULL DEFAULT 0,
  version         INTEGER NOT NULL DEFAULT 1,
  seq             INTEGER NOT NULL UNIQUE, -- global change sequence, read by the registry export
  updated_at      INTEGER NOT NULL,
  -- The confirmation call while done (migration «workflow»): the last failed attempt,
  -- when to call again, who is calling now and until when, and when the attempts
  -- ran out («Не удалось связаться»; the ticket stays done).
  last_call_at           INTEGER,
  callback_retry_at      INTEGER,
  callback_claimed_by    INTEGER REFERENCES users(id),
  callback_claimed_until INTEGER,
  callback_failed_at     INTEGER,
  -- The working order (sort=clock): emergencies first, then the nearest unmet clock;
  -- app.Ticket.WorkingOrderKey, written with every change.
  queue_key              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_org ON tickets(organization_id, id);
-- A building's tickets newest first, and its possible duplicates: the tickets of
-- the last days, their category read from the index (migrateMergedIndexes).
CREATE INDEX tickets_building ON tickets(building_id, id, category, created_at);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_phone ON tickets(reporter_phone, id);
CREATE INDEX tickets_resident ON tickets(resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX tickets_parent ON tickets(parent_id) WHERE parent_id IS NOT NULL;
-- The queues in working order: one status (and one organisation), walked in order;
-- due_at lets the overdue filter be read from the index.
CREATE INDEX tickets_queue ON tickets(status, queue_key, id, due_at);
CREATE INDEX tickets_org_queue ON tickets(organization_id, status, queue_key, id, due_at);
-- The callback queue (done, not given up on, due now) and «Не удалось связаться»,
-- counted and walked in working order from the index alone.
CREATE INDEX tickets_callback ON tickets(status, callback_failed_at, queue_key, id, callback_retry_at);
-- The open tickets in working order, with their deadline: the overdue queue walks it
-- and stops at the page's end. Its WHERE must stay identical to openStatusSQL.
CREATE INDEX tickets_open_clock ON tickets(queue_key, id, due_at) WHERE status IN ('new','routed','accepted','reopened');

-- Idempotency-Key of ticket creation: a retry by the same user with the same key
-- within 24 hours gets the ticket created the first time; older keys are removed.
CREATE TABLE idempotency_keys (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  key        TEXT NOT NULL,
  body_hash  TEXT NOT NULL,             -- SHA-256 of the request, to refuse a reuse with another body
  ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- The audit trail: one row per change, appended in the same transaction.
CREATE TABLE ticket_events (
  id          INTEGER PRIMARY KEY,
  ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
  at          INTEGER NOT NULL,
  actor_id    INTEGER REFERENCES users(id),
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  from_status TEXT NOT NULL DEFAULT '',
  to_status   TEXT NOT NULL DEFAULT '',
  note        TEXT NOT NULL DEFAULT '',
  public      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

-- Photos attached to a ticket: by the resident filing it (kind 'report') or by the
-- organisation reporting the work done (kind 'done'). The files live in
-- DATA/uploads; only their names are kept here. Every photo was re-encoded, so it
-- carries no EXIF or GPS data.
CREATE TABLE attachments (
  id          INTEGER PRIMARY KEY,
  ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
  kind        TEXT NOT NULL CHECK (kind IN ('report','done')),
  file        TEXT NOT NULL,             -- relative to DATA/uploads
  thumb       TEXT NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  uploaded_by INTEGER REFERENCES users(id),
  created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id, id);

-- A resident's consent to the processing of personal data (152-ФЗ): when, from
-- where, and the text they agreed to, kept as proof.
CREATE TABLE consents (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  at         INTEGER NOT NULL,
  ip         TEXT NOT NULL DEFAULT '',
  text       TEXT NOT NULL
);
CREATE INDEX consents_user ON consents(user_id);

-- The public figures count tickets closed in a period.
CREATE INDEX tickets_closed ON tickets(closed_at) WHERE closed_at IS NOT NULL;
-- The workspace's queues on a large database: the tab counts of an organisation
-- (and its lists, newest first) and the overdue counts read these indexes alone.
CREATE INDEX tickets_org_status ON tickets(organization_id, status, id);
CREATE INDEX tickets_status_due ON tickets(status, due_at);
-- The registry export's progress (one row): the change sequence the republic
-- registry acknowledged last, so that a restart resumes there and never skips a
-- change, and what the administrator sees of the push job.
CREATE TABLE registry_export (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  acked_seq     INTEGER NOT NULL DEFAULT 0,
  pushed        INTEGER NOT NULL DEFAULT 0,  -- records acknowledged in all
  last_success  INTEGER,
  last_attempt  INTEGER,
  last_error    TEXT NOT NULL DEFAULT '',
  last_error_at INTEGER,
  failures      INTEGER NOT NULL DEFAULT 0   -- failed attempts since the last success
);
-- Rating of management organisations (issue #6). The rating of a past day is
-- recomputed from the audit trail as it stood at that day's end. Reading a
-- million-ticket trail event by event is too slow for that, so triggers keep two
-- summaries of it, whoever writes the tickets (the domain code, an import, a bulk
-- fixture), without touching the code that writes them:
--   ticket_orgs: which organisation held a ticket since when (tickets.organization_id
--     only says who holds it now);
--   ticket_facts: per ticket, when each kind of step first happened. First times
--     never change once written, so "did it happen before the cutoff" needs no
--     history; the rare ticket whose answer does (reopened before the cutoff, or
--     passed on after it) is looked up in the full trail.
CREATE TABLE ticket_orgs (
  ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
  at              INTEGER NOT NULL,
  organization_id INTEGER             -- NULL: returned to the centre
);
CREATE INDEX ticket_orgs_ticket ON ticket_orgs(ticket_id, at);
CREATE TABLE ticket_facts (
  ticket_id     INTEGER PRIMARY KEY REFERENCES tickets(id),
  created_at    INTEGER NOT NULL,     -- the deadlines, copied: they never change
  accept_due_at INTEGER NOT NULL,
  due_at        INTEGER NOT NULL,
  org_id        INTEGER,              -- the organisation holding it now, and since when
  org_at        INTEGER,
  first_route   INTEGER,              -- the first time each step happened; NULL: never
  first_accept  INTEGER,
  first_done    INTEGER,
  first_reject  INTEGER,
  first_confirm INTEGER,
  first_cancel  INTEGER,
  first_link    INTEGER,
  last_at       INTEGER NOT NULL      -- the latest change of any kind
);
CREATE INDEX ticket_facts_last ON ticket_facts(last_at);
CREATE TRIGGER tickets_org_insert AFTER INSERT ON tickets WHEN NEW.organization_id IS NOT NULL BEGIN
  INSERT INTO ticket_orgs(ticket_id, at, organization_id) VALUES (NEW.id, NEW.created_at, NEW.organization_id);
  INSERT INTO ticket_facts(ticket_id, created_at, accept_due_at, due_at, org_id, org_at, last_at)
    VALUES (NEW.id, NEW.created_at, NEW.accept_due_at, NEW.due_at, NEW.organization_id, NEW.created_at, NEW.created_at)
    ON CONFLICT(ticket_id) DO UPDATE SET org_id = excluded.org_id, org_at = excluded.org_at, last_at = max(last_at, excluded.last_at);
END;
CREATE TRIGGER tickets_org_update AFTER UPDATE OF organization_id ON tickets
WHEN OLD.organization_id IS NOT NEW.organization_id BEGIN
  INSERT INTO ticket_orgs(ticket_id, at, organization_id) VALUES (NEW.id, NEW.updated_at, NEW.organization_id);
  INSERT INTO ticket_facts(ticket_id, created_at, accept_due_at, due_at, org_id, org_at, last_at)
    VALUES (NEW.id, NEW.created_at, NEW.accept_due_at, NEW.due_at, NEW.organization_id, NEW.updated_at, NEW.updated_at)
    ON CONFLICT(ticket_id) DO UPDATE SET org_id = excluded.org_id, org_at = excluded.org_at, last_at = max(last_at, excluded.last_at);
END;
CREATE TRIGGER ticket_events_facts AFTER INSERT ON ticket_events BEGIN
  INSERT INTO ticket_facts(ticket_id, created_at, accept_due_at, due_at, first_route, first_accept, first_done,
      first_reject, first_confirm, first_cancel, first_link, last_at)
    SELECT NEW.ticket_id, t.created_at, t.accept_due_at, t.due_at,
      CASE WHEN NEW.action = 'route' THEN NEW.at END,
      CASE WHEN NEW.action = 'accept' THEN NEW.at END,
      CASE WHEN NEW.to_status = 'done' AND NEW.from_status <> 'done' THEN NEW.at END,
      CASE WHEN NEW.action = 'reject' THEN NEW.at END,
      CASE WHEN NEW.action = 'confirm' THEN NEW.at END,
      CASE WHEN NEW.action = 'cancel' THEN NEW.at END,
      CASE WHEN NEW.action = 'link' THEN NEW.at END,
      NEW.at
    FROM tickets t WHERE t.id = NEW.ticket_id
  ON CONFLICT(ticket_id) DO UPDATE SET
    first_route = COALESCE(min(first_route, excluded.first_route), first_route, excluded.first_route),
    first_accept = COALESCE(min(first_accept, excluded.first_accept), first_accept, excluded.first_accept),
    first_done = COALESCE(min(first_done, excluded.first_done), first_done, excluded.first_done),
    first_reject = COALESCE(min(first_reject, excluded.first_reject), first_reject, excluded.first_reject),
    first_confirm = COALESCE(min(first_confirm, excluded.first_confirm), first_confirm, excluded.first_confirm),
    first_cancel = COALESCE(min(first_cancel, excluded.first_cancel), first_cancel, excluded.first_cancel),
    first_link = COALESCE(min(first_link, excluded.first_link), first_link, excluded.first_link),
    last_at = max(last_at, excluded.last_at);
END;
-- The live alerts read the localisation clocks still running, every second.
-- The emergencies pinned above every queue (migrateEmergencyPins): running
-- localisation clocks of open tickets, and open emergencies by time of filing.
CREATE INDEX tickets_localize_open ON tickets(localize_due_at) WHERE localize_due_at IS NOT NULL AND localized_at IS NULL AND status IN ('new','routed','accepted','reopened');
CREATE INDEX tickets_emergency_open ON tickets(created_at) WHERE emergency AND status IN ('new','routed','accepted','reopened');
-- A status tab filtered by category in working order, the open tickets newest
-- first, each walked in its own order, and the open tickets by building for the
-- map (migrateQueueIndexes). The counts beside a queue's filters (organisation,
-- category, emergency, overdue) are read from tickets_category_queue alone
-- (migrateMergedIndexes).
CREATE INDEX tickets_category_queue ON tickets(status, category, queue_key, id, due_at, organization_id, emergency);
CREATE INDEX tickets_open_newest ON tickets(id, due_at) WHERE status IN ('new','routed','accepted','reopened');
CREATE INDEX tickets_open_building ON tickets(building_id, status) WHERE status IN ('new','routed','accepted','reopened');
-- The rating's window is found by deadline as well as by registration date.
CREATE INDEX tickets_due ON tickets(due_at);
CREATE INDEX tickets_accept_due ON tickets(accept_due_at);
-- The weekly report's lists of reopened and finished tickets, and the rating's
-- confirmations and rejections of a window.
CREATE INDEX ticket_events_action_at ON ticket_events(action, at, ticket_id);
-- The weekly report's totals and weak spots read tickets by registration date;
-- this covers them, so that a week or a month is one range of one index.
CREATE INDEX tickets_report ON tickets(created_at, organization_id, category, building_id, status, parent_id, due_at, done_at, reopen_count);

-- One computed day of the rating: the weights it used and when it was computed.
CREATE TABLE ratings (
  day         TEXT PRIMARY KEY,          -- YYYY-MM-DD in the municipality's time zone
  cutoff      INTEGER NOT NULL,          -- the day's end: only events before it count
  computed_at INTEGER NOT NULL,
  weights     TEXT NOT NULL,             -- JSON: the weights in percent
  median_load REAL NOT NULL DEFAULT 0,   -- v1: requests per 100 apartments, the municipality's median
  method      INTEGER NOT NULL DEFAULT 1 -- the method it was computed with (app.RatingMethodV1, V2)
) WITHOUT ROWID;
-- One organisation's line of a computed day, with every component, so that anyone
-- can see why a score moved.
CREATE TABLE rating_rows (
  day             TEXT NOT NULL REFERENCES ratings(day) ON DELETE CASCADE,
  organization_id INTEGER NOT NULL REFERENCES organizations(id),
  rank            INTEGER,               -- NULL: not ranked («недостаточно данных»)
  score           REAL,                  -- 0–100; NULL when not ranked
  tickets         INTEGER NOT NULL,      -- requests in the window
  metrics         TEXT NOT NULL,         -- JSON: numerators, denominators and values
  PRIMARY KEY (day, organization_id)
) WITHOUT ROWID;
CREATE INDEX rating_rows_org ON rating_rows(organization_id, day);

-- Rating v2 and the weekly meeting (issue #13). Each change of the rating's
-- weights: who and when.
CREATE TABLE rating_weight_changes (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  weights TEXT NOT NULL
);
-- The weekly meeting: who attended (for the minutes).
CREATE TABLE meetings (
  week      TEXT PRIMARY KEY,
  held_on   TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, local
  attendees TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) WITHOUT ROWID;
-- The meeting's decisions (поручения): text, the responsible organisation, due
-- date, the building and tickets concerned; the organisation reports each done.
CREATE TABLE decisions (
  id              INTEGER PRIMARY KEY,
  meeting_week    TEXT NOT NULL,             -- ISO week of the meeting, YYYY-Www
  text            TEXT NOT NULL,
  organization_id INTEGER NOT NULL REFERENCES organizations(id),
  building_id     INTEGER REFERENCES buildings(id),
  tickets         TEXT NOT NULL DEFAULT '[]', -- JSON: ticket numbers
  due_on          TEXT NOT NULL,             -- YYYY-MM-DD, local
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  done_at         INTEGER,
  done_by         TEXT NOT NULL DEFAULT '',
  done_note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX decisions_org ON decisions(organization_id, id);
CREATE INDEX decisions_week ON decisions(meeting_week, id);
-- Notifications (issue #16). The outbox: one row per message, written in the same
-- transaction as the ticket change that causes it, delivered by the sender job,
-- which marks it sent only after the channel accepted it. key is the idempotency
-- key the channel sees; it is unique by construction (ticket, version, channel),
-- and the index enforces it only for the messages whose cause may be seen again
-- (a clock checked every minute, one more failed call). Texts are rendered at
-- sending from the templates. ticket_id has no foreign key: a row is only ever
-- written beside the ticket row it names, in the same transaction, and the probe
-- would cost every ticket change that queues a message.
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
-- Only the pending and the failed are looked up by status: a resident's message
-- updates outbox_due alone, so that the ticket's transaction stays short.
CREATE INDEX outbox_due ON outbox(next_at, id) WHERE status = 'pending';
CREATE UNIQUE INDEX outbox_key ON outbox(key) WHERE kind IN ('callback','emergency','localize','due','unrouted');
CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'failed';
-- How the resident of a ticket agreed to hear about it (152-ФЗ: when and who
-- recorded the consent); stopped_at: the resident said «stop».
CREATE TABLE notify_contacts (
  ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
  channel    TEXT NOT NULL CHECK (channel IN ('sms','email','none')),
  phone      TEXT NOT NULL DEFAULT '',
  email      TEXT NOT NULL DEFAULT '',
  consent_at INTEGER NOT NULL,
  consent_by TEXT NOT NULL,
  stopped_at INTEGER
);
-- A registered resident's choice for their own tickets.
CREATE TABLE notify_prefs (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id),
  channel    TEXT NOT NULL CHECK (channel IN ('sms','email','none')),
  email      TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
-- Who is on duty at each organisation: emergencies and running-out clocks go there.
CREATE TABLE org_duty_contacts (
  organization_id INTEGER PRIMARY KEY REFERENCES organizations(id),
  phone           TEXT NOT NULL DEFAULT '',
  email           TEXT NOT NULL DEFAULT ''
);
-- Open311 (issue #18): keys of third-party applications (only a hash of each), which
-- application filed a ticket, and the text the centre published for a ticket: the
-- only description Open311 or a public page shows.
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
