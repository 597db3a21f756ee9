package web_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/ecoz/ecoz/app"
)

// rule is one row of the contract's table of actions, written out here by hand
// from CONTRACT.md so that the domain's Transitions table is checked against it
// rather than against itself.
type rule struct {
	roles []app.Role
	from  []app.Status
	to    app.Status // "" for link: the parent's status; for comment: unchanged
	note  bool
}

var open = []app.Status{app.StatusNew, app.StatusRouted, app.StatusAccepted, app.StatusDone, app.StatusReopened}

var contract = map[app.Action]rule{
	app.ActionRoute:      {[]app.Role{app.RoleOperator, app.RoleSupervisor}, []app.Status{app.StatusNew}, app.StatusRouted, false},
	app.ActionAccept:     {[]app.Role{app.RoleOrg}, []app.Status{app.StatusRouted, app.StatusReopened}, app.StatusAccepted, false},
	app.ActionReturn:     {[]app.Role{app.RoleOrg}, []app.Status{app.StatusRouted}, app.StatusNew, true},
	app.ActionDone:       {[]app.Role{app.RoleOrg}, []app.Status{app.StatusAccepted}, app.StatusDone, false},
	app.ActionConfirm:    {[]app.Role{app.RoleOperator, app.RoleResident}, []app.Status{app.StatusDone}, app.StatusClosed, false},
	app.ActionReject:     {[]app.Role{app.RoleOperator, app.RoleResident}, []app.Status{app.StatusDone}, app.StatusReopened, true},
	app.ActionCallFailed: {[]app.Role{app.RoleOperator}, []app.Status{app.StatusDone}, app.StatusDone, false},
	app.ActionClaim:      {[]app.Role{app.RoleOperator}, []app.Status{app.StatusDone}, app.StatusDone, false},
	app.ActionCancel:     {[]app.Role{app.RoleOperator, app.RoleSupervisor}, open, app.StatusCancelled, true},
	app.ActionLink:       {[]app.Role{app.RoleOperator, app.RoleSupervisor}, open, "", false},
	app.ActionComment:    {app.Roles, app.Statuses, "", true},
	app.ActionLocalize:   {[]app.Role{app.RoleOrg, app.RoleOperator}, []app.Status{app.StatusRouted, app.StatusAccepted, app.StatusReopened}, "", true},
}

func hasRole(list []app.Role, r app.Role) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

