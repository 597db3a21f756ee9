package store

// MigrateNotify is the notifications step, for the test that it builds what
// schema.sql builds.
var MigrateNotify = migrateNotify
