package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/kit/pgkit/pgtest"
)

// TestRegistryOnPostgres: the registry's commands on PostgreSQL through --db, and
// «registry migrate» from an SQLite registry: the counts printed, the
// municipality and its token carried over, a second move refused.
func TestRegistryOnPostgres(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := run("registry", "municipality", "add", "--data", dir, "--code", "TST", "--name", "Тестовый"); code != 0 {
		t.Fatalf("municipality add on SQLite: %d\n%s%s", code, out, errOut)
	}
	code, _, errOut := run("registry", "migrate", "--from", filepath.Join(dir, "registry.db"), "--to", "registry.db")
	if code != 2 || !strings.Contains(errOut, "--to: нужен адрес базы PostgreSQL") {
		t.Errorf("migrate to a file: %d %s", code, errOut)
	}
	t0 := time.Now()
	code, _, errOut = run("registry", "municipality", "add", "--data", t.TempDir(), "--db", "postgres://ecoz@127.0.0.1:1/x?connect_timeout=2", "--code", "USN", "--name", "Усинск")
	if code != 1 || !strings.Contains(errOut, "недоступна") || time.Since(t0) > 15*time.Second {
		t.Errorf("an unreachable server: exit %d after %s: %s", code, time.Since(t0), errOut)
	}
	dsn := pgtest.Schema(t)
	code, out, errOut := run("registry", "migrate", "--from", filepath.Join(dir, "registry.db"), "--to", dsn)
	if code != 0 || !strings.Contains(out, "municipalities: перенесено 1, в источнике 1") || !strings.Contains(out, "числа записей сходятся") {
		t.Fatalf("migrate: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run("registry", "municipality", "reissue", "--data", t.TempDir(), "--db", dsn, "--code", "TST"); code != 0 || !strings.Contains(out, "токен выгрузки муниципалитета TST") {
		t.Errorf("reissue on PostgreSQL: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run("registry", "migrate", "--from", filepath.Join(dir, "registry.db"), "--to", dsn); code != 1 || !strings.Contains(errOut, "не пуста") {
		t.Errorf("a second move: %d %s", code, errOut)
	}
}
