// Package pgtest gives tests a real PostgreSQL: the server named by
// ECOZ_TEST_PG (a URL whose user may create schemas), or else a throw-away
// cluster it starts itself (initdb and pg_ctl, in a temporary folder, on a free
// port) when PostgreSQL is installed and the tests do not run as root. Each test
// gets a schema of its own, dropped when it ends.
//
// Without PostgreSQL the tests that need it skip and say why — except under CI
// (CI=true), where a missing server fails the run: CI must test both engines.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable with the test server's URL.
const Env = "ECOZ_TEST_PG"

var (
	once    sync.Once
	server  string
	why     string
	cluster string // the data folder of a cluster this process started
)

// Server returns the URL of a PostgreSQL server for tests, or "" and why there
// is none.
func Server() (string, string) {
	once.Do(func() { server, why = find() })
	return server, why
}

// CI reports whether the tests run under CI, where PostgreSQL must be present.
func CI() bool { return os.Getenv("CI") == "true" }

// Require returns the server's URL, or skips the test (fails it under CI).
func Require(t testing.TB) string {
	t.Helper()
	u, why := Server()
	if u == "" {
		if CI() {
			t.Fatalf("PostgreSQL нужен под CI: %s", why)
		}
		t.Skipf("PostgreSQL не найден, тест пропущен: %s", why)
	}
	return u
}

// Schema makes an empty schema for the test and returns the server's URL with
// the schema as its search path; the schema is dropped when the test ends.
func Schema(t testing.TB) string {
	t.Helper()
	u := Require(t)
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	exec1(t, u, "CREATE SCHEMA "+name)
	t.Cleanup(func() { exec1(t, u, "DROP SCHEMA "+name+" CASCADE") })
	return WithSchema(u, name)
}

// WithSchema is u with search_path set to schema.
func WithSchema(u, schema string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}

func exec1(t testing.TB, u, sql string) {
	if err := Exec(u, sql); err != nil {
		t.Fatalf("PostgreSQL: %s: %v", sql, err)
	}
}

func ping(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	return c.Close(ctx)
}

func find() (string, string) {
	if u := os.Getenv(Env); u != "" {
		if err := ping(u); err != nil {
			return "", fmt.Sprintf("%s=%s не отвечает: %v", Env, u, err)
		}
		return u, ""
	}
	bin := binDir()
	if bin == "" {
		return "", "нет ни " + Env + ", ни initdb (пакет postgresql); см. README, «Тесты на PostgreSQL»"
	}
	if os.Geteuid() == 0 {
		return "", "initdb не запускается от root; задайте " + Env + " (см. README, «Тесты на PostgreSQL»)"
	}
	u, err := start(bin)
	if err != nil {
		return "", "не удалось запустить временный кластер PostgreSQL: " + err.Error()
	}
	return u, ""
}

// binDir finds initdb and pg_ctl: on PATH, or in Debian's versioned folder.
func binDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func start(bin string) (string, error) {
	dir, err := os.MkdirTemp("", "ecoz-pg-")
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "ecoz", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", port, dir)
	if out, err := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start").CombinedOutput(); err != nil {
		return "", fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	cluster = data
	u := fmt.Sprintf("postgres://ecoz@127.0.0.1:%d/postgres?sslmode=disable", port)
	return u, ping(u)
}

// Stop stops the cluster this process started, if any, and removes its folder.
func Stop() {
	if cluster == "" {
		return
	}
	bin := binDir()
	exec.Command(filepath.Join(bin, "pg_ctl"), "-D", cluster, "-m", "immediate", "stop").Run()
	os.RemoveAll(filepath.Dir(cluster))
	cluster = ""
}

// Main runs a package's tests on SQLite (onPG false), then again on PostgreSQL
// (onPG true) when a server is found; without one it says why, and fails under
// CI. Use it from TestMain.
func Main(m *testing.M, use func(onPG bool)) {
	use(false)
	code := m.Run()
	if code != 0 {
		os.Exit(code)
	}
	u, why := Server()
	if u == "" {
		if CI() {
			fmt.Fprintln(os.Stderr, "FAIL: PostgreSQL нужен под CI:", why)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "SKIP: тесты на PostgreSQL пропущены:", why)
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "--- те же тесты на PostgreSQL:", strings.SplitN(u, "?", 2)[0])
	use(true)
	code = m.Run()
	Stop()
	os.Exit(code)
}

// Exec runs one statement on the server at u.
func Exec(u, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}
