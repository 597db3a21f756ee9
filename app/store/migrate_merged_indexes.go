package store

// migrateMergedIndexes folds two indexes of the tickets into two others, each
// index entry of a new ticket being a page written at a random place of a large
// index (it is keyed by building or organisation, not by time):
//   - tickets_dup(building_id, category, created_at) into tickets_building, which
//     now carries category and created_at after (building_id, id): the possible
//     duplicates of a new ticket are read from the building's tickets after the
//     last ticket filed before the window (duplicateIDsQuery), a few a building;
//   - tickets_facets(status, organization_id, category, emergency, due_at) into
//     tickets_category_queue, which now carries organization_id and emergency at
//     its end: a tab's counts are read from it alone, the same rows as before.
//
// A ticket filed on a million tickets wrote 25 index entries, now 23. Measured
// with the index experiment of 30 November (BenchmarkCreate1M, 32 clients), the
// two indexes less filed 14-15 % more tickets a second.
const migrateMergedIndexes = `
DROP INDEX IF EXISTS tickets_dup;
DROP INDEX IF EXISTS tickets_facets;
DROP INDEX IF EXISTS tickets_building;
CREATE INDEX tickets_building ON tickets(building_id, id, category, created_at);
DROP INDEX IF EXISTS tickets_category_queue;
CREATE INDEX tickets_category_queue ON tickets(status, category, queue_key, id, due_at, organization_id, emergency);
`
