package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// blockingImporter's Apply runs until released or until its context ends.
type blockingImporter struct {
	started, release chan struct{}
	ended            chan error
}

func (b *blockingImporter) Check(context.Context, string, string, []byte) (*ImportReport, error) {
	return &ImportReport{}, nil
}

func (b *blockingImporter) Apply(ctx context.Context, _, _ string, _ []byte, _ bool, _ func(int, int)) (*ImportReport, error) {
	close(b.started)
	var err error
	select {
	case <-b.release:
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.ended <- err
	return &ImportReport{}, err
}

func importServer(t *testing.T) (*Server, *blockingImporter) {
	t.Helper()
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "ecoz.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	imp := &blockingImporter{started: make(chan struct{}), release: make(chan struct{}), ended: make(chan error, 1)}
	srv, err := New(Config{Store: st, Views: os.DirFS("../../assets/views"), Static: os.DirFS("../../assets/static"), I18n: os.DirFS("../../assets/i18n"),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Importer: imp})
	if err != nil {
		t.Fatal(err)
	}
	return srv, imp
}

// Shutdown waits for an import running in the background before it returns (and
// main closes the store); one still running when its time is up is cancelled and
// waited for.
func TestShutdownWaitsForImports(t *testing.T) {
	admin := &app.User{ID: 1, Login: "admin", Role: app.RoleAdmin}
	t.Run("finishes", func(t *testing.T) {
		srv, imp := importServer(t)
		srv.startImport(&importJob{ID: "a", Kind: "buildings", Name: "houses.csv", Report: &ImportReport{}}, admin, false)
		<-imp.started
		returned := make(chan error, 1)
		go func() { returned <- srv.Shutdown(context.Background()) }()
		select {
		case <-returned:
			t.Fatal("Shutdown returned while an import was running")
		case <-time.After(200 * time.Millisecond):
		}
		close(imp.release)
		if err := <-imp.ended; err != nil {
			t.Fatalf("the import ended with %v, want done", err)
		}
		select {
		case <-returned:
		case <-time.After(10 * time.Second):
			t.Fatal("Shutdown did not return after the import finished")
		}
	})
	t.Run("time is up", func(t *testing.T) {
		srv, imp := importServer(t)
		srv.startImport(&importJob{ID: "b", Kind: "buildings", Name: "houses.csv", Report: &ImportReport{}}, admin, false)
		<-imp.started
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		srv.Shutdown(ctx)
		select {
		case err := <-imp.ended:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the import ended with %v, want cancelled", err)
			}
		default:
			t.Fatal("Shutdown returned before the cancelled import ended")
		}
	})
}
