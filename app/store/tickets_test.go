package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// fixture is a municipality with one organisation, one building and the
// people who act on tickets.
type fixture struct {
	s        *store.Store
	clock    *apptest.Clock
	building *app.Building
	org      *app.Organization
	operator *app.User
	disp     *app.User
	resident *app.User
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, clock := apptest.Open(t)
	f := &fixture{s: s, clock: clock}
	ctx := context.Background()
	err := s.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(store.SetMunicipalityCode, "TST"); err != nil {
			return err
		}
		f.org = &app.Organization{Name: "УК Тест", Kind: app.OrgManagement, INN: "1106012343"}
		if err := tx.SaveOrganization(f.org); err != nil {
			return err
		}
		f.building = &app.Building{Address: "ул. Ленина, д. 5", OrganizationID: f.org.ID, Apartments: 40}
		if err := tx.SaveBuilding(f.building); err != nil {
			return err
		}
		f.operator = &app.User{Login: "op", Role: app.RoleOperator}
		f.disp = &app.User{Login: "disp", Role: app.RoleOrg, OrganizationID: f.org.ID}
		f.resident = &app.User{Login: "res", Role: app.RoleResident, Phone: "+79121112233", Name: "Жительница"}
		for _, u := range []*app.User{f.operator, f.disp, f.resident} {
			if err := tx.CreateUser(u, "password1"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) file(t *testing.T, u *app.User, wt string) *app.Ticket {
	t.Helper()
	tk, _, err := f.s.CreateTicket(apptest.As(u), app.NewTicket{BuildingID: f.building.ID, Apartment: "12", WorkType: wt, Description: "Течёт", ReporterName: "Иван", ReporterPhone: "8 912 345-67-89"})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *fixture) act(t *testing.T, u *app.User, number string, a app.Action, note string) *app.Ticket {
	t.Helper()
	tk, err := f.s.Act(apptest.As(u), number, a, store.ActInput{Note: note})
	if err != nil {
		t.Fatalf("%s %s: %v", u.Login, a, err)
	}
	return tk
}

func TestLifecycleFromCallToConfirmedFix(t *testing.T) {
	f := newFixture(t)
	tk := f.file(t, f.operator, "ROOF-01")
	if tk.Number != "TST-000001" || tk.Status != app.StatusRouted || tk.OrganizationID != f.org.ID {
		t.Fatalf("filed by operator: got %s %s org %d", tk.Number, tk.Status, tk.OrganizationID)
	}
	if tk.ReporterPhone != "+79123456789" {
		t.Errorf("phone stored as %q, want E.164", tk.ReporterPhone)
	}
	if want := apptest.Now.Add(24 * time.Hour); !tk.DueAt.Equal(want) {
		t.Errorf("due %v, want %v (ROOF-01: 24 h)", tk.DueAt, want)
	}
	due := tk.DueAt
	f.clock.Advance(time.Hour)
	f.act(t, f.disp, tk.Number, app.ActionAccept, "")
	f.act(t, f.disp, tk.Number, app.ActionDone, "Заделали")
	tk = f.act(t, f.operator, tk.Number, app.ActionReject, "Всё ещё течёт")
	if tk.Status != app.StatusReopened || tk.ReopenCount != 1 || !tk.DueAt.Equal(due) {
		t.Fatalf("after reject: %s reopen %d due %v", tk.Status, tk.ReopenCount, tk.DueAt)
	}
	f.clock.Advance(30 * time.Hour)
	f.act(t, f.disp, tk.Number, app.ActionAccept, "")
	f.act(t, f.disp, tk.Number, app.ActionDone, "")
	tk = f.act(t, f.operator, tk.Number, app.ActionConfirm, "")
	if tk.Status != app.StatusClosed || tk.DoneOnTime == nil || *tk.DoneOnTime {
		t.Fatalf("closed late: status %s on time %v", tk.Status, tk.DoneOnTime)
	}
	evs, err := f.s.Events(apptest.As(f.operator), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	var actions []app.Action
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	want := []app.Action{"create", "route", "accept", "done", "reject", "accept", "done", "confirm"}
	if len(actions) != len(want) {
		t.Fatalf("events %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("events %v, want %v", actions, want)
		}
	}
}

func TestResidentTicketRoutedAtFiling(t *testing.T) {
	f := newFixture(t)
	tk := f.file(t, f.resident, "CW-05")
	// Ленина 5 is served by «УК Тест»: the resident's ticket lands there at once,
	// by the same rule as an operator's.
	if tk.Status != app.StatusRouted || tk.OrganizationID != f.org.ID || tk.OrgName != "УК Тест" || tk.Source != app.SourcePortal || tk.ResidentID != f.resident.ID {
		t.Fatalf("resident's ticket: %s org %d %q %s resident %d", tk.Status, tk.OrganizationID, tk.OrgName, tk.Source, tk.ResidentID)
	}
	if _, err := f.s.Ticket(apptest.As(f.disp), tk.Number); err != nil {
		t.Fatalf("org cannot see the ticket routed to it: %v", err)
	}
	evs, err := f.s.Events(apptest.As(f.operator), tk.Number)
	if err != nil || len(evs) != 2 || evs[0].Action != app.ActionCreate || evs[1].Action != app.ActionRoute || !evs[1].At.Equal(apptest.Now) {
		t.Fatalf("events: %+v %v", evs, err)
	}
}

func TestTicketWaitsWhenNobodyIsKnown(t *testing.T) {
	f := newFixture(t)
	// The building's organisation has stopped work: nobody can take the ticket, so
	// it waits as new for an operator instead of being refused.
	f.org.Active = false
	if err := f.s.SaveOrganization(context.Background(), f.org); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*app.User{f.resident, f.operator} {
		tk := f.file(t, u, "CW-05")
		if tk.Status != app.StatusNew || tk.OrganizationID != 0 {
			t.Fatalf("%s's ticket with nobody to route to: %s org %d", u.Login, tk.Status, tk.OrganizationID)
		}
		if _, err := f.s.Ticket(apptest.As(f.disp), tk.Number); app.ErrorCode(err) != app.ENOTFOUND {
			t.Fatalf("org sees unrouted ticket: %v", err)
		}
	}
}

func TestLinkedTicketMovesWithParent(t *testing.T) {
	f := newFixture(t)
	parent := f.file(t, f.operator, "HEAT-02")
	child := f.file(t, f.operator, "HEAT-02")
	f.act(t, f.operator, child.Number, app.ActionComment, "звонок соседа")
	if _, err := f.s.Act(apptest.As(f.operator), child.Number, app.ActionLink, store.ActInput{Parent: parent.Number}); err != nil {
		t.Fatal(err)
	}
	f.act(t, f.disp, parent.Number, app.ActionAccept, "")
	f.act(t, f.disp, parent.Number, app.ActionDone, "")
	c, _ := f.s.Ticket(apptest.As(f.operator), child.Number)
	if c.Status != app.StatusDone || c.ParentNumber != parent.Number {
		t.Fatalf("child: %s parent %q", c.Status, c.ParentNumber)
	}
	// Each resident confirms for themself.
	f.act(t, f.operator, parent.Number, app.ActionConfirm, "")
	c = f.act(t, f.operator, child.Number, app.ActionReject, "у меня холодно")
	if c.Status != app.StatusReopened {
		t.Fatalf("child after reject: %s", c.Status)
	}
	// Parted ways: the organisation accepts the child on its own.
	f.act(t, f.disp, child.Number, app.ActionAccept, "")
}

func TestDuplicatesOfSameBuildingAndCategory(t *testing.T) {
	f := newFixture(t)
	first := f.file(t, f.operator, "HEAT-02")
	_, dups, err := f.s.CreateTicket(apptest.As(f.operator), app.NewTicket{BuildingID: f.building.ID, WorkType: "HEAT-03", Description: "Холодно", ReporterPhone: "+79120000000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(dups) != 1 || dups[0].Number != first.Number {
		t.Fatalf("duplicates %v, want %s", dups, first.Number)
	}
	want := app.TicketBrief{Number: first.Number, Status: first.Status, Apartment: first.Apartment, Description: first.Description, CreatedAt: first.CreatedAt,
		WorkType: app.WorkTypeRef{Code: "HEAT-02", Name: first.WorkType.Name, Category: first.WorkType.Category, Emergency: first.WorkType.Emergency}}
	if dups[0] != want {
		t.Errorf("the duplicate in brief:\n got %+v\nwant %+v", dups[0], want)
	}
}

// TestRelinkCarriesLinkedCalls: when a ticket that already has calls linked to it
// is itself linked to another, those calls follow the new parent — each as a change
// of its own, with a new version and a line in its trail.
func TestRelinkCarriesLinkedCalls(t *testing.T) {
	f := newFixture(t)
	root := f.file(t, f.operator, "HEAT-02")
	mid := f.file(t, f.operator, "HEAT-02")
	leaf := f.file(t, f.operator, "HEAT-02")
	if _, err := f.s.Act(apptest.As(f.operator), leaf.Number, app.ActionLink, store.ActInput{Parent: mid.Number}); err != nil {
		t.Fatal(err)
	}
	f.act(t, f.disp, root.Number, app.ActionAccept, "")
	before, _ := f.s.Ticket(apptest.As(f.operator), leaf.Number)
	if _, err := f.s.Act(apptest.As(f.operator), mid.Number, app.ActionLink, store.ActInput{Parent: root.Number}); err != nil {
		t.Fatal(err)
	}
	after, _ := f.s.Ticket(apptest.As(f.operator), leaf.Number)
	if after.ParentNumber != root.Number || after.Status != app.StatusAccepted || after.Version != before.Version+1 || after.Seq <= before.Seq {
		t.Fatalf("leaf after relink: parent %s status %s version %d→%d", after.ParentNumber, after.Status, before.Version, after.Version)
	}
	// From now on it moves with the root.
	f.act(t, f.disp, root.Number, app.ActionDone, "")
	for _, n := range []string{mid.Number, leaf.Number} {
		if tk, _ := f.s.Ticket(apptest.As(f.operator), n); tk.Status != app.StatusDone {
			t.Errorf("%s: %s after the root was done", n, tk.Status)
		}
	}
}
