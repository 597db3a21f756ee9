package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
)

// fixture is a municipality «TST» with two management organisations, a resource
// supplier, two buildings and one user of every role (plus a second dispatcher and
// a second resident, to check scoping), served by the real Fiber app.
type fixture struct {
	s     *store.Store
	clock *apptest.Clock
	srv   *web.Server

	org, org2, supplier *app.Organization
	lenina, mira        *app.Building

	users  map[string]*app.User // by login
	tokens map[string]string    // bearer token by login
}

// fixtureLogins are the users of the fixture: one per role, plus org2 and resident2.
var fixtureLogins = []string{"operator", "supervisor", "admin", "org", "org2", "resident", "resident2"}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	s, clock := apptest.Open(tb)
	f := &fixture{s: s, clock: clock, users: map[string]*app.User{}, tokens: map[string]string{}}
	err := s.Write(context.Background(), func(tx *store.Tx) error {
		if err := tx.SetSetting(store.SetMunicipalityCode, "TST"); err != nil {
			return err
		}
		f.org = &app.Organization{Name: "УК Север", Kind: app.OrgManagement, INN: "1106012343"}
		f.org2 = &app.Organization{Name: "УК Юг", Kind: app.OrgManagement}
		f.supplier = &app.Organization{Name: "Усинская тепловая компания", Kind: app.OrgSupplier}
		for _, o := range []*app.Organization{f.org, f.org2, f.supplier} {
			if err := tx.SaveOrganization(o); err != nil {
				return err
			}
		}
		f.lenina = &app.Building{Address: "ул. Ленина, д. 5", OrganizationID: f.org.ID, SupplierID: f.supplier.ID, Apartments: 40}
		f.mira = &app.Building{Address: "ул. Мира, д. 12, корп. 2", OrganizationID: f.org2.ID, Apartments: 60}
		for _, b := range []*app.Building{f.lenina, f.mira,
			{Address: "ул. Ленина, д. 15", OrganizationID: f.org.ID},
			{Address: "ул. Парковая, д. 3, стр. 1", OrganizationID: f.org.ID},
			{Address: "ул. Пионерская, д. 7", OrganizationID: f.org2.ID},
			{Address: "ул. Берёзовая, д. 2", OrganizationID: f.org2.ID}} {
			if err := tx.SaveBuilding(b); err != nil {
				return err
			}
		}
		for _, u := range []*app.User{
			{Login: "operator", Role: app.RoleOperator},
			{Login: "supervisor", Role: app.RoleSupervisor},
			{Login: "admin", Role: app.RoleAdmin},
			{Login: "org", Role: app.RoleOrg, OrganizationID: f.org.ID},
			{Login: "org2", Role: app.RoleOrg, OrganizationID: f.org2.ID},
			{Login: "resident", Role: app.RoleResident, Name: "Анна", Phone: "+79121112233"},
			{Login: "resident2", Role: app.RoleResident, Name: "Борис", Phone: "+79124445566"},
		} {
			if err := tx.CreateUser(u, u.Login+"-pass"); err != nil {
				return err
			}
			f.users[u.Login] = u
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range fixtureLogins {
		sess, err := s.CreateSession(context.Background(), f.users[l], "api", 24*365*3600e9)
		if err != nil {
			tb.Fatal(err)
		}
		f.tokens[l] = sess.Token
	}
	f.srv = apptest.Server(tb, s)
	f.srv.SetCreateLimits(0, 0) // the tests file many tickets quickly; TestCreationRateLimits sets its own
	return f
}

// as returns the context of a fixture user, for calls straight into the store.
func (f *fixture) as(login string) context.Context { return apptest.As(f.users[login]) }

// response is an API answer: the status and the decoded JSON body.
type response struct {
	Status int
	Body   []byte
}

func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// apiError is the error object of the contract.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func (r response) err(tb testing.TB) apiError {
	tb.Helper()
	var e apiError
	r.decode(tb, &e)
	return e
}

// do sends a request through the Fiber app as login ("" for nobody); body is sent
// as is when it is a string or []byte and as JSON otherwise.
func (f *fixture) do(tb testing.TB, login, method, path string, body any) response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[login])
	}
	res, err := f.srv.App.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{res.StatusCode, b}
}

