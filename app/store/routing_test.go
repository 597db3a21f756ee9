package store_test

import (
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestDemoIsAWorkingCentre: the demo municipality routes its tickets within
// minutes and leaves nothing waiting a day to be routed.
func TestDemoIsAWorkingCentre(t *testing.T) {
	s, _ := apptest.Demo(t)
	sup := apptest.As(apptest.User(t, s, "supervisor"))
	waiting, _, err := s.Tickets(sup, store.TicketFilter{Statuses: []app.Status{app.StatusNew}, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range waiting {
		if apptest.Now.Sub(tk.UpdatedAt) > 24*time.Hour {
			t.Errorf("%s waits to be routed since %v", tk.Number, tk.UpdatedAt)
		}
	}
	r, err := s.RoutingFigures(sup, apptest.Now.Add(-60*24*time.Hour), apptest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Filed < 1500 || r.SharePct() < 95 || r.AvgMinutes > 10 {
		t.Errorf("demo routing: %d filed, %.1f %% within %v, mean %.1f min", r.Filed, r.SharePct(), r.Norm, r.AvgMinutes)
	}
	t.Logf("demo routing: %d filed, %.1f %% within %v, mean %.1f min, %d waiting", r.Filed, r.SharePct(), r.Norm, r.AvgMinutes, r.Waiting)
}
