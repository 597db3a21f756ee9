package web_test

import (
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"pgregory.net/rapid"
)

// snapshot is what the invariants compare before and after an action.
type snapshot struct {
	t      *app.Ticket
	events []app.Event
}

func (f *fixture) snap(t *rapid.T, number string) snapshot {
	ctx := f.as("operator")
	tk, err := f.s.Ticket(ctx, number)
	if err != nil {
		t.Fatalf("ticket %s: %v", number, err)
	}
	evs, err := f.s.Events(ctx, number)
	if err != nil {
		t.Fatalf("events %s: %v", number, err)
	}
	return snapshot{tk, evs}
}

func nonComment(evs []app.Event) int {
	n := 0
	for _, e := range evs {
		if e.Action != app.ActionComment {
			n++
		}
	}
	return n
}

// TestRandomActionsKeepInvariants: random sequences of actions by random people on
// a few tickets never break the lifecycle — a ticket is closed only by a
// confirmation; every change is one audit event and one new version (so version ==
// the number of non-comment events); due_at never moves; the global change sequence
// only grows; an action that fails changes nothing.
func TestRandomActionsKeepInvariants(t *testing.T) {
	f := newFixture(t)
	orgIDs := []int64{0, f.org.ID, f.org2.ID, f.supplier.ID, 999}
	rapid.Check(t, func(rt *rapid.T) {
		var numbers []string
		due := map[string]time.Time{}
		for i, n := 0, rapid.IntRange(1, 3).Draw(rt, "tickets"); i < n; i++ {
			by := rapid.SampledFrom([]string{"operator", "resident", "resident2", "supervisor"}).Draw(rt, "filer")
			wt := rapid.SampledFrom([]string{"CW-05", "GAS-01", "HW-02", "ROOF-01"}).Draw(rt, "work_type")
			b := rapid.SampledFrom([]int64{f.lenina.ID, f.mira.ID}).Draw(rt, "building")
			tk, _, err := f.s.CreateTicket(f.as(by), app.NewTicket{BuildingID: b, WorkType: wt, Description: "Описание", ReporterPhone: "+79123456789", HandedOff: true})
			if wt == "GAS-01" && f.users[by].Role == app.RoleResident { // a gas smell is not filed online
				if app.ErrorCode(err) != app.EINVALID {
					rt.Fatalf("a resident filed a gas smell: %v", err)
				}
				continue
			}
			if err != nil {
				rt.Fatalf("create as %s: %v", by, err)
			}
			numbers = append(numbers, tk.Number)
			due[tk.Number] = tk.DueAt
		}
		if len(numbers) == 0 {
			return
		}
		lastSeq := func() int64 {
			var max int64
			for _, n := range numbers {
				if s := f.snap(rt, n).t.Seq; s > max {
					max = s
				}
			}
			return max
		}
		for step, steps := 0, rapid.IntRange(1, 60).Draw(rt, "steps"); step < steps; step++ {
			number := rapid.SampledFrom(numbers).Draw(rt, "ticket")
			a := rapid.SampledFrom(app.TicketActions).Draw(rt, "action")
			// Mostly someone whose role may take the action, so that the tickets
			// get far along their lifecycle; sometimes anyone at all.
			login := rapid.SampledFrom(fixtureLogins).Draw(rt, "who")
			if rapid.IntRange(0, 3).Draw(rt, "fit") > 0 {
				var fit []string
				for _, l := range fixtureLogins {
					if hasRole(contract[a].roles, f.users[l].Role) {
						fit = append(fit, l)
					}
				}
				login = rapid.SampledFrom(fit).Draw(rt, "fit-who")
			}
			in := store.ActInput{
				Note:           rapid.SampledFrom([]string{"", "причина"}).Draw(rt, "note"),
				OrganizationID: rapid.SampledFrom(orgIDs).Draw(rt, "org"),
				Parent:         rapid.SampledFrom(numbers).Draw(rt, "parent"),
			}
			f.clock.Advance(time.Duration(rapid.IntRange(0, 48*60).Draw(rt, "minutes")) * time.Minute)

			before := map[string]snapshot{}
			for _, n := range numbers {
				before[n] = f.snap(rt, n)
			}
			seqBefore := lastSeq()
			got, err := f.s.Act(f.as(login), number, a, in)
			changed := 0
			for _, n := range numbers {
				b, now := before[n], f.snap(rt, n)
				if !now.t.DueAt.Equal(due[n]) || !now.t.AcceptDueAt.Equal(b.t.AcceptDueAt) {
					rt.Fatalf("%s: deadlines moved from %v to %v after %s by %s", n, b.t.DueAt, now.t.DueAt, a, login)
				}
				if now.t.Version < b.t.Version {
					rt.Fatalf("%s: version went back from %d to %d", n, b.t.Version, now.t.Version)
				}
				if int64(nonComment(now.events)) != now.t.Version {
					rt.Fatalf("%s: version %d but %d change events", n, now.t.Version, nonComment(now.events))
				}
				if now.t.Version > b.t.Version {
					changed++
					if now.t.Version != b.t.Version+1 || len(now.events) != len(b.events)+1 {
						rt.Fatalf("%s: one change made version %d→%d and events %d→%d", n, b.t.Version, now.t.Version, len(b.events), len(now.events))
					}
					if now.t.Seq <= seqBefore {
						rt.Fatalf("%s: changed with seq %d, not above the last %d", n, now.t.Seq, seqBefore)
					}
					last := now.events[len(now.events)-1]
					if last.From != b.t.Status || last.To != now.t.Status {
						rt.Fatalf("%s: event %s→%s for a move %s→%s", n, last.From, last.To, b.t.Status, now.t.Status)
					}
				} else if now.t.Seq != b.t.Seq {
					rt.Fatalf("%s: seq moved without a change", n)
				}
				if now.t.Status == app.StatusClosed && b.t.Status != app.StatusClosed {
					last := now.events[len(now.events)-1]
					if last.Action != app.ActionConfirm || n != number || now.t.DoneOnTime == nil || now.t.ClosedAt.IsZero() {
						rt.Fatalf("%s: closed by %s (done_on_time %v)", n, last.Action, now.t.DoneOnTime)
					}
				}
				if b.t.Status.Final() && now.t.Status != b.t.Status {
					rt.Fatalf("%s: left final status %s for %s", n, b.t.Status, now.t.Status)
				}
			}
			if err != nil {
				if changed != 0 || len(f.snap(rt, number).events) != len(before[number].events) {
					rt.Fatalf("%s by %s failed (%v) but changed the tickets", a, login, err)
				}
				if c := app.ErrorCode(err); c == app.EINTERNAL {
					rt.Fatalf("%s by %s: internal error %v", a, login, err)
				}
				continue
			}
			if a == app.ActionComment || a == app.ActionClaim {
				// Neither changes the ticket: a comment is an event, a claim only
				// keeps colleagues off the same resident for ten minutes.
				if changed != 0 {
					rt.Fatalf("a %s changed %d tickets", a, changed)
				}
			} else if changed == 0 || got.Version != before[number].t.Version+1 {
				rt.Fatalf("%s by %s succeeded without a new version of %s", a, login, number)
			}
		}
	})
}
