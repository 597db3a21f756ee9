package registry

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

var (
	fillOnce sync.Once
	fillBin  string
	fillErr  error
)

// centrefill builds testdata/centrefill once: the fixture is written outside the
// test process, where the race detector does not slow SQLite down.
func centrefill(t testing.TB, args ...string) string {
	t.Helper()
	fillOnce.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			fillErr = err
			return
		}
		fillBin = filepath.Join(dir, "centrefill")
		if runtime.GOOS == "windows" {
			fillBin += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", fillBin, "./app/registry/testdata/centrefill")
		cmd.Dir = apptest.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			fillErr = &buildError{err, string(out)}
		}
	})
	if fillErr != nil {
		t.Fatal(fillErr)
	}
	out, err := exec.Command(fillBin, append(args[:1:1], append([]string{filepath.Join(apptest.Root(), "schema.sql")}, args[1:]...)...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("centrefill %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// centre makes a municipal centre's database in dir with code, five management
// organisations (dispatchers uk1…uk5), 200 buildings, an operator and an admin
// (passwords = logins), and n routed tickets whose descriptions carry a phone and
// an e-mail, to be masked; it returns the store opened for reading.
func centre(t testing.TB, dir, code string, n int) *store.Store {
	t.Helper()
	centrefill(t, "fill", dir, code, strconv.Itoa(n), filepath.Join(apptest.Root(), "assets", "data", "work_types.csv"))
	s, err := store.Open(filepath.Join(dir, "ecoz.db"), apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// touchAll moves every routed or accepted ticket of the centre in dir one step
// on, each a new version and change sequence, and returns how many changed.
func touchAll(t testing.TB, dir string) int {
	t.Helper()
	n, err := strconv.Atoi(centrefill(t, "touch", dir))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
