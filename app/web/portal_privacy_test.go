package web_test

import (
	"bytes"
	"index/suffixarray"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestPublicPagesCarryNoPersonalData crawls, as an anonymous visitor, every page
// reachable by links from the home page, plus address searches and the public JSON
// endpoints, and looks for any demo reporter's name, phone, apartment or
// description.
func TestPublicPagesCarryNoPersonalData(t *testing.T) {
	s, _ := apptest.Demo(t)
	base, _ := portalServer(t, s, -1)

	// What must never show: collected from every ticket of the demo, as an operator sees them.
	op := apptest.As(apptest.User(t, s, "operator"))
	secrets := map[string]string{} // text → what it is
	apartments := map[string]bool{}
	after := ""
	tickets := 0
	for {
		list, next, err := s.Tickets(op, store.TicketFilter{Limit: 500, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range list {
			tickets++
			if tk.ReporterName != "" {
				secrets[tk.ReporterName] = "name of " + tk.Number
			}
			if tk.ReporterPhone != "" {
				secrets[tk.ReporterPhone] = "phone of " + tk.Number
				secrets[app.FormatPhone(tk.ReporterPhone)] = "phone of " + tk.Number
				secrets[strings.TrimPrefix(tk.ReporterPhone, "+7")] = "phone digits of " + tk.Number
			}
			if tk.Description != "" {
				secrets[tk.Description] = "description of " + tk.Number
			}
			if tk.Apartment != "" {
				apartments[tk.Apartment] = true
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	for _, u := range mustUsers(t, s) {
		if u.Role == app.RoleResident {
			secrets[u.Name] = "resident's name"
			if u.Phone != "" {
				secrets[u.Phone] = "resident's phone"
			}
		}
	}
	if tickets < 1000 || len(secrets) < 1000 || len(apartments) < 20 {
		t.Fatalf("the demo has too little to look for: %d tickets, %d secrets, %d apartments", tickets, len(secrets), len(apartments))
	}
	// An apartment number is short and appears in dates and counts; it is personal
	// where it is shown as an apartment.
	aptRe := regexp.MustCompile(`(?i)(кв\.?\s*|квартира\s*|"apartment"\s*:\s*")(\d+)`)

	c := newPortalClient(t, base)
	// Pages are collected and searched at the end through one suffix array: a
	// few thousand secrets times a few hundred pages is too slow one by one under -race.
	var pages []string
	var starts []int
	var all bytes.Buffer
	check := func(path, body string) {
		pages, starts = append(pages, path), append(starts, all.Len())
		all.WriteString(body)
		all.WriteByte(0)
		for _, m := range aptRe.FindAllStringSubmatch(body, -1) {
			if apartments[m[2]] {
				t.Errorf("%s shows an apartment: %q", path, m[0])
			}
		}
	}
	findSecrets := func() {
		idx := suffixarray.New(all.Bytes())
		for text, what := range secrets {
			for _, off := range idx.Lookup([]byte(text), 3) {
				i := sort.SearchInts(starts, off+1) - 1
				t.Errorf("%s shows %s: %q", pages[i], what, text)
			}
		}
	}

	hrefRe := regexp.MustCompile(`href="([^"]+)"`)
	seen := map[string]bool{}
	queue := []string{"/"}
	for _, q := range []string{"ленина", "мира", "1", "д"} { // the search form, as a visitor would use it
		queue = append(queue, "/search?q="+url.QueryEscape(q))
	}
	kinds := map[string]int{}
	for len(queue) > 0 && len(seen) < 2000 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		st := c.get(p)
		if st >= 500 {
			t.Errorf("%s: status %d", p, st)
		}
		check(p, c.last)
		kinds[strings.SplitN(strings.TrimPrefix(c.url, "/"), "/", 2)[0]]++
		cur, _ := url.Parse(c.base + c.url)
		for _, m := range hrefRe.FindAllStringSubmatch(c.last, -1) {
			h := strings.ReplaceAll(m[1], "&amp;", "&")
			u, err := cur.Parse(h)
			if err != nil || u.Host != cur.Host || strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/my/") || u.Path == "/login" || u.Path == "/register" {
				continue
			}
			next := u.Path
			if u.RawQuery != "" {
				next += "?" + u.RawQuery
			}
			if !seen[next] {
				queue = append(queue, next)
			}
		}
	}
	if kinds["buildings"] < 50 || kinds["organizations"] < 5 {
		t.Errorf("the crawl missed public pages: %v", kinds)
	}
	t.Logf("crawled %d pages: %v", len(seen), kinds)

	// The public JSON: catalogues and building search (and anything a job adds, like
	// the rating, when it answers).
	api := []string{"/healthz", "/api/v1/work-types", "/api/v1/work-types?q=" + url.QueryEscape("кран"), "/api/v1/organizations",
		"/api/v1/buildings", "/api/v1/buildings?q=" + url.QueryEscape("ленина"), "/api/v1/ratings"}
	for _, p := range api {
		st := c.get(p)
		if st >= 500 {
			t.Errorf("%s: status %d", p, st)
		}
		check(p, c.last)
	}
	findSecrets()
	// And what is not public says so without a byte of data.
	for _, p := range []string{"/api/v1/tickets", "/api/v1/tickets/USN-000001", "/api/v1/tickets/USN-000001/events"} {
		if st := c.get(p); st != 401 {
			t.Errorf("%s anonymous: %d", p, st)
		}
	}
	if c.get("/my/"); c.url != "/login" {
		t.Errorf("/my/ anonymous ended at %s", c.url)
	}

	// The detector itself sees personal data where it is meant to be: on the
	// operator's screen of a phoned-in ticket.
	list, _, err := s.Tickets(op, store.TicketFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range list {
		if tk.ReporterName == "" || tk.Apartment == "" {
			continue
		}
		staff := newPortalClient(t, base)
		staff.get("/login")
		staff.post("/login", url.Values{"login": {"operator"}, "password": {"operator"}})
		staff.get("/work/tickets/" + tk.Number)
		staff.has(tk.ReporterName, app.FormatPhone(tk.ReporterPhone), "кв. "+tk.Apartment)
		break
	}
}
