package store

// migrateEmergencyPins makes the emergencies pinned above every queue cost the
// same on a million tickets as on a thousand: the localisation clocks still
// running are indexed among open tickets only (a ticket closed without its
// localisation recorded no longer lingers in the index for good), and the open
// emergencies by time of filing.
const migrateEmergencyPins = `
DROP INDEX tickets_localize_pending;
` + emergencyPinIndexes

// emergencyPinIndexes are the indexes of migrateEmergencyPins, which schema.sql
// also creates.
const emergencyPinIndexes = `
CREATE INDEX tickets_localize_open ON tickets(localize_due_at) WHERE localize_due_at IS NOT NULL AND localized_at IS NULL AND status IN ('new','routed','accepted','reopened');
CREATE INDEX tickets_emergency_open ON tickets(created_at) WHERE emergency AND status IN ('new','routed','accepted','reopened');
`
