package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServiceRequestsPlans: Open311's lists read a range of dates (or of one
// service's dates) from an index, whatever the status asked: by status alone
// SQLite would read every closed ticket ever to find the newest thousand.
func TestServiceRequestsPlans(t *testing.T) {
	schema, err := os.ReadFile(filepath.Join("..", "..", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(t.TempDir(), "ecoz.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	to := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	open, closed := true, false
	for _, c := range []struct {
		f    ServiceRequestFilter
		want string
	}{
		{ServiceRequestFilter{From: to.AddDate(0, 0, -90), To: to}, "tickets_report"},
		{ServiceRequestFilter{From: to.AddDate(0, 0, -90), To: to, Open: &open}, "tickets_report"},
		{ServiceRequestFilter{From: to.AddDate(0, 0, -90), To: to, Open: &closed}, "tickets_report"},
		{ServiceRequestFilter{ServiceCode: "LIFT-01", From: to.AddDate(0, 0, -90), To: to, Open: &closed}, "tickets_work_type"},
	} {
		q, args := serviceRequestsQuery(c.f)
		rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), c.want) || strings.Contains(plan.String(), "tickets_status") {
			t.Errorf("%+v: want %s\n%s", c.f, c.want, plan.String())
		}
	}
}
