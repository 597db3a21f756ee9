package registry

import (
	"testing"

	"github.com/ecoz/ecoz/app/registry/regtest"
)

// TestMain runs the registry's whole suite on SQLite, then on PostgreSQL.
func TestMain(m *testing.M) { regtest.Main(m) }
