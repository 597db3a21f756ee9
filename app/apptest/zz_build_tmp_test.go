package apptest

import "testing"

func TestZZBuildBulkMillion(t *testing.T) { BulkDB(t, 1000000) }
