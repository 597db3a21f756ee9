package rating_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// The fixture's day: 15 November 2026 in Moscow, which ends at 21:00 UTC. The
// window is the 30 days before that end.
const fixDay = "2026-11-15"

var fixEnd = time.Date(2026, 11, 15, 21, 0, 0, 0, time.UTC)

// fixture is a small municipality built through the domain's own operations, so
// that the audit trail is exactly what the product writes:
//   - «УК Альфа»: two buildings of 100 apartments; tickets A1–A13 below.
//   - «УК Бета»: one building of 50 apartments; ten tickets all handled perfectly.
//   - «УК Гамма»: one building of 100 apartments; three tickets, too few to rank.
//
// Every ticket is of work type ROOF-02: accept within 24 h, done within 120 h.
type fixture struct {
	s                *store.Store
	clock            *apptest.Clock
	op, uA, uB, uC   *app.User
	orgA, orgB, orgC int64
	n                map[string]string // fixture name → ticket number
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, clock := apptest.Open(t)
	f := &fixture{s: s, clock: clock, n: map[string]string{}}
	err := s.Write(context.Background(), func(tx *store.Tx) error {
		tx.SetNow(fixEnd.Add(-90 * 24 * time.Hour))
		f.op = &app.User{Login: "operator", Role: app.RoleOperator}
		if err := tx.CreateDemoUser(f.op); err != nil {
			return err
		}
		for i, spec := range []struct {
			name  string
			id    *int64
			u     **app.User
			login string
			apts  []int
		}{{"УК Альфа", &f.orgA, &f.uA, "uka", []int{100, 100}}, {"УК Бета", &f.orgB, &f.uB, "ukb", []int{50}}, {"УК Гамма", &f.orgC, &f.uC, "ukc", []int{100}}} {
			o := &app.Organization{Name: spec.name, Kind: app.OrgManagement}
			if err := tx.SaveOrganization(o); err != nil {
				return err
			}
			*spec.id = o.ID
			*spec.u = &app.User{Login: spec.login, Role: app.RoleOrg, OrganizationID: o.ID}
			if err := tx.CreateDemoUser(*spec.u); err != nil {
				return err
			}
			for j, a := range spec.apts {
				b := &app.Building{Address: fmt.Sprintf("ул. Тестовая, д. %d", 10*i+j+1), OrganizationID: o.ID, Apartments: a}
				if err := tx.SaveBuilding(b); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// step is one thing done to a ticket, h hours after its registration.
type step struct {
	h      float64
	who    string // "op", "A", "B", "C"
	action app.Action
	in     store.ActInput
}

// file registers a ticket by the operator at created, in the building of org, and
// takes the steps in order, each at its own time.
func (f *fixture) file(t *testing.T, name string, org int64, created time.Time, steps ...step) {
	t.Helper()
	f.fileWT(t, name, org, "ROOF-02", created, steps...)
}

// fileWT is file with another work type.
func (f *fixture) fileWT(t *testing.T, name string, org int64, wt string, created time.Time, steps ...step) {
	t.Helper()
	ctx := context.Background()
	err := f.s.Write(ctx, func(tx *store.Tx) error {
		tx.SetNow(created)
		tx.SetUser(f.op)
		bs, err := f.s.Buildings(ctx, org)
		if err != nil || len(bs) == 0 {
			return fmt.Errorf("buildings of %d: %v", org, err)
		}
		tk, err := tx.CreateTicket(app.NewTicket{BuildingID: bs[0].ID, WorkType: wt, Description: name, ReporterPhone: "+79120000000"})
		if err != nil {
			return err
		}
		f.n[name] = tk.Number
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, st := range steps {
		f.act(t, name, created.Add(time.Duration(st.h*float64(time.Hour))), st)
	}
}

func (f *fixture) act(t *testing.T, name string, at time.Time, st step) {
	t.Helper()
	u := map[string]*app.User{"op": f.op, "A": f.uA, "B": f.uB, "C": f.uC}[st.who]
	if st.in.Note == "" && (st.action == app.ActionReject || st.action == app.ActionCancel || st.action == app.ActionReturn) {
		st.in.Note = "причина"
	}
	err := f.s.Write(context.Background(), func(tx *store.Tx) error {
		tx.SetNow(at)
		tx.SetUser(u)
		_, err := tx.Act(f.n[name], st.action, st.in)
		return err
	})
	if err != nil {
		t.Fatalf("%s %s at %s: %v", name, st.action, at, err)
	}
}

func days(d float64) time.Duration { return time.Duration(d * 24 * float64(time.Hour)) }

// build files the tickets of the hand-worked example; T is the day's end.
func (f *fixture) build(t *testing.T) {
	T := fixEnd
	op := func(h float64, a app.Action) step { return step{h: h, who: "op", action: a} }
	A := func(h float64, a app.Action) step { return step{h: h, who: "A", action: a} }
	acc, done, ok, rej := app.ActionAccept, app.ActionDone, app.ActionConfirm, app.ActionReject
	// УК Альфа. Registered at c; accept due c+24h, done due c+120h.
	f.file(t, "A1", f.orgA, T.Add(-days(20)), A(2, acc), A(50, done), op(60, ok))                                       // all good
	f.file(t, "A2", f.orgA, T.Add(-days(20)), A(30, acc), A(100, done), op(110, ok))                                    // accepted late
	f.file(t, "A3", f.orgA, T.Add(-days(20)), A(1, acc), A(130, done), op(140, ok))                                     // done late
	f.file(t, "A4", f.orgA, T.Add(-days(20)), A(1, acc), A(50, done), op(60, rej), A(62, acc), A(70, done), op(80, ok)) // redone in time
	f.file(t, "A5", f.orgA, T.Add(-days(20)), A(1, acc), A(50, done), op(60, rej))                                      // reopened, still open
	f.file(t, "A6", f.orgA, T.Add(-days(10)), A(1, acc), A(20, done))                                                   // awaits confirmation
	f.file(t, "A7", f.orgA, T.Add(-days(2)), A(1, acc))                                                                 // in work
	f.file(t, "A8", f.orgA, T.Add(-days(2)))                                                                            // never accepted
	f.file(t, "A9", f.orgA, T.Add(-12*time.Hour))                                                                       // just arrived
	f.file(t, "A10", f.orgA, T.Add(-days(8)))
	f.file(t, "A11", f.orgA, T.Add(-days(8)).Add(30*time.Minute), step{h: 0.5, who: "op", action: app.ActionLink, in: store.ActInput{Parent: f.n["A10"]}})
	for _, st := range []step{A(3, acc), A(40, done), op(50, ok)} { // A10 carries A11 along
		f.act(t, "A10", T.Add(-days(8)).Add(time.Duration(st.h*float64(time.Hour))), st)
	}
	f.file(t, "A12", f.orgA, T.Add(-days(5)), op(1, app.ActionCancel))
	f.file(t, "A13", f.orgA, T.Add(-days(40)), A(1, acc)) // old, stuck in work
	// УК Бета: ten tickets handled perfectly.
	for i := 0; i < 10; i++ {
		f.file(t, fmt.Sprint("B", i+1), f.orgB, T.Add(-days(10)).Add(time.Duration(i)*time.Hour),
			step{h: 1, who: "B", action: acc}, step{h: 10, who: "B", action: done}, op(20, ok))
	}
	// УК Гамма: three tickets.
	for i := 0; i < 3; i++ {
		f.file(t, fmt.Sprint("C", i+1), f.orgC, T.Add(-days(3)), step{h: 1, who: "C", action: acc})
	}
}
