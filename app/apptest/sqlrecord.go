package apptest

import (
	"os"

	"github.com/ecoz/ecoz/app/kit/sqlkit"
)

// With ECOZ_SQL_RECORD=FILE, the tests of every package that uses apptest record
// the text of each statement they run (sqlkit.RecordStatements) for
// TestRecordedQueryPlans.
func init() {
	if path := os.Getenv("ECOZ_SQL_RECORD"); path != "" {
		sqlkit.RecordStatements(path)
	}
}
