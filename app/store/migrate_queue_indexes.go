package store

// migrateQueueIndexes gives the queue pages that still sorted a whole status, or
// the whole open set, to show 50 tickets an index to walk in their own order on a
// million tickets:
//   - a status tab filtered by category, in working order (tickets_queue would be
//     walked reading every ticket of the status to check its category);
//   - the open tickets newest first (the operator's «Просрочены» by registration,
//     the API's list of open tickets), which sorted every open ticket's id;
//   - the open tickets by building (the public map's figures), which read every
//     open ticket's row after each change: 30-40 ms for each change on a million.
const migrateQueueIndexes = queueIndexes

// queueIndexes are the indexes of migrateQueueIndexes, which schema.sql also
// creates.
const queueIndexes = `
CREATE INDEX tickets_category_queue ON tickets(status, category, queue_key, id, due_at);
CREATE INDEX tickets_open_newest ON tickets(id, due_at) WHERE status IN ('new','routed','accepted','reopened');
CREATE INDEX tickets_open_building ON tickets(building_id, status) WHERE status IN ('new','routed','accepted','reopened');
`
