package store

import (
	"os"
	"strings"
	"testing"
)

// The status conditions are built from the domain's sets, and the open one is
// still, to the letter, the WHERE of schema.sql's partial indexes (or SQLite
// would not use them).
func TestStatusConditionsFromTheDomain(t *testing.T) {
	if want := "t.status IN ('new','routed','accepted','reopened')"; openStatusSQL != want {
		t.Errorf("openStatusSQL = %s, want %s", openStatusSQL, want)
	}
	if want := "t.status IN ('new','routed','accepted','done','reopened')"; activeStatusSQL != want {
		t.Errorf("activeStatusSQL = %s, want %s", activeStatusSQL, want)
	}
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	where := strings.TrimPrefix(openStatusSQL, "t.")
	if n := strings.Count(string(schema), "WHERE "+where+";"); n != 3 {
		t.Errorf("schema.sql has %d partial indexes WHERE %s, want 3", n, where)
	}
}
