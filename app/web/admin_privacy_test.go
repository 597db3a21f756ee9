package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
)

// TestSubjectAccessAndAnonymisation: the administrator finds everything held
// about a phone however it is written, hands it over as a JSON file, and
// anonymises it on request — the finished ticket at once, the one in work only
// once it is finished (it keeps the contacts the organisation needs). Nobody
// else reaches the screen.
func TestSubjectAccessAndAnonymisation(t *testing.T) {
	f := newFixture(t)
	body := f.newTicket("CW-05")
	body["reporter_name"], body["reporter_phone"], body["apartment"], body["description"] = "Сидоров Пётр", "+7 912 555-44-33", "417", "Течёт кран, Сидоров"
	done := f.file(t, "operator", body)
	f.act(t, "org", done.Number, app.ActionAccept, nil)
	f.act(t, "org", done.Number, app.ActionDone, nil)
	f.act(t, "operator", done.Number, app.ActionConfirm, nil)
	open := f.file(t, "operator", body)
	other := f.file(t, "operator", f.newTicket("CW-05")) // another phone: not theirs

	admin := newClient(t, f.srv)
	if st, _, _ := admin.post("/login", url.Values{"login": {"admin"}, "password": {"admin-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("admin sign in: %d", st)
	}
	_, page := admin.get("/admin/personal")
	admin.csrf = csrfRe.FindStringSubmatch(page)[1]
	st, page := admin.get("/admin/personal?phone=" + url.QueryEscape("8 (912) 555-44-33"))
	if st != 200 || !strings.Contains(page, "Заявки: 2") || !strings.Contains(page, done.Number) || !strings.Contains(page, open.Number) ||
		strings.Contains(page, other.Number) || !strings.Contains(page, "<td>417</td>") || !strings.Contains(page, "Сидоров Пётр 8 (912) 555-44-33") {
		t.Fatalf("subject page: %d\n%s", st, page)
	}
	st, file := admin.get("/admin/personal/export?phone=%2B79125554433")
	var d struct {
		Phone   string
		Tickets []struct {
			Number, Apartment, Description string
			Events                         []struct{ Action string }
		}
	}
	if err := json.Unmarshal([]byte(file), &d); st != 200 || err != nil || d.Phone != "+79125554433" || len(d.Tickets) != 2 ||
		d.Tickets[0].Number != done.Number || d.Tickets[0].Apartment != "417" || len(d.Tickets[0].Events) != 5 {
		t.Fatalf("export: %d %v %+v", st, err, d)
	}

	st, page, _ = admin.post("/admin/personal/anonymize", url.Values{"phone": {"89125554433"}})
	if st != 200 || !strings.Contains(page, "Обезличено заявок: 1.") || !strings.Contains(page, "Заявки в работе сохраняют контакты, пока не будут закрыты: "+open.Number) {
		t.Fatalf("anonymise: %d\n%s", st, page)
	}
	r := f.do(t, "operator", "GET", "/api/v1/tickets/"+done.Number, nil)
	var got struct {
		Apartment, Description string
		Reporter               *struct{ Name, Phone string }
	}
	r.decode(t, &got)
	if got.Apartment != "" || got.Description != app.AnonymizedText || got.Reporter == nil || got.Reporter.Name != "" || got.Reporter.Phone != "" {
		t.Fatalf("after anonymisation: %+v", got)
	}
	r = f.do(t, "operator", "GET", "/api/v1/tickets/"+done.Number+"/events", nil)
	if !strings.Contains(string(r.Body), `"action":"anonymize","from":"","to":"","note":"По запросу субъекта персональных данных`) || !strings.Contains(string(r.Body), `"actor":"admin"`) {
		t.Fatalf("trail: %s", r.Body)
	}
	if r := f.do(t, "operator", "GET", "/api/v1/tickets/"+open.Number, nil); !strings.Contains(string(r.Body), `"apartment":"417"`) {
		t.Fatalf("the ticket in work lost its contacts: %s", r.Body)
	}

	// The API answers the administrator only.
	if r := f.do(t, "admin", "GET", "/api/v1/admin/personal-data?phone=89125554433", nil); r.Status != 200 || !strings.Contains(string(r.Body), open.Number) {
		t.Fatalf("api as admin: %d %s", r.Status, r.Body)
	}
	for _, login := range []string{"operator", "supervisor", "org", "resident"} {
		if r := f.do(t, login, "GET", "/api/v1/admin/personal-data?phone=89125554433", nil); r.Status != http.StatusForbidden {
			t.Errorf("api as %s: %d", login, r.Status)
		}
	}
	if r := f.do(t, "admin", "GET", "/api/v1/admin/personal-data?phone=12", nil); r.Status != 400 {
		t.Errorf("bad phone: %d %s", r.Status, r.Body)
	}
}
