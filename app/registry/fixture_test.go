package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// centre opens a municipal centre's database in dir with code, five management
// organisations (dispatchers uk1…uk5), 200 buildings, an operator and an admin
// (passwords = logins), and n tickets filed through the domain: every 3rd accepted,
// every 6th done too. Descriptions carry a phone and an e-mail, to be masked.
func centre(t testing.TB, dir, code string, n int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(dir, "ecoz.db"), apptest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	orgUsers := map[int64]*app.User{}
	var op *app.User
	var wts []*app.WorkType
	err = s.Write(ctx, func(tx *store.Tx) error {
		for k, v := range map[string]string{store.SetMunicipalityCode: code, store.SetMunicipalityName: "Тестовый " + code} {
			if err := tx.SetSetting(k, v); err != nil {
				return err
			}
		}
		f, err := os.Open(filepath.Join(apptest.Root(), "assets", "data", "work_types.csv"))
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := tx.LoadWorkTypes(f); err != nil {
			return err
		}
		all, err := tx.WorkTypes()
		if err != nil {
			return err
		}
		for _, w := range all {
			if w.Active && !w.Supplier {
				wts = append(wts, w)
			}
		}
		op = &app.User{Login: "operator", Role: app.RoleOperator}
		if err := tx.CreateDemoUser(op); err != nil {
			return err
		}
		if err := tx.CreateDemoUser(&app.User{Login: "admin", Role: app.RoleAdmin}); err != nil {
			return err
		}
		for i := 1; i <= 5; i++ {
			o := &app.Organization{Name: fmt.Sprintf("УК «Дом-%d»", i), Kind: app.OrgManagement}
			if err := tx.SaveOrganization(o); err != nil {
				return err
			}
			u := &app.User{Login: fmt.Sprintf("uk%d", i), Role: app.RoleOrg, OrganizationID: o.ID}
			if err := tx.CreateDemoUser(u); err != nil {
				return err
			}
			orgUsers[o.ID] = u
		}
		for i := 0; i < 200; i++ {
			b := &app.Building{Address: fmt.Sprintf("ул. Тестовая %d, д. %d", i/20+1, i%20+1), OrganizationID: int64(i%5 + 1), Apartments: 60}
			if err := tx.SaveBuilding(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	const per = 2000 // tickets per transaction
	for done := 0; done < n; done += per {
		err := s.Write(ctx, func(tx *store.Tx) error {
			for i := done; i < min(done+per, n); i++ {
				tx.SetUser(op)
				tk, err := tx.CreateTicket(app.NewTicket{BuildingID: int64(i%200 + 1), Apartment: fmt.Sprint(i%90 + 1), WorkType: wts[i%len(wts)].Code,
					Description:  fmt.Sprintf("Заявка %d. Перезвоните: +7 (912) 555-%02d-%02d, почта jitel%d@mail.ru", i, i%100, i/100%100, i),
					ReporterName: "Житель", ReporterPhone: fmt.Sprintf("+7912%07d", i)})
				if err != nil {
					return err
				}
				if i%3 == 0 {
					tx.SetUser(orgUsers[tk.OrganizationID])
					if _, err := tx.Act(tk.Number, app.ActionAccept, store.ActInput{}); err != nil {
						return err
					}
					if i%6 == 0 {
						if _, err := tx.Act(tk.Number, app.ActionDone, store.ActInput{}); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// touchAll moves every ticket of s one step on, as its organisation: routed
// ones are accepted, accepted ones reported done. It returns how many changed.
func touchAll(t testing.TB, s *store.Store) int {
	t.Helper()
	ctx := context.Background()
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byOrg := map[int64]*app.User{}
	var op *app.User
	for _, u := range users {
		switch u.Role {
		case app.RoleOrg:
			byOrg[u.OrganizationID] = u
		case app.RoleOperator:
			op = u
		}
	}
	var list []*app.Ticket
	for after := ""; ; {
		page, next, err := s.Tickets(app.WithUser(ctx, op), store.TicketFilter{Statuses: []app.Status{app.StatusRouted, app.StatusAccepted}, Limit: 500, After: after})
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, page...)
		if next == "" {
			break
		}
		after = next
	}
	err = s.Write(ctx, func(tx *store.Tx) error {
		for _, tk := range list {
			tx.SetUser(byOrg[tk.OrganizationID])
			a := app.ActionAccept
			if tk.Status == app.StatusAccepted {
				a = app.ActionDone
			}
			if _, err := tx.Act(tk.Number, a, store.ActInput{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}
