-- A database as the first release of ecoz (schema version 1, commit d845fc4) left it:
-- its schema.sql, its work-type catalogue as its LoadWorkTypes wrote it, and a
-- municipality's own edits. release1.db is this file run through sqlite3:
--   sqlite3 release1.db < release1.sql
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
  kind   TEXT NOT NULL DEFAULT 'management' CHECK (kind IN ('management','supplier','contractor')),
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
  apartments      INTEGER NOT NULL DEFAULT 0,
  area_m2         REAL NOT NULL DEFAULT 0,
  year_built      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX buildings_org ON buildings(organization_id);

CREATE TABLE work_types (
  code          TEXT PRIMARY KEY,
  category      TEXT NOT NULL,
  name          TEXT NOT NULL,
  category_en   TEXT NOT NULL DEFAULT '',
  name_en       TEXT NOT NULL DEFAULT '',
  emergency     INTEGER NOT NULL DEFAULT 0,
  federal_hours REAL NOT NULL DEFAULT 0,   -- 0: no federal figure
  local_hours   REAL NOT NULL DEFAULT 0,   -- the municipality's own norm
  accept_hours  REAL NOT NULL DEFAULT 0,   -- 0: the municipal default (emergencies: 30 min)
  note          TEXT NOT NULL DEFAULT '',
  source        TEXT NOT NULL DEFAULT '',
  supplier      INTEGER NOT NULL DEFAULT 0, -- routed to the building's resource supplier
  keywords      TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL DEFAULT 1
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
  accepted_at     INTEGER,
  done_at         INTEGER,
  closed_at       INTEGER,
  done_on_time    INTEGER,                 -- set at closure
  reopen_count    INTEGER NOT NULL DEFAULT 0,
  call_attempts   INTEGER NOT NULL DEFAULT 0,
  version         INTEGER NOT NULL DEFAULT 1,
  seq             INTEGER NOT NULL UNIQUE, -- global change sequence, read by the registry export
  updated_at      INTEGER NOT NULL
);
CREATE INDEX tickets_org ON tickets(organization_id, id);
CREATE INDEX tickets_building ON tickets(building_id, id);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_phone ON tickets(reporter_phone, id);
CREATE INDEX tickets_resident ON tickets(resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX tickets_parent ON tickets(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX tickets_created ON tickets(created_at);
-- Open work: the queues and the overdue lists read only these.
CREATE INDEX tickets_open_org ON tickets(organization_id, id) WHERE status IN ('new','routed','accepted','reopened');
CREATE INDEX tickets_open_due ON tickets(due_at) WHERE status IN ('new','routed','accepted','reopened');

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
CREATE INDEX ticket_events_at ON ticket_events(at);

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
  median_load REAL NOT NULL DEFAULT 0    -- requests per 100 apartments, the municipality's median
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

PRAGMA user_version = 1;
INSERT INTO settings VALUES ('municipality_code','OLD'),('municipality_name','Старогорск'),('accept_hours','24');
INSERT INTO organizations(id,name,kind,inn) VALUES (1,'УК «Старый дом»','management','1106012343'),(2,'Водоканал','supplier',''),(3,'Лифтремонт','contractor','');
INSERT INTO buildings(id,address,address_key,organization_id,supplier_id,apartments) VALUES (1,'ул. Ленина, д. 5','ленина 5',1,2,40);
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ROOF-01','Кровля','Протечка кровли (в отдельных местах)','Roof','Roof leak (local)',0,24,0,'1 сутки с момента обнаружения или заявки жильцов','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Кровля» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'течёт крыша протекает потолок капает с потолка заливает сверху');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ROOF-02','Кровля','Повреждение водосточных труб, воронок, колен, отметов; расстройство их креплений','Roof','Damaged gutters/downpipes or their fixings',0,120,0,'5 суток','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Кровля» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'водосток водосточная труба воронка');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ROOF-03','Кровля','Наледь и сосульки на кровле, козырьках, балконах','Roof','Ice and icicles on roof/canopies',0,0,24,'срок в найденных источниках не установлен; работа выполняется «по мере необходимости» (опасную зону оградить)','Пост. Госстроя №170, п. 4.6.1.23 (формулировка «по мере необходимости» — НЕ подтв. в корпусе)',0,'сосульки наледь');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ROOF-04','Кровля','Очистка кровли от снега','Roof','Snow removal from roof',0,0,72,'срок в найденных источниках не установлен','нет источника со сроком',0,'снег на крыше');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WALL-01','Стены и фасад','Утрата связи отдельных кирпичей с кладкой наружных стен (угроза выпадения)','Walls & facade','Loose bricks in external wall (risk of falling)',1,24,0,'1 сутки, с немедленным ограждением опасной зоны','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Стены» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'кирпич выпадает стена разрушается');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WALL-02','Стены и фасад','Неплотность в дымоходах и газоходах и сопряжениях их с печами','Walls & facade','Leaky chimneys/flues and their joints with stoves',0,24,0,'1 сутки','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Стены» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WALL-03','Внутренняя и наружная отделка','Отслоение штукатурки потолка или верхней части стены, угрожающее обрушением','Interior & exterior finish','Ceiling/upper-wall plaster detaching, risk of collapse',1,120,0,'5 суток, с немедленным принятием мер безопасности','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Внутренняя и наружная отделка» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'штукатурка отваливается сыплется потолок');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WALL-04','Внутренняя и наружная отделка','Нарушение связи наружной облицовки и лепных изделий фасада со стенами','Interior & exterior finish','Facade cladding/moulding detaching from wall',1,0,24,'числового срока нет: «немедленное принятие мер безопасности»','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Внутренняя и наружная отделка» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WALL-05','Стены и фасад','Протечка межпанельных швов','Walls & facade','Leaking panel joints',0,0,168,'срок в найденных источниках не установлен (в прил. 2 №170 позиции нет; 7 суток — норма Беларуси ТКП 45-1.04-14-2005, к РФ не применима)','нет источника РФ со сроком',0,'швы текут межпанельные стена мокрая дует');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WIN-01','Окна и двери','Разбитые стёкла, сорванные створки окон/форточек/балконных дверей в МОП — зимний период','Windows & doors','Broken glass / torn-off sashes in common areas — winter',0,24,0,'1 сутки (зимнее время)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Оконные и дверные заполнения» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'стекло разбито окно в подъезде');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WIN-02','Окна и двери','Разбитые стёкла, сорванные створки окон/форточек/балконных дверей в МОП — летний период','Windows & doors','Broken glass / torn-off sashes in common areas — summer',0,72,0,'3 суток (летнее время)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Оконные и дверные заполнения» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('DOOR-01','Окна и двери','Неисправность входной двери в подъезд','Windows & doors','Faulty entrance door of stairwell',0,24,0,'1 сутки («Дверные заполнения (входные двери в подъездах)»)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Оконные и дверные заполнения» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'дверь подъезда не закрывается сломана');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('DOOR-02','Окна и двери','Неисправность доводчика, пружины, запирающего устройства входной двери подъезда','Windows & doors','Faulty door closer/spring/lock of entrance door',0,24,0,'1 сутки — применён срок позиции «входные двери в подъездах»; отнесение доводчиков/замков к этой позиции — наша интерпретация','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Оконные и дверные заполнения» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'доводчик дверь хлопает');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('DOOR-03','Окна и двери','Не закрыты/без замков двери подвала, чердака, мусорокамеры','Windows & doors','Basement/attic/refuse-room doors unlocked or missing locks',0,0,24,'срок в найденных источниках не установлен','нет источника со сроком',0,'подвал открыт замок');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('FLOOR-01','Полы и перекрытия','Протечка в перекрытии из-за нарушения гидроизоляции пола в санузле','Floors & slabs','Leak through slab due to failed bathroom floor waterproofing',0,72,0,'3 суток','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Полы» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('STOVE-01','Печи','Трещины и неисправности печей, дымоходов, газоходов с угрозой отравления или пожара','Stoves','Cracked/faulty stoves or flues with poisoning/fire risk',1,24,0,'1 сутки, с незамедлительным прекращением эксплуатации до исправления','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Печи» [подтв.: vv-34.ru/kak-bystro-dolzhny-ustranjatsja-avarii-i-neispravnosti-v-zhilyh-domah.html; moskv.ru/articles/fulltext/show/id/8444]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CW-01','Холодное водоснабжение','Прорыв/течь стояка или трубопровода ХВС (аварийное повреждение внутридомовой системы)','Cold water','Burst/leaking cold-water riser or pipe (emergency)',1,72,0,'локализация ≤30 мин с момента регистрации заявки; устранение ≤3 суток с даты повреждения; прил. 2 №170: «немедленно»','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]; Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [подтв.: 113rus.ru/news/17742]',0,'прорвало трубу течёт стояк холодная вода потоп заливает');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CW-02','Холодное водоснабжение','Отсутствие холодной воды','Cold water','No cold water',1,4,0,'перерыв не более 4 ч единовременно и 8 ч суммарно в месяц; при аварии на централизованных сетях — по техрегламенту/СП','ПП РФ от 06.05.2011 №354 (Правила предоставления КУ), прил. 1, разд. «Холодное водоснабжение» [подтв.: cge21.ru/Voprosy_i_otvety/1817; doverie-k.ru/parametry-kachestva-predostavlyaemy; consultant.ru/law/podborki/tupikovaya_magistral]',0,'нет холодной воды отключили воду');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CW-03','Холодное водоснабжение','Слабый напор холодной воды','Cold water','Low cold-water pressure',0,0,72,'срок в найденных источниках не установлен; норма давления в точке разбора 0,03–0,6 МПа, отклонение не допускается','ПП №354, прил. 1, разд. «Холодное водоснабжение» [подтв.: doverie-k.ru]',0,'слабый напор вода еле идет');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CW-04','Холодное водоснабжение','Плохое качество холодной воды (цвет, запах, примеси)','Cold water','Poor cold-water quality',0,0,72,'срок в найденных источниках не установлен; отклонение состава от санитарных норм не допускается (зона РСО)','ПП №354, прил. 1, разд. «Холодное водоснабжение» [подтв.: doverie-k.ru]',0,'ржавая вода мутная грязная вода');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CW-05','Санитарно-техническое оборудование','Течь водопроводного крана','Plumbing fixtures','Leaking water tap',0,24,0,'1 сутки','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [подтв.: 113rus.ru/news/17742]',0,'течёт кран капает');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CW-06','Санитарно-техническое оборудование','Течь крана сливного бачка унитаза','Plumbing fixtures','Leaking toilet cistern valve',0,24,0,'1 сутки (внутриквартирное оборудование после первого отключающего крана обычно в зоне собственника)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [подтв.: 113rus.ru/news/17742]',0,'течёт унитаз бачок');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HW-01','Горячее водоснабжение','Прорыв/течь стояка ГВС или полотенцесушителя на стояке','Hot water','Burst/leaking hot-water riser or riser towel-rail',1,72,0,'локализация ≤30 мин; устранение ≤3 суток; прил. 2 №170: «немедленно»','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]; Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [подтв.: 113rus.ru/news/17742]',0,'прорвало трубу течёт стояк горячая вода полотенцесушитель потоп заливает');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HW-02','Горячее водоснабжение','Отсутствие горячей воды','Hot water','No hot water',1,4,0,'перерыв не более 4 ч единовременно, 8 ч суммарно в месяц; при аварии на тупиковой магистрали — 24 ч подряд','ПП РФ от 06.05.2011 №354 (Правила предоставления КУ), прил. 1, п. 4 [подтв.: vihyno.org/news/detail/?item_id=30496; consultant.ru/law/podborki/tupikovaya_magistral]',1,'нет горячей воды отключили горячую');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HW-03','Горячее водоснабжение','Плановое (профилактическое) отключение ГВС дольше нормы','Hot water','Planned summer hot-water shutdown exceeding limit',0,336,0,'14 суток; уведомление жителей не позднее чем за 10 рабочих дней — по вторичному источнику (СанПиН/техрегламент)','ПП №354 прил. 1 п. 4 отсылает к техрегламенту; 14 суток — вторичный источник m.ok.ru/vesti/topic/158354744206735 [первоисточник (СанПиН 2.1.3684-21) НЕ подтв. в корпусе]',1,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HW-04','Горячее водоснабжение','Низкая температура горячей воды','Hot water','Hot water temperature too low',0,0,72,'срок в найденных источниках не установлен; норма +60…+75 °C в точке разбора; допустимое отклонение ночью (0–5 ч) ≤5 °C, днём ≤3 °C; иначе перерасчёт','ПП №354, прил. 1, п. 5; СанПиН 2.1.3684-21, п. 84 [подтв.: vihyno.org/news/detail/?item_id=30496; pravoregiona77.ru]',0,'холодная горячая вода еле тёплая');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HEAT-01','Отопление','Прорыв/течь в системе отопления (стояк, общедомовой трубопровод, радиатор без отключающего устройства)','Heating','Burst/leak in heating system (emergency)',1,72,0,'локализация ≤30 мин; устранение ≤3 суток; прил. 2 №170: «немедленно»','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]; Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [подтв.: 113rus.ru/news/17742]',0,'течёт батарея прорвало отопление радиатор');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HEAT-02','Отопление','Отсутствие отопления (холодные батареи)','Heating','No heating (cold radiators)',1,16,0,'≤24 ч суммарно в месяц; единовременно ≤16 ч при t в помещении от +12 °C до нормативной, ≤8 ч при +10…+12 °C, ≤4 ч при +8…+10 °C','ПП РФ от 06.05.2011 №354 (Правила предоставления КУ), прил. 1, разд. «Отопление» [подтв.: news.mail.ru/society/68638431; navashino.nobl.ru (прокуратура); forvardremont.ru]',0,'холодные батареи нет отопления не греют');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('HEAT-03','Отопление','Низкая температура воздуха в квартире','Heating','Room temperature below norm',0,0,24,'срок в найденных источниках не установлен; норма ≥+18 °C (угловые ≥+20 °C), в районах с t наиболее холодной пятидневки ≤ −31 °C: ≥+20/+22 °C; ночью допускается снижение ≤3 °C, превышение ≤4 °C','ПП №354, прил. 1, разд. «Отопление» [подтв.: news.mail.ru/society/68954782; dzen.ru/b/Y43kwbhiE2nq1Q8-]; отнесение городов Коми к зоне ≤ −31 °C — НЕ подтв.',0,'холодно в квартире');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SEW-01','Водоотведение','Засор внутридомовой канализации (стояк, лежак)','Sewerage','Blockage of in-house sewer (riser/main)',1,2,0,'ликвидация в течение 2 ч с момента регистрации заявки','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]',0,'засор канализации не уходит вода унитаз засорился');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SEW-02','Водоотведение','Течь/прорыв канализационного трубопровода','Sewerage','Leaking/burst sewer pipe',1,72,0,'локализация ≤30 мин; устранение ≤3 суток','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]',0,'течёт канализация прорвало канализацию');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SEW-03','Водоотведение','Подтопление подвала (канализационными или водопроводными водами)','Sewerage','Basement flooding (sewage or water)',1,72,0,'отнесено к аварийным повреждениям внутридомовых систем (наша интерпретация): локализация ≤30 мин, устранение ≤3 суток','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]',0,'затопило подвал вода в подвале');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SEW-04','Водоотведение','Перерыв водоотведения','Sewerage','Sewerage service interruption',1,4,0,'не более 4 ч единовременно (в т.ч. при аварии) и 8 ч суммарно в месяц','ПП РФ от 06.05.2011 №354 (Правила предоставления КУ), прил. 1, разд. «Водоотведение» [подтв.: cge21.ru/Voprosy_i_otvety/1817; doverie-k.ru/parametry-kachestva-predostavlyaemy; consultant.ru/law/podborki/tupikovaya_magistral]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SEW-05','Водоотведение','Запах канализации в подъезде/подвале','Sewerage','Sewage smell in stairwell/basement',0,0,48,'срок в найденных источниках не установлен','нет источника со сроком',0,'воняет запах канализации');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CHUTE-01','Мусоропровод','Засор мусоропровода','Refuse chute','Refuse chute blockage',1,2,0,'в течение 2 ч с момента регистрации заявки, но не ранее 8:00 и не позднее 23:00 при круглосуточном приёме заявок','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]',0,'мусоропровод забит засор');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CHUTE-02','Мусоропровод','Неисправность мусоропровода (ствол, клапаны, шибер)','Refuse chute','Faulty refuse chute (shaft, hoppers)',0,24,0,'1 сутки','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]',0,'мусоропровод сломан клапан');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('CHUTE-03','Мусоропровод','Не убраны мусорокамера/загрузочные клапаны','Refuse chute','Refuse room/hoppers not cleaned',0,0,24,'срок в найденных источниках не установлен; периодичность — по договору управления/ПП №290','нет источника со сроком',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WASTE-01','ТКО и контейнерные площадки','Не вывезены ТКО с контейнерной площадки','Municipal waste','Household waste not collected from bin site',0,24,0,'при среднесуточной t ≥ +5 °C — не более 1 суток; при ≤ +4 °C — не более 3 суток (72 ч). Ответственный — региональный оператор, не УК','СанПиН 2.1.3684-21, п. 11 [подтв.: spzv.ru/novosti/kak-chasto-dolzhnyi-vyivozit-tko]',0,'мусор не вывозят контейнеры');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('WASTE-02','ТКО и контейнерные площадки','Не вывезены крупногабаритные отходы (КГО)','Municipal waste','Bulky waste not collected',0,168,0,'при t ≥ +5 °C — не реже 1 раза в 7 суток; при ≤ +4 °C — не реже 1 раза в 10 суток (240 ч)','СанПиН 2.1.3684-21, п. 13 [подтв.: spzv.ru; aleksandrov-gid.ru]',0,'крупногабаритный мусор кго мебель');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-01','Электроснабжение','Отключение электроснабжения дома/подъезда, повреждение питающего кабеля','Electrical','Power outage of building/stairwell; feeder cable damage',1,2,0,'прил. 2 №170: при наличии переключателей кабелей на вводе — время прибытия персонала, но не более 2 ч; ПП 354: перерыв ≤2 ч при двух независимых источниках, ≤24 ч при одном','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]; ПП РФ от 06.05.2011 №354 (Правила предоставления КУ), прил. 1, разд. «Электроснабжение» [подтв.: navashino.nobl.ru (прокуратура Навашинского р-на); cge21.ru/Voprosy_i_otvety/1817]',0,'нет света отключили электричество');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-02','Электроснабжение','Неисправность во вводно-распределительном устройстве (замена предохранителей, автоматов, рубильников)','Electrical','Fault in main distribution board (fuses, breakers, switches)',1,3,0,'3 ч','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-03','Электроснабжение','Неисправность автоматов защиты стояков и питающих линий (выбивает автомат в этажном щите)','Electrical','Faulty riser/feeder circuit breakers',1,3,0,'3 ч','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]',0,'выбивает автомат щиток');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-04','Электроснабжение','Короткое замыкание, искрение, запах горелой проводки во внутридомовой сети','Electrical','Short circuit / sparking / burning smell in building wiring',1,72,0,'прил. 2 №170: «немедленно»; ПП 416: локализация ≤30 мин, устранение ≤3 суток','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]; ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 [подтв.: xn--73-6kc3bbqg7ac.xn--p1ai/Новости/4119; gji.admtyumen.ru (FAQ id=2268); vedomosti.ru/realty/news/2018/04/02/755600]',0,'искрит пахнет гарью проводка');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-05','Освещение','Не работает освещение в подъезде/МОП (лампы, выключатели, светильники)','Lighting','Common-area lighting out (lamps, switches, fittings)',0,168,0,'7 суток','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [подтв.: radio1.ru/news/podmoskove/v-podmoskove-s-nachala-goda-vosstanovili-osveschenie-bolee-chem-v-550-podezdah/; 360.ru/news/mosobl/bolee-chem-v-550-podezdah-podmoskovja-vosstanovili-osveschenie-s-nachala-goda/; github-код со ссылкой на прил. 2]',0,'темно в подъезде не горит лампочка свет');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-06','Освещение','Не работает освещение над входом в подъезд','Lighting','Entrance canopy light out',0,168,0,'7 суток — применён срок освещения общедомовых помещений (наша интерпретация)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [см. EL-05]',0,'фонарь над подъездом не горит');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-07','Электроплиты','Электроплита: не работает одна конфорка или жарочный шкаф','Electric stoves','Electric stove: one hotplate or oven failed',0,72,0,'3 суток','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]',0,'плита конфорка духовка');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-08','Электроплиты','Электроплита отключена полностью','Electric stoves','Electric stove completely dead',0,3,0,'3 ч','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Электрооборудование» [НЕ подтв. числом в корпусе: строка прил. 2 воспроизведена по тексту документа; в корпусе найдены только формулировки строк (github-код) — сверить с первоисточником]',0,'плита не работает');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('EL-09','Электроснабжение','Перепады/низкое напряжение','Electrical','Voltage fluctuations / low voltage',0,0,24,'срок в найденных источниках не установлен; параметры по ГОСТ 32144-2013, отклонение не допускается','ПП №354, прил. 1, разд. «Электроснабжение» [подтв. частично: cge21.ru/news/4108]',0,'мигает свет напряжение скачет');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('LIFT-01','Лифт','Лифт не работает (остановлен)','Elevator','Elevator out of service',0,24,0,'не более 1 суток','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Лифт» [подтв.: balthazarkorab.com/how-quickly-faulty-elevators-should-be-repaired-in-volgograd/; Лифтопедия со ссылкой на ГОСТ Р 55964-2014]',0,'лифт не работает стоит сломался');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('LIFT-02','Лифт','Застревание пассажира в кабине лифта','Elevator','Passenger trapped in elevator car',1,0.5,0,'эвакуация ≤30 мин','Положение о порядке организации эксплуатации лифтов в РФ (Госстрой, 30.06.1999), п. 3.6.3.1 — по polsov.com/posts/16377-sovet.html; новые требования Минстроя: эвакуация ≤30 мин, прибытие ≤2 ч, устранение ≤1 сут — по togliatti24.ru (реквизиты акта НЕ подтв.)',0,'застрял в лифте застряли');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('LIFT-03','Лифт','Неисправность кабины лифта (освещение, кнопки, двери)','Elevator','Elevator car faults (light, buttons, doors)',0,24,0,'не более 1 суток («Неисправности лифта»)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Лифт» [см. LIFT-01]',0,'кнопки лифта двери лифта свет в лифте');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('LIFT-04','Лифт','Неисправность подъёмной платформы для инвалидов','Elevator','Wheelchair platform lift fault',0,0,24,'срок в найденных источниках не установлен','нет источника со сроком',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('GAS-01','Газоснабжение','Запах газа в подъезде или квартире','Gas','Gas smell in stairwell or flat',1,0,24,'числового срока нет: аварийные неисправности газооборудования — «немедленно»; вызов аварийной газовой службы 104/112 (ГРО)','Пост. Госстроя РФ от 27.09.2003 №170 (Правила и нормы техэксплуатации жилфонда), прил. 2, разд. «Санитарно-техническое оборудование» [подтв.: 113rus.ru/news/17742]',0,'пахнет газом запах газа утечка');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('GAS-02','Газоснабжение','Отсутствие газоснабжения','Gas','No gas supply',0,4,0,'перерыв не более 4 ч суммарно в течение месяца','ПП РФ от 06.05.2011 №354 (Правила предоставления КУ), прил. 1, разд. «Газоснабжение» [подтв.: cge21.ru/Voprosy_i_otvety/1817]',0,'нет газа плита газовая');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('VENT-01','Вентиляция','Нет тяги в вентиляционном канале','Ventilation','No draught in ventilation duct',0,0,72,'срок в найденных источниках не установлен','нет источника со сроком',0,'вентиляция нет тяги');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ENT-01','Подъезд','Не проведена уборка подъезда','Stairwell','Stairwell not cleaned',0,0,48,'срок в найденных источниках не установлен; периодичность — по договору/перечню работ (ПП №290)','нет источника со сроком',0,'грязно в подъезде не моют');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ENT-02','Подъезд','Повреждены перила, ступени','Stairwell','Damaged handrails or steps',0,0,120,'срок в найденных источниках не установлен','нет источника со сроком',0,'перила сломаны');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ENT-03','Подъезд','Повреждены почтовые ящики','Stairwell','Damaged mailboxes',0,0,168,'срок в найденных источниках не установлен','нет источника со сроком',0,'почтовые ящики сломаны');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('ENT-04','Подъезд','Повреждён козырёк над входом в подъезд','Stairwell','Damaged entrance canopy',0,0,120,'срок в найденных источниках не установлен','нет источника со сроком',0,'козырёк над подъездом');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('YARD-01','Придомовая территория','Не убрана придомовая территория (мусор, листва)','Yard','Yard not cleaned (litter, leaves)',0,0,48,'срок в найденных источниках не установлен; периодичность — по договору/ПП №290','нет источника со сроком',0,'мусор во дворе грязно');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('YARD-02','Придомовая территория','Не убран снег во дворе, колейность','Yard','Snow not cleared in yard / rutting',0,0,24,'срок в найденных источниках не установлен; очистка обязательна при колейности свыше 5 см (порог, без срока)','ПП РФ №290, п. 24 (порог 5 см) [подтв. порог: komiinform.ru/news/245613 (Сыктывкар)]',0,'снег не чистят сугробы двор');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('YARD-03','Придомовая территория','Гололёд: не обработаны тротуары и входы противогололёдными материалами','Yard','Ice on footpaths/entrances not treated',0,0,12,'срок в найденных источниках не установлен','нет источника со сроком',0,'гололёд скользко лёд');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('YARD-04','Придомовая территория','Повреждено оборудование детской площадки, скамейки','Yard','Damaged playground equipment / benches',0,0,168,'срок в найденных источниках не установлен','нет источника со сроком',0,'детская площадка качели');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('INT-01','Домофон','Не работает домофон / запирающее устройство','Intercom','Intercom / door-entry system not working',0,0,72,'срок в найденных источниках не установлен; часто обслуживается по отдельному договору, не всегда общее имущество','нет источника со сроком',0,'домофон не открывается дверь');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('PEST-01','Дезинсекция и дератизация','Грызуны/насекомые в подвале или подъезде','Pest control','Rodents/insects in basement or stairwell',0,0,168,'срок в найденных источниках не установлен','нет источника со сроком',0,'крысы тараканы мыши');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SRV-01','Аварийно-диспетчерская служба','Ответ АДС на телефонный звонок','Emergency dispatch','Dispatch answers phone call',1,0.083,0,'ответ ≤5 мин; иначе обратный звонок ≤10 мин или приём голосового/электронного сообщения с рассмотрением ≤10 мин (с 01.03.2019)','ПП РФ от 15.05.2013 №416 (Правила управления МКД), п. 13 (ред. ПП от 27.03.2018 №331) [подтв.: zato-lokomotivny.ru; vedomosti.ru/realty/news/2018/04/02/755600; newslab.ru]',0,'');
INSERT INTO work_types(code,category,name,category_en,name_en,emergency,federal_hours,local_hours,note,source,supplier,keywords) VALUES ('SRV-02','Обращения в УК','Письменное обращение/запрос собственника в управляющую организацию','Written requests','Owner''s written request to management company',0,0,336,'10 рабочих дней (в часы не переводится); часть сведений (реквизиты, телефоны АДС) — не позднее следующего дня','ПП №416, разд. о раскрытии информации/обращениях (номер пункта НЕ подтв.) [подтв.: 723086.ru/torgovoe-pravo/3211-...]',0,'');
-- The administrator's own edits: a local norm, own keywords, GAS-02 sent to the
-- supplier, a type switched off, and an acceptance norm.
UPDATE work_types SET local_hours = 48 WHERE code = 'ROOF-04';
UPDATE work_types SET keywords = 'прорвало трубу течёт стояк холодная вода потоп заливает хлещет из стены' WHERE code = 'CW-01';
UPDATE work_types SET supplier = 1 WHERE code = 'GAS-02';
UPDATE work_types SET active = 0 WHERE code = 'YARD-04';
UPDATE work_types SET accept_hours = 12 WHERE code = 'DOOR-01';
INSERT INTO work_type_history(code,changed_at,actor,field,old_value,new_value) VALUES ('ROOF-04',1790000000,'admin','local_hours','72','48');
INSERT INTO users(id,login,role,password_hash,created_at) VALUES (1,'op','operator','x',1790000000);
-- An old ticket of the type the new catalogue retires (WIN-02), and an emergency.
INSERT INTO tickets(id,number,status,source,work_type,category,emergency,building_id,description,created_at,accept_due_at,due_at,localize_due_at,organization_id,version,seq,updated_at)
 VALUES (1,'OLD-000001','routed','phone','WIN-02','Окна и двери',0,1,'Разбито стекло',1790000000,1790086400,1790259200,NULL,1,2,1,1790000000),
        (2,'OLD-000002','accepted','phone','CW-01','Холодное водоснабжение',1,1,'Течёт стояк',1790000000,1790001800,1790259200,1790001800,1,3,2,1790000100);
INSERT INTO ticket_events(ticket_id,at,actor_id,actor,action,from_status,to_status) VALUES (1,1790000000,1,'op','create','','new'),(1,1790000000,1,'op','route','new','routed'),
 (2,1790000000,1,'op','create','','new'),(2,1790000000,1,'op','route','new','routed'),(2,1790000100,NULL,'uk','accept','routed','accepted');
