package store

// migrateRating (issue #13, rating v2 and the weekly meeting's decisions):
//   - ratings.method: the method each stored day used (the days stored so far are v1);
//   - (tickets.localized_at and tickets.callback_failed_at, which the rating reads,
//     come with the emergencies' and the centre-workflow's steps);
//   - rating_weight_changes: who changed the weights and when;
//   - the stored weights are dropped: they were v1's (with «нагрузка»), and v2
//     starts from its own defaults, recorded as the first change;
//   - decisions (поручения совещания) and meetings (attendees of each week's meeting).
const migrateRating = `
ALTER TABLE ratings ADD COLUMN method INTEGER NOT NULL DEFAULT 1;
` + ratingTablesSQL + `
DELETE FROM settings WHERE key = 'rating_weights';
INSERT INTO rating_weight_changes(at, actor, weights) VALUES (CAST(strftime('%s', 'now') AS INTEGER), 'обновление ecoz: методика v2',
  '{"on_time":35,"accept_on_time":5,"first_time_fix":20,"overdue_now":10,"localized_on_time":15,"repeats":15}');
`

// ratingTablesSQL are the tables of migrateRating that schema.sql also creates.
const ratingTablesSQL = `
CREATE TABLE rating_weight_changes (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  weights TEXT NOT NULL
);
CREATE TABLE meetings (
  week      TEXT PRIMARY KEY,
  held_on   TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, local
  attendees TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE decisions (
  id              INTEGER PRIMARY KEY,
  meeting_week    TEXT NOT NULL,
  text            TEXT NOT NULL,
  organization_id INTEGER NOT NULL REFERENCES organizations(id),
  building_id     INTEGER REFERENCES buildings(id),
  tickets         TEXT NOT NULL DEFAULT '[]',
  due_on          TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  done_at         INTEGER,
  done_by         TEXT NOT NULL DEFAULT '',
  done_note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX decisions_org ON decisions(organization_id, id);
CREATE INDEX decisions_week ON decisions(meeting_week, id);
`
