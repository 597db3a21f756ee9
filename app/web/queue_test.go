package web_test

import (
	"github.com/ecoz/ecoz/app"
	"net/url"
	"strings"
	"testing"
	"time"
)

// queueFixture files four tickets, each routed at filing: a roof at Ленина (УК
// Север), a tap at Мира (УК Юг), a burst cold-water riser at Ленина (УК Север, an
// emergency) and no hot water at Ленина (the heat company, an emergency).
func queueFixture(t *testing.T) (*fixture, [4]ticket) {
	f := newFixture(t)
	var tk [4]ticket
	tk[0] = f.file(t, "operator", f.newTicket("ROOF-01"))
	f.clock.Advance(time.Minute)
	tap := f.newTicket("CW-05")
	tap["building_id"] = f.mira.ID
	tk[1] = f.file(t, "operator", tap)
	f.clock.Advance(time.Minute)
	tk[2] = f.file(t, "operator", f.newTicket("CW-01"))
	f.clock.Advance(time.Minute)
	tk[3] = f.file(t, "operator", f.newTicket("HW-02"))
	for i, want := range []string{"УК Север", "УК Юг", "УК Север", "Усинская тепловая компания"} {
		if tk[i].Organization == nil || tk[i].Organization.Name != want {
			t.Fatalf("ticket %d routed to %+v, want %s", i, tk[i].Organization, want)
		}
	}
	return f, tk
}

// numbersIn are the ticket numbers of a page's ticket table, top to bottom.
func numbersIn(t *testing.T, body string) []string {
	var out []string
	for _, r := range tableRows(t, body, "tickets") {
		out = append(out, strings.Fields(r[0])[0])
	}
	return out
}

func TestQueueOrderAndFilters(t *testing.T) {
	f, tk := queueFixture(t)
	op := f.page(t, "operator")
	cases := []struct {
		name, query string
		want        []ticket
		shown       string
	}{
		// Emergencies first, the nearest clock first among them; then the others.
		{"working order by default", "", []ticket{tk[2], tk[3], tk[0], tk[1]}, "4"},
		{"by registration", "&sort=created", []ticket{tk[3], tk[2], tk[1], tk[0]}, "4"},
		{"category", "&category=" + url.QueryEscape("Кровля"), []ticket{tk[0]}, "1"},
		{"emergencies", "&emergency=1", []ticket{tk[2], tk[3]}, "2"},
		{"organisation", "&organization_id=" + itoa(f.org2.ID), []ticket{tk[1]}, "1"},
		{"organisation and emergency", "&organization_id=" + itoa(f.org.ID) + "&emergency=1", []ticket{tk[2]}, "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := op.get("/work/?q=routed" + c.query)
			if st != 200 {
				t.Fatalf("status %d", st)
			}
			var want []string
			for _, w := range c.want {
				want = append(want, w.Number)
			}
			if got := numbersIn(t, body); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("rows %v, want %v", got, want)
			}
			if !strings.Contains(textOf(body), "Показано заявок: "+c.shown) {
				t.Errorf("count shown is not %s", c.shown)
			}
		})
	}
	// Asked for, the choices carry the tab's counts, written by hand from the four
	// tickets; without asking (the self-refreshing page) they cost nothing.
	_, body := op.get("/work/?q=routed")
	if strings.Contains(textOf(body), "Кровля (1)") || !strings.Contains(body, "counts=1") {
		t.Error("counts computed unasked, or no way to ask for them")
	}
	_, body = op.get("/work/?q=routed&counts=1")
	text := textOf(body)
	for _, w := range []string{"Кровля (1)", "аварийные (2)", "просроченные (0)", "УК Север (2)", "УК Юг (1)", "Усинская тепловая компания (1)", "Ждут принятия 4"} {
		if !strings.Contains(text, w) {
			t.Errorf("no %q on the queue", w)
		}
	}
	// A value the form never offers is refused in Russian.
	if st, body := op.get("/work/?q=routed&sort=priority"); st != 400 || !strings.Contains(body, "Допустимо: clock") {
		t.Errorf("unknown sort: %d", st)
	}
	// Five hours on, no hot water (4 hours to restore) is overdue; the burst riser
	// (a day to repair) is late only for acceptance, which is not «overdue».
	f.clock.Advance(5 * time.Hour)
	_, body = op.get("/work/?q=routed&overdue=1")
	if got := numbersIn(t, body); len(got) != 1 || got[0] != tk[3].Number {
		t.Errorf("overdue filter rows %v", got)
	}
}

