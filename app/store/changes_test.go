package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestVersionCountsWhatChanged: a ticket's change moves the tickets' version and
// not the rating's; a computed rating the other way round; a sign-in moves
// neither; a catalogue change, or a write that says nothing of what it touched,
// moves both; a failed write moves nothing.
func TestVersionCountsWhatChanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	type vs struct{ tickets, rating uint64 }
	now := func() vs { return vs{f.s.Version(store.ScopeTickets), f.s.Version(store.ScopeRating)} }
	steps := []struct {
		name            string
		do              func() error
		tickets, rating bool // whether each version must move
	}{
		{"ticket filed", func() error { f.file(t, f.operator, "ROOF-01"); return nil }, true, false},
		{"ticket accepted", func() error {
			list, _, err := f.s.Tickets(apptest.As(f.disp), store.TicketFilter{Limit: 1})
			if err != nil {
				return err
			}
			_, err = f.s.Act(apptest.As(f.disp), list[0].Number, app.ActionAccept, store.ActInput{})
			return err
		}, true, false},
		{"rating saved", func() error {
			return f.s.SaveRating(ctx, &app.RatingDay{Day: "2026-11-15", Cutoff: apptest.Now, ComputedAt: apptest.Now})
		}, false, true},
		{"signed in and out", func() error {
			sess, err := f.s.CreateSession(ctx, f.operator, "web", time.Hour)
			if err != nil {
				return err
			}
			return f.s.DeleteSession(ctx, sess.Token)
		}, false, false},
		{"failed filing", func() error {
			_, _, err := f.s.CreateTicket(apptest.As(f.operator), app.NewTicket{BuildingID: f.building.ID, WorkType: "NO-SUCH"})
			if err == nil {
				t.Error("a ticket of an unknown work type was filed")
			}
			return nil
		}, false, false},
		{"organisation renamed", func() error {
			f.org.Name = "УК Тест-2"
			return f.s.SaveOrganization(ctx, f.org)
		}, true, true},
		{"a write that does not say", func() error {
			return f.s.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(store.SetCenterPhone, "88214420000") })
		}, true, true},
	}
	for _, st := range steps {
		before := now()
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		after := now()
		if moved := after.tickets != before.tickets; moved != st.tickets {
			t.Errorf("%s: tickets' version moved = %v, want %v", st.name, moved, st.tickets)
		}
		if moved := after.rating != before.rating; moved != st.rating {
			t.Errorf("%s: rating's version moved = %v, want %v", st.name, moved, st.rating)
		}
	}
}

// TestNextDeadline: the earliest deadline of an open ticket not yet past, in whole
// seconds; a ticket done no longer counts.
func TestNextDeadline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if d, err := f.s.NextDeadline(ctx, apptest.Now); err != nil || !d.IsZero() {
		t.Fatalf("no tickets: %v %v", d, err)
	}
	roof := f.file(t, f.operator, "ROOF-01") // 24 h
	water := f.file(t, f.operator, "CW-02")  // 4 h
	if d, _ := f.s.NextDeadline(ctx, apptest.Now); !d.Equal(water.DueAt) {
		t.Errorf("next deadline %v, want the water's %v", d, water.DueAt)
	}
	if d, _ := f.s.NextDeadline(ctx, water.DueAt); !d.Equal(water.DueAt) {
		t.Errorf("at the water's deadline: %v, want it still (it is past only a second later)", d)
	}
	if d, _ := f.s.NextDeadline(ctx, water.DueAt.Add(time.Second)); !d.Equal(roof.DueAt) {
		t.Errorf("after the water's deadline: %v, want the roof's %v", d, roof.DueAt)
	}
	for _, a := range []app.Action{app.ActionAccept, app.ActionDone} {
		if _, err := f.s.Act(apptest.As(f.disp), water.Number, a, store.ActInput{Note: "готово"}); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := f.s.NextDeadline(ctx, apptest.Now); !d.Equal(roof.DueAt) {
		t.Errorf("water done: next deadline %v, want the roof's %v", d, roof.DueAt)
	}
}
