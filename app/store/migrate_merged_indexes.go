package store

// migrateMergedIndexes folds two indexes of the tickets into two others, each
// index entry of a new ticket being a page written at a random place of a large
// index (it is keyed by building or organisation, not by time):
//   - tickets_dup(building_id, category, created_at) into tickets_building, which
//     now carries category and created_at after (building_id, id): the possible
//     duplicates of a new ticket are read from the building's tickets after the
//     last ticket filed before the window (duplicateWalk), a few a building;
//   - tickets_facets(status, organization_id, category, emergency, due_at) into
//     tickets_category_queue, which now carries organization_id and emergency at
//     its end: a tab's counts are read from it alone, the same rows as before.
//
// And it drops tickets_open_org(organization_id, id) WHERE open: one
// organisation's open (or overdue) tickets newest first are read from
// tickets_org_queue, its open statuses with their deadlines, and their ids sorted
// (queueIndex): as many as the organisation has open, not its history.
//
// A ticket filed by an operator wrote 22 entries into the indexes of the tickets,
// now 19.
const migrateMergedIndexes = `
DROP INDEX IF EXISTS tickets_open_org;
DROP INDEX IF EXISTS tickets_dup;
DROP INDEX IF EXISTS tickets_facets;
DROP INDEX IF EXISTS tickets_building;
CREATE INDEX tickets_building ON tickets(building_id, id, category, created_at);
DROP INDEX IF EXISTS tickets_category_queue;
CREATE INDEX tickets_category_queue ON tickets(status, category, queue_key, id, due_at, organization_id, emergency);
`