func hasStatus(list []app.Status, s app.Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pathTo is how a ticket filed by «resident» reaches each status: who does what.
var pathTo = map[app.Status][][2]string{
	app.StatusNew:       nil,
	app.StatusRouted:    {{"operator", "route"}},
	app.StatusAccepted:  {{"operator", "route"}, {"org", "accept"}},
	app.StatusDone:      {{"operator", "route"}, {"org", "accept"}, {"org", "done"}},
	app.StatusClosed:    {{"operator", "route"}, {"org", "accept"}, {"org", "done"}, {"resident", "confirm"}},
	app.StatusReopened:  {{"operator", "route"}, {"org", "accept"}, {"org", "done"}, {"resident", "reject"}},
	app.StatusCancelled: {{"operator", "route"}, {"operator", "cancel"}},
}

// inStatus files a ticket as «resident» while nobody can take it (so it starts
// new) and walks it to st through the API.
func (f *fixture) inStatus(t *testing.T, st app.Status) ticket {
	t.Helper()
	return f.inStatusOf(t, st, "CW-05")
}

// inStatusOf is inStatus for a ticket of work type wt.
func (f *fixture) inStatusOf(t *testing.T, st app.Status, wt string) ticket {
	t.Helper()
	tk := f.fileUnrouted(t, "resident", f.newTicket(wt))
	for _, step := range pathTo[st] {
		tk = f.act(t, step[0], tk.Number, app.Action(step[1]), map[string]string{"note": "по шагам"})
	}
	if tk.Status != string(st) {
		t.Fatalf("walked to %s, got %s", st, tk.Status)
	}
	return tk
}

// TestEveryStatusActionRole tries every action on a ticket in every status as
// every role (and as a dispatcher of another organisation and another resident):
// the allowed ones succeed and lead where the contract says; a ticket the caller may
// not see is 404, an action their role may never take 403, a wrong status 409.
func TestEveryStatusActionRole(t *testing.T) {
	f := newFixture(t)
	parent := f.file(t, "operator", f.newTicket("CW-01")) // routed, to link to
	for _, st := range app.Statuses {
		tk := f.inStatus(t, st)
		for _, a := range app.TicketActions {
			for _, login := range fixtureLogins {
				u := f.users[login]
				r := contract[a]
				visible := u.SeesAllTickets() ||
					(login == "org" && st != app.StatusNew) ||
					login == "resident"
				want := http.StatusOK
				switch {
				case !visible:
					want = http.StatusNotFound
				case !hasRole(r.roles, u.Role):
					want = http.StatusForbidden
				case !hasStatus(r.from, st):
					want = http.StatusConflict
				}
				name := fmt.Sprintf("%s/%s/%s", st, a, login)
				body := map[string]any{"note": "причина"}
				if a == app.ActionLink {
					body["parent"] = parent.Number
				}
				number := tk.Number
				if a == app.ActionLocalize { // only a type with a localisation clock can be localised; once
					number = f.inStatusOf(t, st, "CW-01").Number
				}
				res := f.do(t, login, "POST", "/api/v1/tickets/"+number+"/"+string(a), body)
				if res.Status != want {
					t.Errorf("%s: %d %s, want %d", name, res.Status, res.Body, want)
					continue
				}
				if want != http.StatusOK {
					e := res.err(t)
					if e.Error.Message == "" || e.Error.Code == "" {
						t.Errorf("%s: error without code or message: %s", name, res.Body)
					}
					continue
				}
				var got ticket
				res.decode(t, &got)
				to := r.to
				switch a {
				case app.ActionLink:
					to = app.Status(parent.Status)
				case app.ActionComment, app.ActionLocalize:
					to = st
				}
				if got.Status != string(to) {
					t.Errorf("%s: status %s, want %s", name, got.Status, to)
				}
				if a == app.ActionLocalize && got.LocalizedAt == nil {
					t.Errorf("%s: localized_at not set", name)
				}
				if a != app.ActionComment && a != app.ActionLocalize {
					tk = f.inStatus(t, st) // the old one has moved on
				}
			}
		}
	}
}

// TestRequiredNote: return, reject, cancel and comment need a note: 400 naming the
// field, and the ticket does not move.
func TestRequiredNote(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		st    app.Status
		login string
		a     app.Action
	}{
		{app.StatusRouted, "org", app.ActionReturn},
		{app.StatusDone, "resident", app.ActionReject},
		{app.StatusDone, "operator", app.ActionReject},
		{app.StatusAccepted, "operator", app.ActionCancel},
		{app.StatusNew, "supervisor", app.ActionCancel},
		{app.StatusRouted, "org", app.ActionComment},
	}
	for _, c := range cases {
		tk := f.inStatus(t, c.st)
		for _, body := range []any{nil, map[string]string{"note": "   "}} {
			res := f.do(t, c.login, "POST", "/api/v1/tickets/"+tk.Number+"/"+string(c.a), body)
			if res.Status != http.StatusBadRequest || res.err(t).Error.Fields["note"] == "" {
				t.Errorf("%s %s without note: %d %s", c.login, c.a, res.Status, res.Body)
			}
		}
		var now ticket
		f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number, nil).decode(t, &now)
		if now.Status != string(c.st) || now.Version != tk.Version {
			t.Errorf("%s %s without note moved the ticket: %s v%d", c.login, c.a, now.Status, now.Version)
		}
	}
}

// TestFiftyAcceptAtOnce: 50 dispatchers' clicks on one ticket — one wins, the
// others are told it is no longer possible, and the trail has one acceptance.
func TestFiftyAcceptAtOnce(t *testing.T) {
	f := newFixture(t)
	tk := f.file(t, "operator", f.newTicket("ROOF-01"))
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = f.do(t, "org", "POST", "/api/v1/tickets/"+tk.Number+"/accept", nil).Status
		}(i)
	}
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[http.StatusOK] != 1 || count[http.StatusConflict] != 49 {
		t.Fatalf("answers %v, want one 200 and 49 409", count)
	}
	var evs []struct {
		Action string `json:"action"`
	}
	f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number+"/events", nil).decode(t, &evs)
	accepts := 0
	for _, e := range evs {
		if e.Action == "accept" {
			accepts++
		}
	}
	if accepts != 1 {
		t.Fatalf("%d accept events, want 1", accepts)
	}
}
