package export_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/store"
)

// The ways residents and operators wrote contacts into descriptions that the old
// masking let through, and the comment that names a neighbour.
var leaky = []string{
	"Сидоров-Квасцов Пётр, кв. 417, звонить 8.912.555.44.33",
	"телефон ８９１２５５５４４３３, почта иван@почта.рф",
	"пишите ivan(at)mail.ru, домофон 417",
}

// TestRegistryHoldsNothingPersonal pushes tickets full of personal data from a
// centre and then crawls everything the registry shows — every page reachable
// from its home page signed in, the search, and the API — for the flat, the
// description, the reporter's name and phone.
func TestRegistryHoldsNothingPersonal(t *testing.T) {
	s, _ := apptest.Open(t)
	ctx := context.Background()
	err := s.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(store.SetMunicipalityCode, "USN"); err != nil {
			return err
		}
		o := &app.Organization{Name: "УК «Север»", Kind: app.OrgManagement}
		if err := tx.SaveOrganization(o); err != nil {
			return err
		}
		b := &app.Building{Address: "ул. Мира, д. 1", OrganizationID: o.ID, Apartments: 40}
		if err := tx.SaveBuilding(b); err != nil {
			return err
		}
		op := &app.User{Login: "operator", Role: app.RoleOperator}
		if err := tx.CreateDemoUser(op); err != nil {
			return err
		}
		tx.SetUser(op)
		for i, d := range leaky {
			tk, err := tx.CreateTicket(app.NewTicket{BuildingID: b.ID, WorkType: "CW-05", Apartment: "417", Description: d,
				ReporterName: "Сидоров-Квасцов Пётр", ReporterPhone: "+79125554433"})
			if err != nil {
				return err
			}
			if _, err := tx.Act(tk.Number, app.ActionComment, store.ActInput{Note: fmt.Sprintf("перезвонить Квасцову, кв. 417 (%d)", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reg, base, tok := registryFor(t)
	job := export.New(export.Config{Store: s, URL: base, Token: tok, Log: apptest.Logger(t)})
	if err := job.PushAll(ctx, job.Target(ctx)); err != nil {
		t.Fatal(err)
	}
	if c, _ := reg.Count(ctx, "USN"); c.Tickets != len(leaky) {
		t.Fatalf("registry holds %d tickets, want %d", c.Tickets, len(leaky))
	}
	if err := reg.AddUser(ctx, "respublika", "secret-pass"); err != nil {
		t.Fatal(err)
	}
	jar := &jar{}
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/login", url.Values{"login": {"respublika"}, "password": {"secret-pass"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", err, resp)
	}
	resp.Body.Close()

	// Everything a person or a program can read: the pages from the home page on,
	// searches for the personal words, and the API.
	queue := []string{"/", "/search?q=" + url.QueryEscape("квасцов"), "/search?q=417", "/search?m=USN&q=" + url.QueryEscape("мира"),
		"/api/registry/v1/municipalities"}
	for i := 1; i <= len(leaky); i++ {
		queue = append(queue, fmt.Sprintf("/api/registry/v1/tickets/USN/USN-%06d", i), fmt.Sprintf("/m/USN/USN-%06d", i))
	}
	seen := map[string]bool{}
	href := regexp.MustCompile(`href="(/[^"#]*)"`)
	var ticketPages int
	for len(queue) > 0 && len(seen) < 300 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] || strings.HasPrefix(p, "/static/") || p == "/logout" {
			continue
		}
		seen[p] = true
		resp, err := c.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
			continue
		}
		body := string(b)
		if strings.HasPrefix(p, "/m/USN/USN-") && strings.Contains(body, "ул. Мира, д. 1") {
			ticketPages++
		}
		for _, leak := range leakIn(body) {
			t.Errorf("%s shows %s", p, leak)
		}
		for _, m := range href.FindAllStringSubmatch(body, -1) {
			queue = append(queue, strings.ReplaceAll(m[1], "&amp;", "&"))
		}
	}
	if ticketPages != len(leaky) || len(seen) < 10 {
		t.Fatalf("crawled %d pages, %d ticket pages with the address; want every ticket's", len(seen), ticketPages)
	}
}

// leakIn names what of the fixture's personal data body shows (a search page
// echoing the lower-case words searched for is not a leak).
func leakIn(body string) []string {
	var out []string
	for _, w := range []string{"Сидоров", "Квасцов", "кв. 417", `"apartment"`, `"description"`, `"reporter"`, "почта", "mail.ru", "домофон", "звонить"} {
		if strings.Contains(body, w) {
			out = append(out, w)
		}
	}
	digits := regexp.MustCompile(`[^0-9０-９]`).ReplaceAllString(body, "")
	if strings.Contains(digits, "9125554433") || strings.Contains(digits, "９１２５５５４４３３") {
		out = append(out, "the phone number")
	}
	return out
}

// jar keeps the registry's cookies for one site.
type jar struct{ c []*http.Cookie }

func (j *jar) SetCookies(_ *url.URL, cs []*http.Cookie) { j.c = append(j.c, cs...) }
func (j *jar) Cookies(*url.URL) []*http.Cookie          { return j.c }
