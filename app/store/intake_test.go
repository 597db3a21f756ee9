package store_test

import (
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// The intake form's call about an incident already filed: the new ticket is
// filed and linked in one transaction; a bad parent leaves nothing behind.
func TestFileLinked(t *testing.T) {
	f := newFixture(t)
	parent := f.file(t, f.operator, "HEAT-02")
	n := app.NewTicket{BuildingID: f.building.ID, Apartment: "14", WorkType: "HEAT-02", Description: "Холодно и у нас", ReporterName: "Пётр", ReporterPhone: "8 912 000-00-01"}
	tk, _, err := f.s.FileLinked(apptest.As(f.operator), n, parent.Number, "")
	if err != nil {
		t.Fatal(err)
	}
	if tk.ParentNumber != parent.Number || tk.Status != parent.Status {
		t.Fatalf("filed %s: parent %q status %s, want %s %s", tk.Number, tk.ParentNumber, tk.Status, parent.Number, parent.Status)
	}
	before, err := f.s.CountTickets(apptest.As(f.operator), store.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.FileLinked(apptest.As(f.operator), n, "NOPE-000001", ""); err == nil {
		t.Fatal("linked to a ticket that does not exist")
	}
	after, _ := f.s.CountTickets(apptest.As(f.operator), store.TicketFilter{})
	if after != before {
		t.Fatalf("a failed link left a ticket behind: %d tickets, were %d", after, before)
	}
	// Without a parent it is a plain filing.
	plain, _, err := f.s.FileLinked(apptest.As(f.operator), n, "", "")
	if err != nil || plain.ParentNumber != "" {
		t.Fatalf("plain filing: %+v %v", plain, err)
	}
}
