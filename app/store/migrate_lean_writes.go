package store

// migrateLeanWrites drops three indexes that every new ticket, or every step of
// its trail, wrote and that no query walks: TestRecordedQueryPlans (app/apptest)
// explained every statement the tests run against a million tickets with and
// without them.
//   - tickets_created(created_at) is the first column of tickets_report, which
//     serves the same ranges of registration time (the reports, the rating's
//     backfill, the public map) in the same order;
//   - tickets_open_due: the next deadline of an open ticket is read from
//     tickets_status_due, a seek per open status;
//   - ticket_events_at: the trail is read by ticket, or by action and time
//     (ticket_events_action_at).
//
// A ticket filed on a million tickets wrote 27 index entries, now 25, and each
// step of its trail two, now one.
const migrateLeanWrites = `
DROP INDEX IF EXISTS tickets_created;
DROP INDEX IF EXISTS tickets_open_due;
DROP INDEX IF EXISTS ticket_events_at;
`
