package regstore

import (
	"strconv"

	"github.com/ecoz/ecoz/app"
)

// migrateCounts upgrades an SQLite registry of schema 2 to 3, the schema the
// PostgreSQL registry shares: the overview's counts kept on each municipality
// by the ingest, each ticket's horizon (the latest of its filing, deadlines and
// closure) for the rating's window, the open tickets' index, and the buildings
// seen in each organisation's records for the rating's load. Every figure is
// computed from the tickets held, as the ingest would have kept it.
var migrateCounts = `
ALTER TABLE municipalities ADD COLUMN n_tickets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE municipalities ADD COLUMN n_open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE municipalities ADD COLUMN n_closed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE municipalities ADD COLUMN n_on_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN horizon INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET horizon = max(created_at, COALESCE(closed_at, 0),
  CASE WHEN accept_due_at < ` + noDeadline + ` THEN accept_due_at ELSE 0 END,
  CASE WHEN due_at < ` + noDeadline + ` THEN due_at ELSE 0 END);
CREATE INDEX tickets_open ON tickets(municipality, due_at) WHERE {{open}};
CREATE INDEX tickets_horizon ON tickets(horizon);
CREATE TABLE org_buildings (
  municipality    TEXT NOT NULL REFERENCES municipalities(code),
  organization_id INTEGER NOT NULL,
  building_id     INTEGER NOT NULL,
  apartments      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (municipality, organization_id, building_id)
) WITHOUT ROWID;
INSERT INTO org_buildings(municipality, organization_id, building_id, apartments)
  SELECT municipality, organization_id, building_id, max(apartments) FROM tickets WHERE organization_id <> 0 GROUP BY 1, 2, 3;
UPDATE municipalities SET
  n_tickets = (SELECT count(*) FROM tickets t WHERE t.municipality = municipalities.code),
  n_open = (SELECT count(*) FROM tickets t WHERE t.municipality = municipalities.code AND {{open}}),
  n_closed = (SELECT count(*) FROM tickets t WHERE t.municipality = municipalities.code AND status = 'closed'),
  n_on_time = (SELECT count(*) FROM tickets t WHERE t.municipality = municipalities.code AND status = 'closed' AND done_on_time = 1);
`

var noDeadline = strconv.FormatInt(app.NoDeadlineUnix, 10)
