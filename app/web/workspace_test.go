package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
	"github.com/xuri/excelize/v2"
)

// TestIntakeBadInputKeepsWhatWasTyped: a form with mistakes comes back with every
// value as typed and a Russian message by each bad field, and nothing is filed.
func TestIntakeBadInputKeepsWhatWasTyped(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	op := signIn(t, srv, "operator")
	ctx := apptest.As(apptest.User(t, s, "operator"))
	before, _ := s.CountTickets(ctx, store.TicketFilter{})
	st, body, _ := op.post("/work/new", url.Values{"reporter_phone": {"12"}, "reporter_name": {"Сидоров Пётр"},
		"building_q": {"ленина"}, "work_q": {"лифт"}, "description": {"Лифт стоит третий день"}, "apartment": {"7"}})
	if st != http.StatusBadRequest {
		t.Fatalf("status %d", st)
	}
	for _, want := range []string{`value="12"`, `value="Сидоров Пётр"`, `value="ленина"`, `value="лифт"`, "Лифт стоит третий день", `value="7"`,
		`class="field-error"`, "Выберите дом.", "Выберите вид работ.", "Проверьте выделенные поля."} {
		if !strings.Contains(body, want) {
			t.Errorf("the re-rendered form lacks %q", want)
		}
	}
	if after, _ := s.CountTickets(ctx, store.TicketFilter{}); after != before {
		t.Fatalf("a bad form filed a ticket")
	}
	// Work types are found by the words residents use, each with its deadline.
	// An emergency is taken by Enter only when it is clearly the best match: «батареи
	// холодные» (which of three heating tiers?) and «нет света» (the house or the
	// staircase?) leave the choice to the operator.
	for _, q := range []string{"батареи холодные", "нет света", "холодно"} {
		_, body := op.get("/work/lookup/work-types?work_q=" + url.QueryEscape(q))
		if !strings.Contains(body, `type="radio"`) || strings.Contains(body, " checked") {
			t.Errorf("%q: an emergency chosen for the operator, or nothing found", q)
		}
	}
	for q, code := range map[string]string{"течёт": "", "нет горячей воды": "HW-02", "лифт": "LIFT-0", "застрял в лифте": "LIFT-02", "пахнет газом": "GAS-01"} {
		_, body := op.get("/work/lookup/work-types?work_q=" + url.QueryEscape(q))
		if !strings.Contains(body, `type="radio"`) || !strings.Contains(body, "срок") && !(code == "GAS-01" && strings.Contains(body, "передать в 104</strong>")) {
			t.Errorf("%q finds no work type with its deadline", q)
		}
		if code != "" && !regexp.MustCompile(`value="`+code+`[^"]*" checked`).MatchString(body) {
			t.Errorf("%q does not put %s first", q, code)
		}
	}
}