// ticket is the part of the contract's ticket object the tests look at.
type ticket struct {
	Number   string `json:"number"`
	Status   string `json:"status"`
	Source   string `json:"source"`
	WorkType struct {
		Code      string `json:"code"`
		Emergency bool   `json:"emergency"`
	} `json:"work_type"`
	Building struct {
		ID      int64  `json:"id"`
		Address string `json:"address"`
	} `json:"building"`
	Description string `json:"description"`
	Reporter    *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"reporter"`
	Organization *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"organization"`
	Parent             *string  `json:"parent"`
	CreatedAt          string   `json:"created_at"`
	AcceptDueAt        string   `json:"accept_due_at"`
	DueAt              string   `json:"due_at"`
	LocalizeDueAt      *string  `json:"localize_due_at"`
	LocalizedAt        *string  `json:"localized_at"`
	Handoff            *string  `json:"handoff"`
	DoneAt             *string  `json:"done_at"`
	ClosedAt           *string  `json:"closed_at"`
	Overdue            bool     `json:"overdue"`
	DoneOnTime         *bool    `json:"done_on_time"`
	ReopenCount        int      `json:"reopen_count"`
	CallAttempts       int      `json:"call_attempts"`
	Version            int64    `json:"version"`
	PossibleDuplicates []ticket `json:"possible_duplicates"`
	Callback           *struct {
		ClaimedBy    *string `json:"claimed_by"`
		ClaimedUntil *string `json:"claimed_until"`
		RetryAt      *string `json:"retry_at"`
		LastCallAt   *string `json:"last_call_at"`
		FailedAt     *string `json:"failed_at"`
	} `json:"callback"`
}

// newTicket is a valid request body for POST /api/v1/tickets.
func (f *fixture) newTicket(wt string) map[string]any {
	return map[string]any{"building_id": f.lenina.ID, "apartment": "12", "work_type": wt,
		"description": "Течёт с потолка в ванной", "reporter_name": "Иван Петров", "reporter_phone": "8 912 345-67-89"}
}

// file creates a ticket through the API as login and fails the test otherwise.
func (f *fixture) file(tb testing.TB, login string, body map[string]any) ticket {
	tb.Helper()
	r := f.do(tb, login, "POST", "/api/v1/tickets", body)
	if r.Status != http.StatusCreated {
		tb.Fatalf("create as %s: %d %s", login, r.Status, r.Body)
	}
	var t ticket
	r.decode(tb, &t)
	return t
}

// fileUnrouted files a ticket while the building's organisation is inactive, so
// that nobody can take it and it waits as new, as a ticket does when the routing
// rules name nobody; the organisation is active again afterwards.
func (f *fixture) fileUnrouted(tb testing.TB, login string, body map[string]any) ticket {
	tb.Helper()
	org := f.org
	if id, _ := body["building_id"].(int64); id != 0 && id == f.mira.ID {
		org = f.org2
	}
	org.Active = false
	if err := f.s.SaveOrganization(f.as("admin"), org); err != nil {
		tb.Fatal(err)
	}
	tk := f.file(tb, login, body)
	org.Active = true
	if err := f.s.SaveOrganization(f.as("admin"), org); err != nil {
		tb.Fatal(err)
	}
	if tk.Status != "new" {
		tb.Fatalf("filed while nobody could take it: %s", tk.Status)
	}
	return tk
}

// act takes an action through the API and fails the test unless it succeeds.
func (f *fixture) act(tb testing.TB, login, number string, a app.Action, body any) ticket {
	tb.Helper()
	r := f.do(tb, login, "POST", "/api/v1/tickets/"+number+"/"+string(a), body)
	if r.Status != http.StatusOK {
		tb.Fatalf("%s %s %s: %d %s", login, a, number, r.Status, r.Body)
	}
	var t ticket
	r.decode(tb, &t)
	return t
}
