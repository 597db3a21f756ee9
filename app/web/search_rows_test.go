package web_test

import (
	"strings"
	"testing"
	"time"
)

// TestSearchRowsByHand: the search page and its CSV list what was filed, counted
// by hand from the four tickets of queueFixture — not by the same query.
func TestSearchRowsByHand(t *testing.T) {
	f, tk := queueFixture(t)
	f.clock.Advance(5 * time.Hour) // no hot water (4 h) is now overdue, nothing else
	sup := f.page(t, "supervisor")
	cases := []struct {
		query string
		want  []ticket
	}{
		{"status=open", []ticket{tk[3], tk[2], tk[1], tk[0]}},
		{"overdue=1", []ticket{tk[3]}},
		{"organization_id=" + itoa(f.org.ID), []ticket{tk[2], tk[0]}},
		{"work_type=CW-05", []ticket{tk[1]}},
	}
	for _, c := range cases {
		st, body := sup.get("/work/search?" + c.query)
		if st != 200 {
			t.Fatalf("%s: %d", c.query, st)
		}
		var want []string
		for _, w := range c.want {
			want = append(want, w.Number)
		}
		if got := numbersIn(t, body); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: rows %v, want %v", c.query, got, want)
		}
		if !strings.Contains(textOf(body), "Найдено: "+itoa(int64(len(want)))) {
			t.Errorf("%s: count is not %d", c.query, len(want))
		}
	}
	_, csv := sup.get("/work/search.csv?overdue=1")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], tk[3].Number+";") || !strings.Contains(lines[1], ";да;") {
		t.Errorf("csv of overdue: %q", lines)
	}
}