// TestIntakeCallerAndDuplicates: the caller's number brings back their earlier
// tickets and address; a possible duplicate is linked with one click, in the same
// transaction as the filing.
func TestIntakeCallerAndDuplicates(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	op := signIn(t, srv, "operator")
	sup := apptest.As(apptest.User(t, s, "supervisor"))
	open, _, err := s.Tickets(sup, store.TicketFilter{Statuses: []app.Status{app.StatusAccepted}, Limit: 50})
	var prev *app.Ticket
	for _, o := range open {
		if o.ParentID == 0 && prev == nil { // a linked one would pass the link on to its parent
			prev = o
		}
	}
	if err != nil || prev == nil {
		t.Fatal("no accepted ticket in the demo")
	}
	_, body := op.get("/work/lookup/caller?reporter_phone=" + url.QueryEscape(prev.ReporterPhone))
	if !strings.Contains(body, prev.Number) || !strings.Contains(body, `hx-swap-oob="true"`) || !strings.Contains(body, prev.Address) {
		t.Fatalf("the caller's earlier ticket %s and address are not offered: %s", prev.Number, body)
	}
	b := strconv.FormatInt(prev.BuildingID, 10)
	_, body = op.get("/work/lookup/duplicates?building_id=" + b + "&work_type=" + prev.WorkType.Code)
	if !strings.Contains(body, `name="parent" value="`+prev.Number+`"`) {
		t.Fatalf("the open ticket %s of the same building is not offered as a duplicate", prev.Number)
	}
	st, _, loc := op.post("/work/new", url.Values{"reporter_phone": {"+79121112233"}, "building_id": {b}, "work_type": {prev.WorkType.Code},
		"description": {"Соседи тоже жалуются"}, "parent": {prev.Number}})
	if st != http.StatusSeeOther {
		t.Fatalf("link on filing: status %d", st)
	}
	number := strings.TrimSuffix(strings.TrimPrefix(loc, "/work/tickets/"), "?created=1")
	tk, err := s.Ticket(sup, number)
	if err != nil || tk.ParentNumber != prev.Number || tk.Status != prev.Status {
		t.Fatalf("filed ticket %+v (%v): want linked to %s", tk, err, prev.Number)
	}
	// A bad parent files nothing.
	before, _ := s.CountTickets(sup, store.TicketFilter{})
	st, body, _ = op.post("/work/new", url.Values{"reporter_phone": {"+79121112233"}, "building_id": {b}, "work_type": {prev.WorkType.Code},
		"description": {"Ещё раз"}, "parent": {"USN-999999"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "не найдена") {
		t.Fatalf("bad parent: status %d", st)
	}
	if after, _ := s.CountTickets(sup, store.TicketFilter{}); after != before {
		t.Fatal("a failed link left a ticket half-saved")
	}
}

// TestStaleFormSaysSo: an action sent from a page that is out of date is refused
// with a message instead of overwriting what happened meanwhile.
func TestStaleFormSaysSo(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	uk1 := apptest.User(t, s, "uk1")
	org := signIn(t, srv, "uk1")
	list, _, _ := s.Tickets(apptest.As(uk1), store.TicketFilter{Statuses: []app.Status{app.StatusAccepted}, Limit: 1})
	if len(list) == 0 {
		t.Fatal("no accepted ticket")
	}
	tk := list[0]
	if _, err := s.Act(apptest.As(uk1), tk.Number, app.ActionComment, store.ActInput{Note: "meanwhile"}); err != nil {
		t.Fatal(err)
	}
	old := strconv.FormatInt(tk.Version-1, 10)
	st, body, _ := org.post("/work/tickets/"+tk.Number+"/done", url.Values{"version": {old}, "executor": {"Иванов"}, "note": {"сделано"}})
	if st != http.StatusConflict || !strings.Contains(body, "изменилась") || !strings.Contains(body, `value="Иванов"`) {
		t.Fatalf("stale form: status %d", st)
	}
	// Done from the web form needs the executor's name, said by the field.
	st, body, _ = org.post("/work/tickets/"+tk.Number+"/done", url.Values{"version": {strconv.FormatInt(tk.Version, 10)}, "executor": {""}, "note": {"сделано"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "Укажите исполнителя") || !strings.Contains(body, `value="сделано"`) {
		t.Fatalf("done without executor: status %d", st)
	}
	st, _, _ = org.post("/work/tickets/"+tk.Number+"/done", url.Values{"version": {strconv.FormatInt(tk.Version, 10)}, "executor": {"Бригада №2"}})
	if st != http.StatusSeeOther {
		t.Fatalf("done: status %d", st)
	}
	evs, _ := s.Events(apptest.As(uk1), tk.Number)
	if last := evs[len(evs)-1]; last.Action != app.ActionDone || !strings.Contains(last.Note, "Бригада №2") {
		t.Fatalf("the executor is not in the trail: %+v", last)
	}
}

// TestEnglishLocale: a user who chooses English reads the screens in English.
func TestEnglishLocale(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	op := signIn(t, srv, "operator")
	if _, body := op.get("/work/"); !strings.Contains(body, "Ждут принятия") || !strings.Contains(body, `lang="ru"`) {
		t.Fatal("the default is not Russian")
	}
	if st, _, _ := op.post("/work/locale", url.Values{"locale": {"en"}, "back": {"/work/"}}); st != http.StatusSeeOther {
		t.Fatalf("choose English: %d", st)
	}
	_, body := op.get("/work/")
	for _, want := range []string{`lang="en"`, "Awaiting acceptance", "New ticket", "Sign out"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if u := apptest.User(t, s, "operator"); u.Locale != "en" {
		t.Errorf("locale stored as %q", u.Locale)
	}
}

// TestSearchExport: the supervisor's search exports the same tickets to CSV and
// XLSX.
func TestSearchExport(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	sup := signIn(t, srv, "supervisor")
	n, _ := s.CountTickets(apptest.As(apptest.User(t, s, "supervisor")), store.TicketFilter{Overdue: true})
	if n == 0 {
		t.Fatal("no overdue tickets in the demo")
	}
	st, body := sup.get("/work/search.csv?overdue=1")
	if st != 200 {
		t.Fatalf("csv: %d", st)
	}
	if lines := strings.Count(strings.TrimSpace(body), "\n"); lines != n {
		t.Errorf("csv has %d rows, want %d", lines, n)
	}
	if !strings.HasPrefix(body, "\ufeffНомер;Статус") {
		t.Errorf("csv header: %.60q", body)
	}
	req := httptest.NewRequest(http.MethodGet, "/work/search.xlsx?overdue=1", nil)
	_, xbody, _ := sup.do(req)
	x, err := excelize.OpenReader(strings.NewReader(xbody))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Заявки")
	if len(rows) != n+1 || rows[0][0] != "Номер" || rows[1][15] != "да" {
		t.Errorf("xlsx: %d rows, first %v", len(rows), rows[:min(2, len(rows))])
	}
	if st, body := sup.get("/work/search?from=2026-11-10&to=2026-11-01"); st != 400 || !strings.Contains(body, "Конец периода раньше начала") {
		t.Errorf("bad period: %d", st)
	}
}

// TestAdminImportXLSX: an XLSX file of organisations is checked and imported;
// a file with a bad row imports nothing unless the admin skips bad rows.
func TestAdminImportXLSX(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	adm := signIn(t, srv, "admin")
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"Название", "Тип", "ИНН", "Телефон"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"ООО «Новый дом»", "УО", "7707083893", "+78214400000"})
	x.SetSheetRow("Sheet1", "A3", &[]any{"", "УО", "123", ""})
	buf, _ := x.WriteToBuffer()
	upload := func(data []byte) (int, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("csrf", adm.csrf)
		w.WriteField("kind", "organizations")
		fw, _ := w.CreateFormFile("file", "orgs.xlsx")
		fw.Write(data)
		w.Close()
		req := httptest.NewRequest(http.MethodPost, "/admin/import", &b)
		req.Header.Set("Content-Type", w.FormDataContentType())
		st, _, loc := adm.do(req)
		return st, loc
	}
	st, loc := upload(buf.Bytes())
	if st != http.StatusSeeOther {
		t.Fatalf("upload: %d", st)
	}
	_, body := adm.get(loc)
	if !strings.Contains(body, "<td>3</td>") || !strings.Contains(body, "Укажите название") || !strings.Contains(body, "ИНН неверен") {
		t.Fatalf("the bad row 3 is not reported: %s", body)
	}
	if st, _, _ := adm.post(loc+"/apply", url.Values{}); st != http.StatusBadRequest {
		t.Fatalf("import of a file with errors without skipping: %d", st)
	}
	if st, _, _ := adm.post(loc+"/apply", url.Values{"skip_bad": {"1"}}); st != http.StatusSeeOther {
		t.Fatalf("apply: %d", st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body = adm.get(loc)
		if strings.Contains(body, "import-done") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(body, "Импортировано строк: 1") {
		t.Fatalf("result: %s", body)
	}
	orgs, _ := s.Organizations(context.Background(), "")
	found := false
	for _, o := range orgs {
		found = found || o.INN == "7707083893"
	}
	if !found {
		t.Fatal("the good row was not imported")
	}
}

// TestQueueRefreshShowsPortalTicket: a ticket filed on the portal is routed at once
// to the building's organisation, and the queue's self-refresh (an htmx request)
// brings it into «Ждут принятия» as a fragment without the layout; one click
// routes a returned ticket back to the building's organisation.
func TestQueueRefreshShowsPortalTicket(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	op := signIn(t, srv, "operator")
	_, page := op.get("/work/?q=routed")
	if !strings.Contains(page, `hx-trigger="every 15s, ecoz:alert from:body"`) {
		t.Fatal("the queue does not refresh by itself")
	}
	ctx := context.Background()
	orgs, _ := s.Organizations(ctx, "")
	var north *app.Organization
	for _, o := range orgs {
		if o.Name == "ООО УК «Северный дом»" {
			north = o
		}
	}
	bs, _ := s.Buildings(ctx, north.ID)
	res := apptest.User(t, s, "resident")
	tk, _, err := s.CreateTicket(apptest.As(res), app.NewTicket{BuildingID: bs[0].ID, Apartment: "3", WorkType: "CW-05", Description: "Кран течёт", ReporterPhone: "+79120001122"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != app.StatusRouted || tk.OrgName != "ООО УК «Северный дом»" {
		t.Fatalf("portal ticket at filing: %s %q", tk.Status, tk.OrgName)
	}
	req := httptest.NewRequest(http.MethodGet, "/work/?q=routed", nil)
	req.Header.Set("HX-Request", "true")
	st, frag, _ := op.do(req)
	if st != 200 || !strings.Contains(frag, tk.Number) || strings.Contains(frag, "<html") || !strings.HasPrefix(strings.TrimSpace(frag), `<div id="queue"`) {
		t.Fatalf("refresh: status %d, fragment %.200q", st, frag)
	}
	// Returned as not theirs, it waits in «Новые»; one click routes it to the
	// organisation serving the building.
	uk := apptest.User(t, s, "uk1")
	if uk.OrganizationID != north.ID {
		t.Fatalf("uk1 is not «Северный дом»'s dispatcher")
	}
	back, err := s.Act(apptest.As(uk), tk.Number, app.ActionReturn, store.ActInput{Note: "проверьте адрес"})
	if err != nil || back.Status != app.StatusNew {
		t.Fatalf("return: %v %v", back, err)
	}
	if st, _, _ := op.post("/work/tickets/"+tk.Number+"/route", url.Values{"version": {strconv.FormatInt(back.Version, 10)}, "back": {"/work/?q=new"}}); st != http.StatusSeeOther {
		t.Fatalf("route: %d", st)
	}
	// A leaking tap is the management organisation's (the routing of every
	// «responsible» is TestRoutingByResponsible's).
	if got, _ := s.Ticket(apptest.As(res), tk.Number); got.Status != app.StatusRouted || got.OrgName != "ООО УК «Северный дом»" {
		t.Fatalf("after route: %s to %q", got.Status, got.OrgName)
	}
}

// TestAdminCatalogues: the administrator creates a user (a mistake comes back
// with the values typed), resets a password, disables a user, and edits a work
// type's deadline, which its history keeps.
func TestAdminCatalogues(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	adm := signIn(t, srv, "admin")
	uk1 := apptest.User(t, s, "uk1")
	org := strconv.FormatInt(uk1.OrganizationID, 10)
	st, body, _ := adm.post("/admin/users", url.Values{"login": {"petrov"}, "name": {"Петров И."}, "role": {"org"}, "organization_id": {org}, "locale": {"ru"}, "password": {"short"}})
	if st != http.StatusBadRequest || !strings.Contains(body, `value="petrov"`) || !strings.Contains(body, `value="Петров И."`) || !strings.Contains(body, "не короче 8") {
		t.Fatalf("bad password: status %d", st)
	}
	if st, _, _ = adm.post("/admin/users", url.Values{"login": {"petrov"}, "name": {"Петров И."}, "role": {"org"}, "organization_id": {org}, "locale": {"ru"}, "password": {"long-enough-1"}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	u := apptest.User(t, s, "petrov")
	if u.Role != app.RoleOrg || u.OrganizationID != uk1.OrganizationID {
		t.Fatalf("created %+v", u)
	}
	if _, err := s.Authenticate(context.Background(), "petrov", "long-enough-1"); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(u.ID, 10)
	if st, _, _ = adm.post("/admin/users/"+id, url.Values{"name": {"Петров И."}, "role": {"org"}, "organization_id": {org}, "locale": {"en"}, "password": {"brand-new-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("reset: %d", st)
	}
	if _, err := s.Authenticate(context.Background(), "petrov", "brand-new-pass"); err != nil {
		t.Fatalf("the reset password does not work: %v", err)
	}
	if st, _, _ = adm.post("/admin/users/"+id, url.Values{"name": {"Петров И."}, "role": {"org"}, "organization_id": {org}, "locale": {"en"}, "disabled": {"1"}}); st != http.StatusSeeOther {
		t.Fatalf("disable: %d", st)
	}
	if _, err := s.Authenticate(context.Background(), "petrov", "brand-new-pass"); err == nil {
		t.Fatal("a disabled user signs in")
	}
	me := strconv.FormatInt(apptest.User(t, s, "admin").ID, 10)
	if st, body, _ = adm.post("/admin/users/"+me, url.Values{"role": {"operator"}, "locale": {"ru"}}); st != http.StatusBadRequest || !strings.Contains(body, "Себя нельзя") {
		t.Fatalf("admin demoting themself: %d", st)
	}
	if st, body, _ = adm.post("/admin/work-types/YARD-02", url.Values{"local_hours": {"abc"}, "accept_hours": {"2"}, "active": {"1"}}); st != http.StatusBadRequest || !strings.Contains(body, "Ожидается число") || !strings.Contains(body, `value="abc"`) {
		t.Fatalf("bad hours: %d", st)
	}
	wt, _ := s.WorkType(context.Background(), "ROOF-04")
	if st, _, _ = adm.post("/admin/work-types/ROOF-04", url.Values{"local_hours": {"48"}, "accept_hours": {"0"}, "keywords": {wt.Keywords}, "active": {"1"}}); st != http.StatusSeeOther {
		t.Fatalf("edit deadline: %d", st)
	}
	_, body = adm.get("/admin/work-types/ROOF-04")
	if !strings.Contains(body, "<td>local_hours</td><td>72</td><td>48</td>") {
		t.Fatalf("the history lacks the change: %s", body[strings.Index(body, "История"):])
	}
	if st, body, _ = adm.post("/admin/orgs", url.Values{"name": {"ООО «Ромашка»"}, "kind": {"management"}, "inn": {"1234567890"}}); st != http.StatusBadRequest || !strings.Contains(body, "ИНН неверен") || !strings.Contains(body, "Ромашка") {
		t.Fatalf("bad INN: %d", st)
	}
	if st, body, _ = adm.post("/admin/settings", url.Values{"municipality_name": {"Усинск"}, "municipality_code": {"USN"}, "timezone": {"Mars/Base"}, "center_name": {"Центр"}, "accept_hours": {"24"}, "export_every": {"15m"}}); st != http.StatusBadRequest || !strings.Contains(body, "часовой пояс") || !strings.Contains(body, `value="Mars/Base"`) {
		t.Fatalf("bad time zone: %d", st)
	}
}

// TestAdminBuildingKeepsTyped: a building with a mistake comes back as typed.
func TestAdminBuildingKeepsTyped(t *testing.T) {
	s, _ := demo(t)
	adm := signIn(t, apptest.Server(t, s), "admin")
	st, body, _ := adm.post("/admin/buildings", url.Values{"address": {"ул. Новая, д. 9"}, "organization_id": {""}, "apartments": {"сорок"}, "area_m2": {"1200,5"}})
	for _, want := range []string{`value="ул. Новая, д. 9"`, `value="сорок"`, `value="1200,5"`, "Ожидается число.", "Укажите управляющую организацию."} {
		if !strings.Contains(body, want) {
			t.Errorf("status %d; the form lacks %q", st, want)
		}
	}
	if bs, _ := s.SearchBuildings(context.Background(), "новая 9", 5); len(bs) != 0 {
		t.Fatal("a bad building was saved")
	}
}
