package regstore_test

import (
	"testing"

	"github.com/ecoz/ecoz/app/registry/regtest"
)

// TestMain runs the suite on SQLite, then on PostgreSQL.
func TestMain(m *testing.M) { regtest.Main(m) }
