// Package apptest opens real ecoz databases and servers for tests: a SQLite file in
// a temporary folder with the real schema, a frozen clock, and the demo data.
package apptest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/demo"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
	"golang.org/x/crypto/bcrypt"
)

// Root is the repository's top folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Schema is the text of schema.sql.
func Schema(t testing.TB) string {
	b, err := os.ReadFile(filepath.Join(Root(), "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Now is the frozen time tests run at: a Monday noon in Moscow.
var Now = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

// Clock is a settable clock for a store.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func init() { store.BcryptCost = bcrypt.MinCost }

// Open opens a new empty store in t's temporary folder, clock frozen at Now, with
// the work-type catalogue loaded.
func Open(t testing.TB) (*store.Store, *Clock) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "ecoz.db"), Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{t: Now}
	s.Now = clock.Now
	t.Cleanup(func() { s.Close() })
	if err := s.Write(context.Background(), func(tx *store.Tx) error {
		f, err := os.Open(filepath.Join(Root(), "assets", "data", "work_types.csv"))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = tx.LoadWorkTypes(f)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s, clock
}

// Demo opens a store with the demo municipality loaded as of Now. The demo is
// generated once per version of the code that makes it and cached in the system's
// temporary folder (under -race its 2,000 histories take minutes); each test gets
// its own copy.
func Demo(t testing.TB) (*store.Store, *Clock) {
	t.Helper()
	path := filepath.Join(os.TempDir(), "ecoz-demo-"+sourceHash(t)+".db")
	if _, err := os.Stat(path); err != nil {
		buildDemo(t, path)
	}
	return openCopy(t, path)
}

func buildDemo(t testing.TB, path string) {
	tmp := fmt.Sprintf("%s.%d.part", path, os.Getpid())
	os.Remove(tmp)
	s, err := store.Open(tmp, Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return Now }
	f, err := os.Open(filepath.Join(Root(), "assets", "data", "work_types.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := demo.Load(context.Background(), s, f, Now); err != nil {
		s.Close()
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// sourceHash digests schema.sql, the catalogue and the Go code that generates
// the demo, so that a cached demo is never older than that code.
func sourceHash(t testing.TB) string {
	h := sha256.New()
	h.Write([]byte(Schema(t)))
	for _, glob := range []string{"assets/data/*.csv", "app/*.go", "app/demo/*.go", "app/store/*.go"} {
		files, _ := filepath.Glob(filepath.Join(Root(), glob))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte(f))
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// Server builds the web side over s with the views and assets from the repository.
func Server(t testing.TB, s *store.Store) *web.Server {
	t.Helper()
	srv, err := web.New(web.Config{
		Store:  s,
		Views:  os.DirFS(filepath.Join(Root(), "assets", "views")),
		Static: os.DirFS(filepath.Join(Root(), "assets", "static")),
		I18n:   os.DirFS(filepath.Join(Root(), "assets", "i18n")),
		Log:    Logger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// As returns a context acting as u.
func As(u *app.User) context.Context { return app.WithUser(context.Background(), u) }

// User finds a user by login in s.
func User(t testing.TB, s *store.Store, login string) *app.User {
	t.Helper()
	users, err := s.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Login == login {
			return u
		}
	}
	t.Fatalf("no user %s", login)
	return nil
}

// QueueWebhookEvents turns every ticket change since the last call into webhook
// messages, as the notify job does each round with a webhook configured, and
// returns how many it queued. The first call only sets the cursor.
func QueueWebhookEvents(t testing.TB, s *store.Store) int {
	t.Helper()
	total := 0
	for {
		n, err := s.QueueWebhookEvents(context.Background(), true, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}
