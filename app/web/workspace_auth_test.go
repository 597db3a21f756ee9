package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestWorkspaceAuthorization walks every staff route as every role and as an
// anonymous visitor and checks the status each one gets.
func TestWorkspaceAuthorization(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	sup := apptest.As(apptest.User(t, s, "supervisor"))
	uk1 := apptest.User(t, s, "uk1")
	own, _, err := s.Tickets(sup, store.TicketFilter{OrganizationID: uk1.OrganizationID, Limit: 1})
	if err != nil || len(own) == 0 {
		t.Fatalf("no ticket of uk1's organisation: %v", err)
	}
	ticket := own[0].Number
	orgs, _ := s.Organizations(context.Background(), "")
	var other []*app.Ticket
	for _, o := range orgs {
		if o.ID != uk1.OrganizationID && len(other) == 0 {
			other, _, _ = s.Tickets(sup, store.TicketFilter{OrganizationID: o.ID, Limit: 1})
		}
	}
	if len(other) == 0 {
		t.Fatal("no ticket of another organisation")
	}
	admin := apptest.User(t, s, "admin")
	wt := own[0].WorkType.Code
	id := strconv.FormatInt(admin.ID, 10)
	org := strconv.FormatInt(uk1.OrganizationID, 10)

	roles := []string{"anon", "resident", "operator", "uk1", "supervisor", "admin"}
	clients := map[string]*client{"anon": newClient(t, srv)}
	for _, r := range roles[1:] {
		clients[r] = signIn(t, srv, r)
	}
	// Expected status per role, in the order of roles. An anonymous GET is sent to
	// the sign-in page (302); an anonymous POST with a valid pre-session CSRF token
	// is 401. Bad form input is 400 (re-rendered with the message), a good one 303.
	const A, F, N, OK, BAD, SEE = 302, 403, 404, 200, 400, 303
	cases := []struct {
		method, path string
		form         url.Values
		want         [6]int
	}{
		{"GET", "/work/", nil, [6]int{A, F, OK, OK, OK, OK}},
		{"GET", "/work/?q=done", nil, [6]int{A, F, OK, OK, OK, OK}},
		{"GET", "/work/tickets/" + ticket, nil, [6]int{A, F, OK, OK, OK, OK}},
		{"GET", "/work/tickets/" + other[0].Number, nil, [6]int{A, F, OK, N, OK, OK}},
		{"GET", "/work/call/" + ticket, nil, [6]int{A, F, OK, F, F, F}},
		{"GET", "/work/new", nil, [6]int{A, F, OK, F, OK, F}},
		{"GET", "/work/lookup/caller?reporter_phone=%2B79120000000", nil, [6]int{A, F, OK, F, OK, F}},
		{"GET", "/work/lookup/buildings?building_q=" + url.QueryEscape("ленина"), nil, [6]int{A, F, OK, F, OK, F}},
		{"GET", "/work/lookup/work-types?work_q=" + url.QueryEscape("течёт"), nil, [6]int{A, F, OK, F, OK, F}},
		{"GET", "/work/lookup/duplicates?building_id=1&work_type=" + wt, nil, [6]int{A, F, OK, F, OK, F}},
		{"GET", "/work/search?status=open", nil, [6]int{A, F, OK, OK, OK, OK}},
		{"GET", "/work/search.csv?status=done", nil, [6]int{A, F, OK, OK, OK, OK}},
		{"GET", "/work/search.xlsx?status=done", nil, [6]int{A, F, OK, OK, OK, OK}},
		{"GET", "/work/overview", nil, [6]int{A, F, F, F, OK, OK}},
		{"GET", "/admin/users", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/users/" + id, nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/orgs", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/orgs/" + org, nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/buildings", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/buildings/1", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/work-types", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/work-types/" + wt, nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/settings", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/import", nil, [6]int{A, F, F, F, F, OK}},
		{"GET", "/admin/import/nosuch", nil, [6]int{A, F, F, F, F, N}},
		{"POST", "/work/new", url.Values{"reporter_phone": {"1"}}, [6]int{401, F, BAD, F, BAD, F}},
		{"POST", "/work/tickets/" + ticket + "/comment", url.Values{"note": {""}}, [6]int{401, F, BAD, BAD, BAD, BAD}},
		{"POST", "/work/tickets/" + other[0].Number + "/comment", url.Values{"note": {""}}, [6]int{401, F, BAD, N, BAD, BAD}},
		{"POST", "/work/locale", url.Values{"locale": {"ru"}}, [6]int{401, F, SEE, SEE, SEE, SEE}},
		{"POST", "/admin/users", url.Values{"login": {""}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/users/" + id, url.Values{"role": {"nobody"}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/orgs", url.Values{"name": {""}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/orgs/" + org, url.Values{"name": {""}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/buildings", url.Values{"address": {""}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/buildings/1", url.Values{"address": {""}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/work-types/" + wt, url.Values{"local_hours": {"много"}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/settings", url.Values{"timezone": {"Mars/Base"}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/import", url.Values{"kind": {"buildings"}}, [6]int{401, F, F, F, F, BAD}},
		{"POST", "/admin/import/nosuch/apply", url.Values{}, [6]int{401, F, F, F, F, N}},
	}
	for _, tc := range cases {
		for i, r := range roles {
			c := clients[r]
			var got int
			if tc.method == "GET" {
				got, _ = c.get(tc.path)
			} else {
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				got, _, _ = c.post(tc.path, form)
			}
			if got != tc.want[i] {
				t.Errorf("%s %s as %s: status %d, want %d", tc.method, tc.path, r, got, tc.want[i])
			}
		}
	}
}

// TestWorkspaceCSRFAndEscaping: a POST without the session's token is refused and
// changes nothing; a description with a script tag is shown as text.
func TestWorkspaceCSRFAndEscaping(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	op := signIn(t, srv, "operator")
	bs, err := s.SearchBuildings(context.Background(), "ленина", 1)
	if err != nil || len(bs) == 0 {
		t.Fatalf("no building: %v", err)
	}
	form := url.Values{"reporter_phone": {"+7 912 555-11-22"}, "building_id": {strconv.FormatInt(bs[0].ID, 10)},
		"work_type": {"SAN-01"}, "description": {`<script>alert("x")</script> течёт кран`}}
	wts, _ := s.SearchWorkTypes(context.Background(), "кран")
	if len(wts) > 0 {
		form.Set("work_type", wts[0].Code)
	}
	before, _ := s.CountTickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{})
	bad := url.Values{"csrf": {"forged"}}
	for k, v := range form {
		bad[k] = v
	}
	if st, body, _ := op.post("/work/new", bad); st != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("forged token: status %d", st)
	}
	noToken := url.Values{"csrf": {""}}
	for k, v := range form {
		noToken[k] = v
	}
	if st, _, _ := op.post("/work/new", noToken); st != http.StatusForbidden {
		t.Errorf("no token: status %d", st)
	}
	if after, _ := s.CountTickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{}); after != before {
		t.Fatalf("a refused POST filed a ticket: %d → %d", before, after)
	}
	st, _, loc := op.post("/work/new", form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/work/tickets/") {
		t.Fatalf("filing: status %d, location %q", st, loc)
	}
	_, body := op.get(loc)
	if strings.Contains(body, `<script>alert`) {
		t.Fatal("the description's script tag reached the page unescaped")
	}
	if !strings.Contains(body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
		t.Errorf("the description is not shown as text")
	}
}
