package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWritesAnsweredOnlyWhenDurable: a committed write is answered only once the
// fsync after its commit has returned; the writer does not wait for it — the
// writes that come meanwhile are committed (and can be read) while the first is
// still unanswered, and one fsync answers all of them. A failed fsync is reported
// to the writers, in Russian.
func TestWritesAnsweredOnlyWhenDurable(t *testing.T) {
	schema, err := os.ReadFile(filepath.Join("..", "..", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(t.TempDir(), "ecoz.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("CREATE TABLE sync_probe (n INTEGER)")
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The disk, played by the test: each fsync waits for the test's word.
	s.syncer.close()
	var syncs atomic.Int64
	release := make(chan error)
	s.syncer = newSyncer(func() error {
		syncs.Add(1)
		return <-release
	})
	write := func(n int) error {
		return s.Write(ctx, func(tx *Tx) error {
			_, err := tx.exec("INSERT INTO sync_probe (n) VALUES (?)", n)
			return err
		})
	}
	count := func() int {
		var c int
		if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM sync_probe").Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}

	var wg sync.WaitGroup
	errs := make([]error, 6)
	answered := make([]atomic.Bool, 6)
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = write(i)
			answered[i].Store(true)
		}()
	}
	start(0)
	waitFor(t, func() bool { return syncs.Load() == 1 }) // committed, its fsync under way
	if answered[0].Load() {
		t.Fatal("the write was answered before its fsync returned")
	}
	// The writer is free: five more writes commit while the first fsync waits.
	for i := 1; i < 6; i++ {
		start(i)
	}
	waitFor(t, func() bool { return count() == 6 })
	for i := range answered {
		if answered[i].Load() {
			t.Fatalf("write %d answered before any fsync returned", i)
		}
	}
	release <- nil // the first fsync: answers the first write
	release <- nil // the next one covers the five committed meanwhile
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if n := syncs.Load(); n != 2 {
		t.Errorf("%d fsyncs for six writes, want 2: the five committed during the first share the next", n)
	}

	// A disk that fails: the write is reported as not saved.
	done := make(chan error)
	go func() { done <- write(7) }()
	release <- errors.New("input/output error")
	if err := <-done; err == nil || !strings.Contains(err.Error(), "запись не сохранена на диск") {
		t.Errorf("after a failed fsync: %v, want «запись не сохранена на диск»", err)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
