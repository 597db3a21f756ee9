package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

func (f *fixture) fileAt(t *testing.T, wt, flat string) *app.Ticket {
	t.Helper()
	tk, _, err := f.s.CreateTicket(apptest.As(f.operator), app.NewTicket{BuildingID: f.building.ID, Apartment: flat, WorkType: wt, Description: "x", ReporterPhone: "+79123456789"})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func numbers(list []*app.Ticket) string {
	var out []string
	for _, t := range list {
		out = append(out, t.Number)
	}
	return strings.Join(out, ",")
}

// TestDuplicatesMeanSomething: a roof is the building's, so any flat's roof call of
// the week is offered; a tap is the flat's, so only the same flat's is.
func TestDuplicatesMeanSomething(t *testing.T) {
	f := newFixture(t)
	f.fileAt(t, "ROOF-01", "3") // eight days before: out of the window
	f.clock.Advance(8 * 24 * time.Hour)
	roof12 := f.fileAt(t, "ROOF-01", "12")
	roof30 := f.fileAt(t, "ROOF-03", "30") // icicles: the same category «Кровля»
	tap12 := f.fileAt(t, "CW-05", "12")
	tap30 := f.fileAt(t, "CW-05", "30")
	closed := f.fileAt(t, "CW-06", "12")
	f.act(t, f.operator, closed.Number, app.ActionCancel, "ошибка")
	f.clock.Advance(time.Hour)
	op := apptest.As(f.operator)

	cases := []struct {
		name, wt, flat string
		want           string
	}{
		{"roof from another flat", "ROOF-02", "5", roof30.Number + "," + roof12.Number},
		{"cistern in flat 12", "CW-06", "12", tap12.Number},
		{"cistern in flat 30", "CW-06", "30", tap30.Number},
		{"cistern in flat 7", "CW-06", "7", ""},
		{"tap with no flat given", "CW-05", "", ""},
	}
	for _, c := range cases {
		wt, err := f.s.WorkType(op, c.wt)
		if err != nil {
			t.Fatal(err)
		}
		probe := &app.Ticket{BuildingID: f.building.ID, WorkType: *wt, Apartment: c.flat, CreatedAt: f.clock.Now()}
		got, err := f.s.Duplicates(op, probe)
		if err != nil {
			t.Fatal(err)
		}
		if numbers(got) != c.want {
			t.Errorf("%s: %q, want %q", c.name, numbers(got), c.want)
		}
		if c.flat == "" {
			continue
		}
		plan, err := f.s.ExplainDuplicates(op, probe)
		if err != nil {
			t.Fatal(err)
		}
		// The building's tickets after the last one before the week, found by time.
		if !strings.Contains(plan, "tickets_building (building_id=? AND id>?)") || !strings.Contains(plan, "COVERING INDEX tickets_report (created_at<?)") || strings.Contains(plan, "SCAN") {
			t.Errorf("%s: plan does not read one week of one building:\n%s", c.name, plan)
		}
	}
	if why := app.DuplicateReason(&app.Ticket{WorkType: app.WorkType{Code: "CW-05", Category: "Санитарно-техническое оборудование"}}); !strings.HasPrefix(why, "та же квартира") {
		t.Errorf("tap reason %q", why)
	}
	if why := app.DuplicateReason(&app.Ticket{WorkType: app.WorkType{Code: "ROOF-01", Category: "Кровля"}}); !strings.HasPrefix(why, "тот же дом и категория «Кровля»") {
		t.Errorf("roof reason %q", why)
	}
}
