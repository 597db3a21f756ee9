package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestOverviewMatchesCounts: the grouped overview says, for every organisation,
// what counting its tickets one filter at a time says.
func TestOverviewMatchesCounts(t *testing.T) {
	s, _ := apptest.Demo(t)
	sup := apptest.As(apptest.User(t, s, "supervisor"))
	from := apptest.Now.Add(-24 * time.Hour)
	to := apptest.Now.Add(time.Hour)
	got, err := s.Overview(sup, from, to)
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := s.Organizations(context.Background(), "")
	seen := 0
	for _, o := range orgs {
		want := store.OrgCounts{}
		want.NewToday, _ = s.CountTickets(sup, store.TicketFilter{OrganizationID: o.ID, CreatedFrom: from, CreatedTo: to})
		want.Open, _ = s.CountTickets(sup, store.TicketFilter{OrganizationID: o.ID, Statuses: app.OpenStatuses})
		want.Overdue, _ = s.CountTickets(sup, store.TicketFilter{OrganizationID: o.ID, Overdue: true})
		g := store.OrgCounts{}
		if got[o.ID] != nil {
			g = *got[o.ID]
		}
		if g != want {
			t.Errorf("%s: overview %+v, counts %+v", o.Name, g, want)
		}
		seen += want.Open
	}
	if seen == 0 {
		t.Fatal("the demo has no open tickets to compare")
	}
	if _, err := s.Overview(apptest.As(apptest.User(t, s, "uk1")), from, to); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an organisation got the overview: %v", err)
	}
}
