package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestQueueKeyInGoAndSQL: the working order written with every change (Go) and the
// one computed for the upgrade and for bulk loads (SQL) agree on every demo ticket.
func TestQueueKeyInGoAndSQL(t *testing.T) {
	s, _ := apptest.Demo(t)
	sup := apptest.As(apptest.User(t, s, "supervisor"))
	norm := s.RouteNorm(context.Background())
	check := func(stage string) {
		t.Helper()
		n := 0
		for after := ""; ; {
			list, next, err := s.Tickets(sup, store.TicketFilter{Limit: 500, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range list {
				if want := tk.WorkingOrderKey(norm); tk.QueueKey != want {
					t.Fatalf("%s: %s (%s) stored key %d, computed %d", stage, tk.Number, tk.Status, tk.QueueKey, want)
				}
				n++
			}
			if next == "" {
				break
			}
			after = next
		}
		if n < 2000 {
			t.Fatalf("%s: only %d tickets compared", stage, n)
		}
	}
	check("written by the domain")
	if err := s.FillQueueKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("computed in SQL")
}

// TestWorkingOrder: emergencies first, then the nearest clock; the cursor walks
// the whole queue without repeating or skipping a ticket; an unknown sort is
// refused.
func TestWorkingOrder(t *testing.T) {
	f := newFixture(t)
	roof := f.file(t, f.operator, "ROOF-01") // accept by +24 h
	f.clock.Advance(time.Minute)
	tap := f.file(t, f.operator, "CW-05")
	f.clock.Advance(time.Minute)
	burst := f.file(t, f.operator, "CW-01") // an emergency, filed last
	op := apptest.As(f.operator)
	var got []string
	for after := ""; ; {
		list, next, err := f.s.Tickets(op, store.TicketFilter{Statuses: []app.Status{app.StatusRouted}, Sort: app.SortClock, Limit: 1, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range list {
			got = append(got, tk.Number)
		}
		if next == "" {
			break
		}
		after = next
	}
	want := []string{burst.Number, roof.Number, tap.Number}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("working order %v, want %v", got, want)
	}
	list, _, _ := f.s.Tickets(op, store.TicketFilter{Emergency: true})
	if len(list) != 1 || list[0].Number != burst.Number {
		t.Errorf("emergency filter: %d tickets", len(list))
	}
	for _, bad := range []store.TicketFilter{{Sort: "priority"}, {Sort: app.SortClock, After: "12"}} {
		if _, _, err := f.s.Tickets(op, bad); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestQueueFacetsFromIndex: a tab's counts come from tickets_category_queue alone.
func TestQueueFacetsFromIndex(t *testing.T) {
	f := newFixture(t)
	for _, u := range []*app.User{f.operator, f.disp} {
		for _, flt := range []store.TicketFilter{{Statuses: []app.Status{app.StatusRouted}}, {Overdue: true}} {
			plan, err := f.s.ExplainFacets(apptest.As(u), flt)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(plan, "COVERING INDEX tickets_category_queue") {
				t.Errorf("%s %+v: plan\n%s", u.Login, flt, plan)
			}
		}
	}
}
