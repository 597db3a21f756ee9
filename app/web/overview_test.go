package web_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestOverviewShowsRowsAndRouting reads the supervisor's «Сводка» as a person does:
// every organisation's line, the overdue tickets under them and the centre's own
// routing figures, all written by hand from what the test filed.
func TestOverviewShowsRowsAndRouting(t *testing.T) {
	f := newFixture(t)
	// Yesterday (16.11 is «today», 12:00 Moscow): a roof at Ленина and a tap at Мира,
	// 24 hours each, both overdue by now.
	f.clock.Set(apptest.Now.Add(-26 * time.Hour))
	roof := f.file(t, "operator", f.newTicket("ROOF-01"))
	tap := f.newTicket("CW-05")
	tap["building_id"] = f.mira.ID
	tapT := f.file(t, "operator", tap)
	// Today: one ticket routed at filing, one routed by hand after 10 minutes, one
	// still waiting 40 minutes (beyond the centre's 30).
	f.clock.Set(apptest.Now.Add(-50 * time.Minute))
	late := f.fileUnrouted(t, "resident", f.newTicket("CW-05"))
	f.clock.Advance(10 * time.Minute)
	f.fileUnrouted(t, "resident", f.newTicket("ROOF-01"))   // waits
	f.act(t, "operator", late.Number, app.ActionRoute, nil) // 10 minutes after filing
	f.clock.Set(apptest.Now.Add(-10 * time.Minute))
	f.file(t, "operator", f.newTicket("ROOF-01")) // routed at filing
	f.clock.Set(apptest.Now)

	c := f.page(t, "supervisor")
	st, body := c.get("/work/overview")
	if st != 200 {
		t.Fatalf("overview: %d", st)
	}
	want := [][]string{
		{"УК Север", "2", "3", "1"}, // today: late, now; open: roof, late, now; overdue: roof
		{"УК Юг", "0", "1", "1"},    // the tap
		{"Усинская тепловая компания", "0", "0", "0"},
	}
	got := tableRows(t, body, "overview")
	if len(got) != len(want) || !reflect.DeepEqual(got[:len(want)], want) {
		t.Errorf("overview lines %q, want %q", got, want)
	}
	if !strings.Contains(textOf(body), "Всего 2 4 2") {
		t.Errorf("totals missing: %q", textOf(body))
	}
	if !strings.Contains(textOf(body), "Не направлено в организации: 1") {
		t.Errorf("unrouted count missing")
	}
	// The overdue tickets themselves, the oldest work first as the list orders them.
	overdue := overdueRows(t, body)
	if len(overdue) != 2 || !strings.HasPrefix(overdue[0][0], tapT.Number) || !strings.HasPrefix(overdue[1][0], roof.Number) {
		t.Fatalf("overdue rows %q, want %s and %s", overdue, tapT.Number, roof.Number)
	}
	if overdue[0][4] != "УК Юг" || overdue[1][4] != "УК Север" || !strings.Contains(overdue[1][5], "просрочена") {
		t.Errorf("overdue rows %q", overdue)
	}
	if strings.Contains(body, "Заявок нет.") {
		t.Error("«Заявок нет» under overdue tickets")
	}
	// The centre's own figures: today 3 to route, 2 within 30 min (0 and 10 min),
	// the one waiting 40 min is beyond; mean of the routed 5 min.
	text := textOf(body)
	for _, w := range []string{"Норма центра (муниципальная): 30 мин", "Сегодня направлено в норму: 67 % (2 из 3)", "в среднем за 5 мин", "Ждут направления сейчас: 1, дольше нормы: 1"} {
		if !strings.Contains(text, w) {
			t.Errorf("routing figures: no %q in %q", w, text)
		}
	}
}

// overdueRows are the rows of the overview's second table (the overdue tickets).
func overdueRows(t *testing.T, body string) [][]string {
	i := strings.Index(body, "<h2>Просрочены</h2>")
	if i < 0 {
		t.Fatal("no overdue section")
	}
	return tableRows(t, body[i:], "tickets")
}
