package regstore

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// migrateStripPersonal upgrades a registry of the first release (schema 1): every
// record held loses its personal members — the flat, the resident's words and
// whatever a centre may have sent about the reporter — and the search column,
// which held the description, is rebuilt from what remains, as ingest builds it.
// secure_delete zeroes the freed space of the rewritten pages, so that the old
// text does not linger in the file once the write-ahead log is checkpointed.
const migrateStripPersonal = `
PRAGMA secure_delete = ON;
UPDATE tickets SET
  record = json_remove(record, '$.apartment', '$.description', '$.comments', '$.reporter'),
  search = ecoz_lower(number || ' ' || address || ' ' || COALESCE(json_extract(record, '$.work_type.name'), '') || ' ' || organization);
PRAGMA secure_delete = OFF;
`

// ecoz_lower is Go's lower case for the registry's SQL: SQLite's own lower()
// folds only ASCII, and the search column is compared with Russian words lowered
// by Go.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("ecoz_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}
