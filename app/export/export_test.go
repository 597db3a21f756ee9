package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/registry"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/store"
)

// small opens a centre «USN» with one organisation and building, the accounts
// operator, admin and uk1 (passwords = logins), and 30 tickets filed by the
// operator, the first 10 accepted and done by uk1. Their descriptions carry
// contacts to mask. (The demo's 2,000 tickets take minutes under -race.)
func small(t *testing.T) *store.Store {
	t.Helper()
	s, _ := apptest.Open(t)
	err := s.Write(context.Background(), func(tx *store.Tx) error {
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
		op, uk := &app.User{Login: "operator", Role: app.RoleOperator}, &app.User{Login: "uk1", Role: app.RoleOrg, OrganizationID: o.ID}
		for _, u := range []*app.User{op, uk, {Login: "admin", Role: app.RoleAdmin}} {
			if err := tx.CreateDemoUser(u); err != nil {
				return err
			}
		}
		for i := 0; i < 30; i++ {
			tx.SetUser(op)
			tk, err := tx.CreateTicket(app.NewTicket{BuildingID: b.ID, WorkType: "CW-05", Description: fmt.Sprintf("Течёт кран %d, звонить +7 912 555-00-%02d или ivan%d@mail.ru", i, i, i),
				ReporterName: "Иванов", ReporterPhone: "+79125550000"})
			if err != nil {
				return err
			}
			if i < 10 {
				tx.SetUser(uk)
				for _, a := range []app.Action{app.ActionAccept, app.ActionDone} {
					if _, err := tx.Act(tk.Number, a, store.ActInput{}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// registryFor serves an in-process registry on loopback with municipality USN.
func registryFor(t *testing.T) (*regstore.DB, string, string) {
	t.Helper()
	db, err := regstore.Open(filepath.Join(t.TempDir(), regstore.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tok, err := db.AddMunicipality(context.Background(), "USN", "Усинск")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := registry.New(registry.Config{DB: db, Log: apptest.Logger(t), Rate: 1000,
		Views:  os.DirFS(filepath.Join(apptest.Root(), "assets", "registry")),
		Static: os.DirFS(filepath.Join(apptest.Root(), "assets", "static"))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return db, "http://" + ln.Addr().String(), tok
}

func TestPushJob(t *testing.T) {
	s := small(t)
	ctx := context.Background()
	reg, url, tok := registryFor(t)
	total, err := s.CountTickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}

	// The registry unreachable: the error is kept for the administrator and
	// nothing counts as sent.
	dead := export.New(export.Config{Store: s, URL: "http://127.0.0.1:1", Token: tok, Log: apptest.Logger(t)})
	if err := dead.PushAll(ctx, dead.Target(ctx)); err == nil {
		t.Fatal("a push to nowhere succeeded")
	}
	st, err := export.StateOf(ctx, s, dead)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Failing || !strings.Contains(st.LastError, "недоступен") || st.AckedSeq != 0 || st.Queued != total {
		t.Fatalf("after a failure: %+v", st)
	}

	job := export.New(export.Config{Store: s, URL: url + "/", Token: tok, Every: time.Hour, Log: apptest.Logger(t)})
	if err := job.PushAll(ctx, job.Target(ctx)); err != nil {
		t.Fatal(err)
	}
	st, _ = export.StateOf(ctx, s, job)
	if st.Failing || st.Queued != 0 || st.AckedSeq != st.LastSeq || st.Pushed != int64(total) || st.LastSuccess == nil {
		t.Fatalf("after the push: %+v", st)
	}
	if c, _ := reg.Count(ctx, "USN"); c.Tickets != total {
		t.Fatalf("registry holds %d, want %d", c.Tickets, total)
	}

	// One change: one record more, at its new version.
	ctxOp := apptest.As(apptest.User(t, s, "operator"))
	list, _, err := s.Tickets(ctxOp, store.TicketFilter{Statuses: []app.Status{app.StatusDone}, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatal("no done ticket", err)
	}
	changed, err := s.Act(ctxOp, list[0].Number, app.ActionConfirm, store.ActInput{})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ = export.StateOf(ctx, s, job); st.Queued != 1 {
		t.Fatalf("queued %d after one change", st.Queued)
	}
	if err := job.PushAll(ctx, job.Target(ctx)); err != nil {
		t.Fatal(err)
	}
	raw, err := reg.TicketRecord(ctx, "USN", changed.Number)
	if err != nil {
		t.Fatal(err)
	}
	var got app.TicketJSON
	json.Unmarshal(raw, &got)
	if got.Version != changed.Version || got.Status != app.StatusClosed || got.Reporter != nil {
		t.Fatalf("registry holds %+v", got)
	}

	// A refused push (revoked token) moves nothing on, and says why.
	if err := reg.RevokeToken(ctx, "USN"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctxOp, changed.Number, app.ActionComment, store.ActInput{Note: "без изменения версии"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(store.SetCenterName, "Центр") }); err != nil {
		t.Fatal(err)
	}
	before, _ := export.StateOf(ctx, s, job)
	list, _, _ = s.Tickets(ctxOp, store.TicketFilter{Statuses: []app.Status{app.StatusDone}, Limit: 1})
	if _, err := s.Act(ctxOp, list[0].Number, app.ActionConfirm, store.ActInput{}); err != nil {
		t.Fatal(err)
	}
	err = job.PushAll(ctx, job.Target(ctx))
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("push with a revoked token: %v", err)
	}
	after, _ := export.StateOf(ctx, s, job)
	if after.AckedSeq != before.AckedSeq || after.Queued != 1 || !after.Failing {
		t.Fatalf("a refused push moved the state: %+v", after)
	}
}

func TestWriteFile(t *testing.T) {
	s := small(t)
	ctx := context.Background()
	var all bytes.Buffer
	n, last, err := export.WriteFile(ctx, s, &all, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(all.String()), "\n")
	if len(lines) != n || n == 0 {
		t.Fatalf("%d lines for %d records", len(lines), n)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["reporter"]; ok || m["municipality"] != "USN" || m["version"] == nil || strings.Contains(l, "@mail.ru") || strings.Contains(l, "555-00") || strings.Contains(l, "Иванов") {
			t.Fatalf("record %s", l)
		}
		if seen[m["number"].(string)] {
			t.Fatalf("ticket %s twice", m["number"])
		}
		seen[m["number"].(string)] = true
	}
	// --since: only what changed after.
	var tail bytes.Buffer
	n2, last2, err := export.WriteFile(ctx, s, &tail, last)
	if err != nil || n2 != 0 || last2 != last {
		t.Fatalf("nothing after the last change: %d %d %v", n2, last2, err)
	}
}

// TestAdminPage shows the push state to the administrator, as a page and as JSON,
// and to nobody else.
func TestAdminPage(t *testing.T) {
	s := small(t)
	srv := apptest.Server(t, s)
	srv.ExportJob = export.New(export.Config{Store: s, URL: "http://127.0.0.1:1", Token: "x"})
	if err := srv.ExportJob.PushAll(context.Background(), srv.ExportJob.Target(context.Background())); err == nil {
		t.Fatal("push to nowhere succeeded")
	}
	base := apptest.Listen(t, srv)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (int, string) {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	signIn := func(login string) {
		_, body := get("/login")
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)[1]
		resp, err := c.PostForm(base+"/login", url.Values{"csrf": {csrf}, "login": {login}, "password": {login}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	signIn("operator")
	if st, _ := get("/admin/registry"); st != 403 {
		t.Fatalf("operator sees the export page: %d", st)
	}
	jar, _ = cookiejar.New(nil)
	c.Jar = jar
	signIn("admin")
	st, body := get("/admin/registry")
	if st != 200 || !strings.Contains(body, "В очереди изменений") || !strings.Contains(body, "реестр недоступен") {
		t.Fatalf("admin page: %d\n%s", st, body)
	}
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"login":"admin","password":"admin"}`))
	if err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+"/api/v1/admin/registry", nil)
	req.Header.Set("Authorization", "Bearer "+lr.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state export.State
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil || resp.StatusCode != 200 || !state.Failing || state.Queued == 0 || !state.Configured {
		t.Fatalf("admin JSON: %d %+v %v", resp.StatusCode, state, err)
	}
}
