package store

import "github.com/ecoz/ecoz/app/kit/sqlkit"

// SchemaVersion is the version schema.sql creates. Each later change of the schema
// appends a step to migrations and raises SchemaVersion by one; schema.sql is kept
// as the whole current schema for new databases.
const SchemaVersion = 10

// migrations[i] upgrades a database from version i+1 to i+2, so that
// SchemaVersion == len(migrations)+1 (a test holds this).
var migrations = []string{migrateEmerg, migrateWorkflow, migrateRating, migrateNotify, migrateOpen311, migrateEmergencyPins, migrateQueueIndexes, migrateLeanWrites, migrateMergedIndexes}

// centreSchema is how the kit's migrator creates and upgrades a centre's database.
// It checks only what is cheap (see sqlkit.Migrate); the whole-file check runs on
// every backup (CheckFile), nightly and by hand.
func centreSchema(schema string, steps []string) sqlkit.Schema {
	return sqlkit.Schema{SQL: schema, Steps: steps, Noun: "база данных", Of: "ecoz", Fix: "восстановите базу из копии: ecoz restore ФАЙЛ",
		DeferSync: true} // the syncer fsyncs after each group commit (syncer.go)
}
