package pgkit

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range [][2]string{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x >= ?1 AND x < ?2 OR y < ?2", "x >= $1 AND x < $2 OR y < $2"},
		{`search LIKE ? ESCAPE '\' AND z = '?'`, `search LIKE $1 ESCAPE '\' AND z = '?'`},
		{"VALUES (?,?,?)", "VALUES ($1,$2,$3)"},
	} {
		if got := Rebind(c[0]); got != c[1] {
			t.Errorf("Rebind(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("postgres://ecoz:s3cret@db:5432/registry?sslmode=require"); got != "postgres://ecoz:xxxxx@db:5432/registry?sslmode=require" {
		t.Errorf("Redact: %s", got)
	}
	if !IsURL("postgresql://db/x") || IsURL("/srv/registry.db") {
		t.Error("IsURL")
	}
}
