package store_test

import (
	"context"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestRoutingByResponsible: each «responsible» of the catalogue sends a ticket to
// its organisation; where the building or the municipality has none, it goes to
// the management organisation and the route event says why.
func TestRoutingByResponsible(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	orgs := map[string]*app.Organization{}
	var bare *app.Building // a building with neither supplier nor lift contractor
	err := f.s.Write(ctx, func(tx *store.Tx) error {
		for _, o := range []*app.Organization{
			{Name: "Водоканал", Kind: app.OrgSupplier}, {Name: "Лифтсервис", Kind: app.OrgLift},
			{Name: "Регоператор ТКО", Kind: app.OrgWasteOperator}, {Name: "Горгаз", Kind: app.OrgGasService},
		} {
			if err := tx.SaveOrganization(o); err != nil {
				return err
			}
			orgs[string(o.Kind)] = o
		}
		f.building.SupplierID, f.building.LiftOrgID = orgs["supplier"].ID, orgs["lift"].ID
		if err := tx.SaveBuilding(f.building); err != nil {
			return err
		}
		bare = &app.Building{Address: "ул. Мира, д. 1", OrganizationID: f.org.ID}
		return tx.SaveBuilding(bare)
	})
	if err != nil {
		t.Fatal(err)
	}
	// GAS-02 (no gas supply) goes to the supplier by the catalogue; the
	// municipality sends it to the gas service instead.
	if err := f.s.UpdateWorkType(apptest.As(&app.User{Login: "admin", Role: app.RoleAdmin}), "GAS-02", store.WorkTypeEdit{RouteOverride: app.OrgGasService, Active: true}); err != nil {
		t.Fatal(err)
	}
	file := func(b *app.Building, wt string) (*app.Ticket, string) {
		t.Helper()
		tk, _, err := f.s.CreateTicket(apptest.As(f.operator), app.NewTicket{BuildingID: b.ID, Apartment: "1", WorkType: wt, Description: "Заявка", ReporterPhone: "+79121234567", HandedOff: true})
		if err != nil {
			t.Fatalf("%s: %v", wt, err)
		}
		evs, err := f.s.Events(apptest.As(f.operator), tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Action == app.ActionRoute {
				return tk, e.Note
			}
		}
		t.Fatalf("%s: no route event", tk.Number)
		return nil, ""
	}
	for _, c := range []struct {
		name, wt string
		b        **app.Building
		org      string // kind of the expected organisation; "management" = УК Тест
		why      string
	}{
		{"management", "CW-05", &f.building, "management", ""},
		{"supplier", "HW-02", &f.building, "supplier", ""},
		{"lift", "LIFT-01", &f.building, "lift", ""},
		{"waste operator", "WASTE-01", &f.building, "waste_operator", ""},
		{"gas service (the municipality's override)", "GAS-02", &f.building, "gas_service", ""},
		{"gas smell: the management organisation, for information", "GAS-01", &f.building, "management", "Звонок передан в 104; управляющей организации — для сведения и последующих работ."},
		{"lift, building without a lift contractor", "LIFT-02", &bare, "management", "У дома не указана лифтовая организация. Направлено в управляющую организацию дома."},
		{"supplier, building without one", "HW-02", &bare, "management", "У дома не указана ресурсоснабжающая организация. Направлено в управляющую организацию дома."},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk, why := file(*c.b, c.wt)
			want := f.org.ID
			if c.org != "management" {
				want = orgs[c.org].ID
			}
			if tk.Status != app.StatusRouted || tk.OrganizationID != want || why != c.why {
				t.Errorf("%s → %s org %d (%s), why %q; want org %d, why %q", c.wt, tk.Status, tk.OrganizationID, tk.OrgName, why, want, c.why)
			}
		})
	}

	// No regional waste operator, then two: the management organisation, and why.
	err = f.s.Write(ctx, func(tx *store.Tx) error {
		o := orgs["waste_operator"]
		o.Active = false
		return tx.SaveOrganization(o)
	})
	if err != nil {
		t.Fatal(err)
	}
	if tk, why := file(f.building, "WASTE-01"); tk.OrganizationID != f.org.ID || why != "В справочнике нет организации вида «Региональный оператор по ТКО». Направлено в управляющую организацию дома." {
		t.Errorf("no waste operator: org %d, why %q", tk.OrganizationID, why)
	}
	err = f.s.Write(ctx, func(tx *store.Tx) error {
		for _, n := range []string{"Регоператор-1", "Регоператор-2"} {
			if err := tx.SaveOrganization(&app.Organization{Name: n, Kind: app.OrgWasteOperator, Active: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tk, why := file(f.building, "WASTE-01"); tk.OrganizationID != f.org.ID || why != "В справочнике несколько действующих организаций вида «Региональный оператор по ТКО»: выберите вручную. Направлено в управляющую организацию дома." {
		t.Errorf("two waste operators: org %d, why %q", tk.OrganizationID, why)
	}
	// A lift contractor that stopped working.
	err = f.s.Write(ctx, func(tx *store.Tx) error {
		o := orgs["lift"]
		o.Active = false
		return tx.SaveOrganization(o)
	})
	if err != nil {
		t.Fatal(err)
	}
	if tk, why := file(f.building, "LIFT-01"); tk.OrganizationID != f.org.ID || why != "«Лифтсервис» не действует. Направлено в управляющую организацию дома." {
		t.Errorf("inactive lift contractor: org %d, why %q", tk.OrganizationID, why)
	}
	// A lift contractor must be of kind lift.
	err = f.s.SaveBuilding(ctx, &app.Building{ID: bare.ID, Address: bare.Address, OrganizationID: f.org.ID, LiftOrgID: orgs["supplier"].ID})
	if app.ErrorFields(err)["lift_org_id"] == "" {
		t.Errorf("a supplier as the lift contractor: %v", err)
	}
}
