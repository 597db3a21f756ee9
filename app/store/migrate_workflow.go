package store

// migrateWorkflow adds what the centre's own work needs (issue #12): the state of
// the confirmation call on each ticket. schema.sql says the same for a new database.
const migrateWorkflow = `
ALTER TABLE tickets ADD COLUMN last_call_at INTEGER;
ALTER TABLE tickets ADD COLUMN callback_retry_at INTEGER;
ALTER TABLE tickets ADD COLUMN callback_claimed_by INTEGER REFERENCES users(id);
ALTER TABLE tickets ADD COLUMN callback_claimed_until INTEGER;
ALTER TABLE tickets ADD COLUMN callback_failed_at INTEGER;
`
