// Command centrefill fills a municipal centre's database for the registry's
// end-to-end test, outside the test process: under the race detector, which
// instruments SQLite too, the same statements take minutes inside it.
//
//	centrefill fill SCHEMA DIR CODE N WORKTYPES.csv   a centre with N routed tickets
//	centrefill touch SCHEMA DIR         one more change to every routed or accepted ticket
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	store.BcryptCost = bcrypt.MinCost
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: centrefill fill SCHEMA DIR CODE N WORKTYPES.csv | touch SCHEMA DIR")
		os.Exit(2)
	}
	schema, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	s, err := store.Open(filepath.Join(os.Args[3], "ecoz.db"), string(schema))
	if err != nil {
		fail(err)
	}
	defer s.Close()
	switch os.Args[1] {
	case "fill":
		n, _ := strconv.Atoi(os.Args[5])
		err = fill(s, os.Args[4], n, os.Args[6])
	case "touch":
		var n int
		n, err = touch(s)
		fmt.Println(n)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "centrefill:", err)
	os.Exit(1)
}

func fill(s *store.Store, code string, n int, workTypes string) error {
	ctx := context.Background()
	var wts []*app.WorkType
	err := s.Write(ctx, func(tx *store.Tx) error {
		for k, v := range map[string]string{store.SetMunicipalityCode: code, store.SetMunicipalityName: "Тестовый " + code} {
			if err := tx.SetSetting(k, v); err != nil {
				return err
			}
		}
		f, err := os.Open(workTypes)
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
			if w.Active && w.Routes() == app.OrgManagement && w.Handoff == "" {
				wts = append(wts, w)
			}
		}
		if err := tx.CreateDemoUser(&app.User{Login: "operator", Role: app.RoleOperator}); err != nil {
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
			if err := tx.CreateDemoUser(&app.User{Login: fmt.Sprintf("uk%d", i), Role: app.RoleOrg, OrganizationID: o.ID}); err != nil {
				return err
			}
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
		return err
	}
	// The tickets themselves in one statement: the domain's path, one ticket at a
	// time, takes minutes under the race detector, which instruments SQLite too.
	// Like an operator's, each is routed to its building's organisation (version 2).
	wt := wts[0]
	at := time.Now().Add(-48 * time.Hour).Unix()
	err = s.Write(ctx, func(tx *store.Tx) error {
		return tx.Raw(func(exec func(q string, args ...any) error) error {
			return exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				INSERT INTO tickets(id, number, status, source, work_type, category, emergency, building_id, apartment, description,
				  reporter_name, reporter_phone, organization_id, created_at, accept_due_at, due_at, version, seq, updated_at)
				SELECT i, printf('%s-%06d', ?, i), 'routed', 'phone', ?, ?, 0, b.id, i % 90 + 1,
				  printf('Заявка %d. Перезвоните: +7 (912) 555-%02d-%02d, почта jitel%d@mail.ru', i, i % 100, i / 100 % 100, i),
				  'Житель', printf('+7912%07d', i), b.organization_id, ? + i, ? + i + 86400, ? + i + 259200, 2, i, ? + i
				FROM n JOIN buildings b ON b.id = (i - 1) % 200 + 1`, n, code, wt.Code, wt.Category, at, at, at, at)
		})
	})
	return err
}

// touchAll moves every ticket of s one step on, as its organisation would: routed
// ones are accepted, accepted ones reported done, each a new version with a new
// change sequence (in plain SQL, for speed under the race detector). It returns
// how many changed.
func touch(s *store.Store) (int, error) {
	ctx := context.Background()
	st, err := s.ExportState(ctx)
	if err != nil {
		return 0, err
	}
	now := time.Now().Unix()
	n, err := s.CountTickets(app.WithUser(ctx, &app.User{Role: app.RoleOperator}), store.TicketFilter{Statuses: []app.Status{app.StatusRouted, app.StatusAccepted}})
	if err != nil {
		return 0, err
	}
	err = s.Write(ctx, func(tx *store.Tx) error {
		return tx.Raw(func(exec func(q string, args ...any) error) error {
			return exec(`UPDATE tickets SET
				status = CASE status WHEN 'routed' THEN 'accepted' ELSE 'done' END,
				accepted_at = COALESCE(accepted_at, ?1), done_at = CASE status WHEN 'accepted' THEN ?1 END,
				version = version + 1, seq = ?2 + id, updated_at = ?1
				WHERE status IN ('routed', 'accepted')`, now, st.LastSeq)
		})
	})
	return n, err
}
