package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestGroupCommitIsolatesWrites: many writers at once share transactions, yet one
// failing, erring half-way or panicking undoes only its own changes — the others
// are stored, and the ticket numbers stay without gaps.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	f := newFixture(t)
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, n)
	numbers := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx := apptest.As(f.operator)
			switch i % 4 {
			case 0: // valid
				tk, _, err := f.s.CreateTicket(ctx, app.NewTicket{BuildingID: f.building.ID, WorkType: "ROOF-01", Description: "Течёт", ReporterPhone: "+79123456789"})
				errs[i] = err
				if err == nil {
					numbers[i] = tk.Number
				}
			case 1: // refused by validation
				_, _, errs[i] = f.s.CreateTicket(ctx, app.NewTicket{BuildingID: 999, WorkType: "ROOF-01", Description: "Течёт", ReporterPhone: "+79123456789"})
			case 2: // stores a ticket, then fails: the ticket must go with it
				errs[i] = f.s.Write(ctx, func(tx *store.Tx) error {
					if _, err := tx.CreateTicket(app.NewTicket{BuildingID: f.building.ID, WorkType: "ROOF-01", Description: "Откатится", ReporterPhone: "+79123456789"}); err != nil {
						return err
					}
					return errors.New("передумали")
				})
			case 3: // panics after storing a ticket
				errs[i] = f.s.Write(ctx, func(tx *store.Tx) error {
					if _, err := tx.CreateTicket(app.NewTicket{BuildingID: f.building.ID, WorkType: "ROOF-01", Description: "Паника", ReporterPhone: "+79123456789"}); err != nil {
						return err
					}
					panic("сбой")
				})
			}
		}(i)
	}
	wg.Wait()
	var got []string
	for i, err := range errs {
		if (i%4 == 0) != (err == nil) {
			t.Errorf("writer %d (kind %d): %v", i, i%4, err)
		}
		if numbers[i] != "" {
			got = append(got, numbers[i])
		}
	}
	sort.Strings(got)
	for i, num := range got {
		if want := fmt.Sprintf("TST-%06d", i+1); num != want {
			t.Fatalf("numbers %v: a gap at %s", got, want)
		}
	}
	count, err := f.s.CountTickets(apptest.As(f.operator), store.TicketFilter{})
	if err != nil || count != len(got) {
		t.Fatalf("%d tickets stored, %d acknowledged (%v)", count, len(got), err)
	}
	// The store still works after all that.
	if tk := f.file(t, f.operator, "ROOF-01"); tk.Number != fmt.Sprintf("TST-%06d", len(got)+1) {
		t.Fatalf("next number %s", tk.Number)
	}
}

// TestCancelledWriteIsNotRun: a request that gave up before its turn is not applied.
func TestCancelledWriteIsNotRun(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(apptest.As(f.operator))
	cancel()
	ran := false
	err := f.s.Write(ctx, func(tx *store.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("cancelled write: ran %v, err %v", ran, err)
	}
}