func TestOrgQueueAndSearch(t *testing.T) {
	f, tk := queueFixture(t)
	org := f.page(t, "org") // УК Север: the roof and the burst riser
	_, body := org.get("/work/")
	if got := numbersIn(t, body); strings.Join(got, ",") != tk[2].Number+","+tk[0].Number {
		t.Errorf("org's incoming in working order: %v", got)
	}
	if strings.Contains(body, `name="organization_id"`) {
		t.Error("an organisation is offered other organisations' tickets")
	}
	st, body := org.get("/work/search?status=open")
	if st != 200 {
		t.Fatalf("org search: %d", st)
	}
	if got := numbersIn(t, body); strings.Join(got, ",") != tk[2].Number+","+tk[0].Number || !strings.Contains(textOf(body), "Найдено: 2") {
		t.Errorf("org search rows %v", got)
	}
	// Asking for another organisation's tickets finds nothing of theirs.
	_, body = org.get("/work/search?organization_id=" + itoa(f.org2.ID))
	if got := numbersIn(t, body); len(got) != 0 {
		t.Errorf("org sees another organisation's tickets: %v", got)
	}
}

func TestAPIListSortAndCursor(t *testing.T) {
	f, tk := queueFixture(t)
	var page struct {
		Items []ticket `json:"items"`
		Next  *string  `json:"next"`
	}
	r := f.do(t, "operator", "GET", "/api/v1/tickets?status=routed&sort=clock&limit=2", nil)
	r.decode(t, &page)
	if r.Status != 200 || len(page.Items) != 2 || page.Items[0].Number != tk[2].Number || page.Items[1].Number != tk[3].Number || page.Next == nil {
		t.Fatalf("first page: %d %s", r.Status, r.Body)
	}
	r = f.do(t, "operator", "GET", "/api/v1/tickets?status=routed&sort=clock&limit=2&after="+url.QueryEscape(*page.Next), nil)
	page.Next = nil
	page.Items = nil
	r.decode(t, &page)
	if len(page.Items) != 2 || page.Items[0].Number != tk[0].Number || page.Items[1].Number != tk[1].Number || page.Next != nil {
		t.Fatalf("second page: %s", r.Body)
	}
	r = f.do(t, "operator", "GET", "/api/v1/tickets?emergency=true&sort=created", nil)
	page.Items = nil
	r.decode(t, &page)
	if len(page.Items) != 2 || page.Items[0].Number != tk[3].Number {
		t.Errorf("emergencies: %s", r.Body)
	}
	for q, field := range map[string]string{"sort=priority": "sort", "colour=red": "colour", "emergency=maybe": "emergency", "sort=clock&after=12": "after"} {
		r := f.do(t, "operator", "GET", "/api/v1/tickets?"+q, nil)
		if r.Status != 400 || r.err(t).Error.Code != "invalid" || r.err(t).Error.Fields[field] == "" {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
}

// The queues' counts and pinned emergencies are kept between requests
// (store/countcache.go): the page right after a change, or after a deadline or a
// «перезвонить в …» time passed with no write at all, shows the new numbers.
func TestQueueCountsFollowChanges(t *testing.T) {
	f, tk := queueFixture(t)
	op, org := f.page(t, "operator"), f.page(t, "org")
	expect := func(c *client, query string, want ...string) {
		t.Helper()
		st, body := c.get("/work/?q=" + query)
		if st != 200 {
			t.Fatalf("status %d", st)
		}
		text := textOf(body)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q on the page", query, w)
			}
		}
	}
	expect(op, "routed", "Ждут принятия 4", "Просрочены 0", "В работе 0", "Обзвон 0", "Показано заявок: 4")
	expect(org, "incoming", "Входящие 2", "В работе 0")

	f.act(t, "org", tk[0].Number, app.ActionAccept, nil)
	expect(op, "routed", "Ждут принятия 3", "В работе 1", "Показано заявок: 3")
	expect(org, "incoming", "Входящие 1", "В работе 1")

	// A new emergency is counted and pinned at once.
	em := f.file(t, "operator", f.newTicket("CW-01"))
	expect(op, "routed", "Ждут принятия 4", "Показано заявок: 4")
	if _, body := op.get("/work/?q=routed"); !strings.Contains(body, `id="em-`+em.Number+`"`) {
		t.Errorf("the new emergency %s is not pinned", em.Number)
	}
	expect(org, "incoming", "Входящие 2")

	// The roof reported done waits for its confirmation call; the resident asked
	// to be called back at 18:30, and the call is due then, with no write between.
	f.act(t, "org", tk[0].Number, app.ActionDone, nil)
	expect(op, "done", "Обзвон 1", "В работе 0")
	f.act(t, "operator", tk[0].Number, app.ActionCallFailed, map[string]string{"retry_at": "2026-11-16T18:30:00+03:00"})
	expect(op, "done", "Обзвон 0")

	// Five hours on, no hot water (4 hours to restore) is overdue, on both pages.
	f.clock.Advance(5 * time.Hour)
	expect(op, "overdue", "Просрочены 1", "Показано заявок: 1")
	expect(org, "overdue", "Просрочены 0")
	f.clock.Advance(2 * time.Hour) // 19:03, past the 18:30 asked for
	expect(op, "done", "Обзвон 1")
}
