package apptest

import (
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

func TestBulkDatabaseIsConsistent(t *testing.T) {
	s, _ := OpenBulk(t, 3000)
	ctx := As(&app.User{Role: app.RoleSupervisor})
	n, err := s.CountTickets(ctx, store.TicketFilter{})
	if err != nil || n != 3000 {
		t.Fatalf("count %d, %v", n, err)
	}
	open, err := s.CountTickets(ctx, store.TicketFilter{Statuses: app.OpenStatuses})
	if err != nil || open == 0 || open > 300 {
		t.Fatalf("open tickets %d (%v): want some, and few of 3000", open, err)
	}
	list, _, err := s.Tickets(ctx, store.TicketFilter{Limit: 1})
	if err != nil || len(list) != 1 || list[0].Number != "BLK-0003000" {
		t.Fatalf("newest ticket: %v %v", list, err)
	}
	evs, err := s.Events(ctx, list[0].Number)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events %v %v", evs, err)
	}
}
