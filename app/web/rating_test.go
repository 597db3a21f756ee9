package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/web"
	"github.com/xuri/excelize/v2"
)

func get(t *testing.T, srv *web.Server, path, cookie string) (int, []byte, http.Header) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// ratingSignIn signs login in through the form and returns the session cookie.
func ratingSignIn(t *testing.T, srv *web.Server, login string) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/login", nil)
	resp, err := srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(body)
	if m == nil {
		t.Fatal("no csrf on the sign-in form")
	}
	var pre string
	for _, c := range resp.Cookies() {
		if c.Name == "ecoz_csrf" {
			pre = c.Name + "=" + c.Value
		}
	}
	form := url.Values{"login": {login}, "password": {login}, "csrf": {string(m[1])}}
	req = httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", pre)
	resp, err = srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Value != "" && c.Name != "ecoz_csrf" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("sign-in of %s failed: %d", login, resp.StatusCode)
	return ""
}

// TestRatingAndReport runs the rating's and the report's web checks on one demo
// database (loading it is the slow part).
func TestRatingAndReport(t *testing.T) {
	s, _ := apptest.Demo(t)
	srv := apptest.Server(t, s)
	t.Run("api and pages", func(t *testing.T) { ratingAPIAndPages(t, srv) })
	t.Run("xlsx matches page", func(t *testing.T) { reportXLSXMatchesPage(t, srv) })
	t.Run("admin settings", func(t *testing.T) { ratingAdmin(t, srv) })
}

func post(t *testing.T, srv *web.Server, path, cookie string, form url.Values) (int, []byte, http.Header) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	resp, err := srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// ratingAdmin: weights that do not add up to 100 are refused with the sum named
// and nothing stored; good ones are stored; a past day is recomputed on demand.
func ratingAdmin(t *testing.T, srv *web.Server) {
	cookie := ratingSignIn(t, srv, "admin")
	code, page, _ := get(t, srv, "/rating/admin", cookie)
	m := csrfRe.FindSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("settings page: %d", code)
	}
	form := url.Values{"csrf": {string(m[1])}, "on_time": {"45"}, "accept_on_time": {"5"}, "first_time_fix": {"20"}, "localized_on_time": {"15"},
		"repeats": {"15"}, "overdue_now": {"10"}, "time": {"00:05"}}
	code, body, _ := post(t, srv, "/rating/admin/settings", cookie, form)
	if code != 400 || !bytes.Contains(body, []byte("Сумма весов должна быть 100 %, сейчас 110 %")) {
		t.Errorf("weights of 110: %d", code)
	}
	if w, _ := srv.Store.RatingSettings(context.Background()); w != app.DefaultRatingWeights {
		t.Errorf("bad weights stored: %+v", w)
	}
	form.Set("on_time", "35")
	form.Set("repeats", "5")
	form.Set("first_time_fix", "30")
	form.Set("time", "01:30")
	if code, _, _ := post(t, srv, "/rating/admin/settings", cookie, form); code != 303 {
		t.Errorf("good weights: %d", code)
	}
	if w, at := srv.Store.RatingSettings(context.Background()); at != "01:30" || w.FirstFix != 30 || w.Repeats != 5 {
		t.Errorf("stored %+v %s", w, at)
	}
	// The change is listed with who made it.
	_, page, _ = get(t, srv, "/rating/admin", cookie)
	if !bytes.Contains(page, []byte("<td>admin</td><td>35 / 15 / 30 / 5 / 10 / 5</td>")) {
		t.Errorf("weights change not listed: %s", page)
	}
	code, _, hdr := post(t, srv, "/rating/admin/compute", cookie, url.Values{"csrf": {string(m[1])}, "date": {"2026-11-01"}})
	if code != 303 || hdr.Get("Location") != "/rating?date=2026-11-01" {
		t.Fatalf("compute: %d %v", code, hdr)
	}
	if _, err := srv.Store.Rating(context.Background(), "2026-11-01"); err != nil {
		t.Errorf("computed day not stored: %v", err)
	}
}

// ratingAPIAndPages: the contract's GET /api/v1/ratings on the demo, public; the
// public page and the method; the bad date is a clear 400.
func ratingAPIAndPages(t *testing.T, srv *web.Server) {
	code, body, _ := get(t, srv, "/api/v1/ratings", "")
	if code != 200 {
		t.Fatalf("ratings: %d %s", code, body)
	}
	var out struct {
		Date   string `json:"date"`
		Method int    `json:"method"`
		Items  []struct {
			Table        string `json:"table"`
			Organization struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"organization"`
			Rank    *int                       `json:"rank"`
			Score   *float64                   `json:"score"`
			Metrics map[string]json.RawMessage `json:"metrics"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	// apptest.Now is 16 Nov 09:00 UTC, 12:00 in Moscow: the day just ended is the 15th.
	// Five management organisations, then the two suppliers, the lift
	// contractor, the regional waste operator and the gas service in a table of
	// their own (ranked apart: a second rank 1).
	if out.Date != "2026-11-15" || len(out.Items) != 10 || out.Method != 2 {
		t.Fatalf("date %s, %d items, method %d: %s", out.Date, len(out.Items), out.Method, body)
	}
	first := out.Items[0]
	if first.Rank == nil || *first.Rank != 1 || first.Score == nil || first.Organization.Name == "" || first.Table != "management" {
		t.Errorf("first item %s", body)
	}
	others := map[string]bool{"ООО «Усинская тепловая компания»": true, "МУП «Водоканал Усинск»": true, "ООО «Лифтсервис Коми»": true,
		"АО «Региональный оператор Севера»": true, "Усинская аварийная газовая служба": true}
	for i, it := range out.Items {
		if (i >= 5) != (it.Table == "other") || (i >= 5) != others[it.Organization.Name] {
			t.Errorf("item %d %q in table %q", i, it.Organization.Name, it.Table)
		}
	}
	if it := out.Items[5]; it.Table != "other" || it.Rank == nil || *it.Rank != 1 {
		t.Errorf("first of the other table: %+v", it)
	}
	for _, k := range []string{"on_time", "accept_on_time", "first_time_fix", "localized_on_time", "repeats", "overdue_now", "requests", "on_time_pending", "on_time_unreached"} {
		if _, ok := first.Metrics[k]; !ok {
			t.Errorf("metrics lack %s: %s", k, body)
		}
	}
	if _, ok := first.Metrics["load"]; ok {
		t.Errorf("v2 metrics still carry the load: %s", body)
	}
	code, body, _ = get(t, srv, "/api/v1/ratings?date=2026-11-15", "")
	if code != 200 || !bytes.Contains(body, []byte(`"date":"2026-11-15"`)) {
		t.Errorf("by date: %d %s", code, body)
	}
	code, body, _ = get(t, srv, "/api/v1/ratings?date=15.11.2026", "")
	if code != 400 || !bytes.Contains(body, []byte(`"code":"invalid"`)) || !bytes.Contains(body, []byte("ГГГГ-ММ-ДД")) {
		t.Errorf("bad date: %d %s", code, body)
	}
	code, body, _ = get(t, srv, "/api/v1/ratings?date=2026-11-20", "")
	if code != 400 || !bytes.Contains(body, []byte("ещё не закончился")) {
		t.Errorf("future day: %d %s", code, body)
	}
	// Only the day just ended is computed on an anonymous request; older days are
	// the administrator's to compute.
	code, body, _ = get(t, srv, "/api/v1/ratings?date=2026-10-01", "")
	if code != 404 || !bytes.Contains(body, []byte("не рассчитан")) {
		t.Errorf("old day not computed: %d %s", code, body)
	}
	code, body, _ = get(t, srv, "/rating", "")
	if code != 200 || !bytes.Contains(body, []byte(first.Organization.Name)) || !bytes.Contains(body, []byte("<svg")) {
		t.Errorf("rating page: %d", code)
	}
	ratingPageFigures(t, srv, body, first.Organization.ID)
	code, body, _ = get(t, srv, "/rating/method", "")
	for _, w := range []string{"Методика рейтинга (версия 2)", "<td>Выполнено в срок и подтверждено жителем</td><td class=\"num\">35 %</td>",
		"<td>Повторные жалобы</td><td class=\"num\">15 %</td>", "<td>Принято в срок</td><td class=\"num\">5 %</td>",
		"за 29 минут при норме 30 — в срок, за 31 минуту — нет", "менее чем за 30 дней до неё", "не меньше 1,0 на 100 квартир",
		"ресурсоснабжающие организации и подрядчики — в отдельной"} {
		if code != 200 || !bytes.Contains(body, []byte(w)) {
			t.Errorf("method page (%d) lacks %q", code, w)
		}
	}
	// The report is for the administration only.
	if code, _, _ := get(t, srv, "/report/", ratingSignIn(t, srv, "uk1")); code != 403 {
		t.Errorf("report for an organisation: %d", code)
	}
	if code, _, _ := get(t, srv, "/rating/admin", ratingSignIn(t, srv, "supervisor")); code != 200 {
		t.Errorf("rating settings for the supervisor: %d", code)
	}
	if code, _, _ := get(t, srv, "/rating/admin", ratingSignIn(t, srv, "uk1")); code != 403 {
		t.Errorf("rating settings for an organisation: %d", code)
	}
}

var (
	rowRe  = regexp.MustCompile(`(?s)<tr[^>]*data-key="([^"]*)"><td>(.*?)</td>(.*?)</tr>`)
	cellRe = regexp.MustCompile(`<td class="num">([^<]*)</td>`)
)

// pageTable reads the rows of the table with id from the page: title → cells.
func pageTable(t *testing.T, page []byte, id string) [][]string {
	t.Helper()
	start := bytes.Index(page, []byte(`id="`+id+`"`))
	if start < 0 {
		t.Fatalf("no table %s", id)
	}
	end := bytes.Index(page[start:], []byte("</table>"))
	var out [][]string
	for _, m := range rowRe.FindAllSubmatch(page[start:start+end], -1) {
		row := []string{string(m[2])}
		for _, c := range cellRe.FindAllSubmatch(m[3], -1) {
			row = append(row, strings.Replace(string(c[1]), ",", ".", 1))
		}
		out = append(out, row)
	}
	return out
}

// sameRow compares a workbook row with a page row: the title as text, the rest
// as numbers (the page writes 32,0 where the workbook holds 32).
func sameRow(book, page []string) bool {
	if len(book) != len(page) || len(book) == 0 || book[0] != page[0] {
		return false
	}
	for i := 1; i < len(book); i++ {
		a, err1 := strconv.ParseFloat(book[i], 64)
		b, err2 := strconv.ParseFloat(page[i], 64)
		if err1 != nil || err2 != nil || a != b {
			return false
		}
	}
	return true
}

// reportXLSXMatchesPage: the weekly report's workbook, read back with excelize,
// holds the same numbers as the page, sheet by sheet.
func reportXLSXMatchesPage(t *testing.T, srv *web.Server) {
	cookie := ratingSignIn(t, srv, "supervisor")
	const week = "2026-W46" // 9–15 November 2026, the last full week before apptest.Now
	code, page, _ := get(t, srv, "/report/?week="+week, cookie)
	if code != 200 {
		t.Fatalf("report page: %d %s", code, page)
	}
	code, xl, hdr := get(t, srv, "/report/xlsx?week="+week, cookie)
	if code != 200 || !strings.Contains(hdr.Get("Content-Disposition"), "report-2026-W46.xlsx") {
		t.Fatalf("xlsx: %d %v", code, hdr)
	}
	f, err := excelize.OpenReader(bytes.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(rating.SheetNames, "|") {
		t.Fatalf("sheets %v", got)
	}
	for _, c := range []struct{ sheet, table string }{{rating.SheetNames[0], "by-org"}, {rating.SheetNames[1], "by-category"}} {
		rows, err := f.GetRows(c.sheet)
		if err != nil {
			t.Fatal(err)
		}
		want := pageTable(t, page, c.table)
		if len(want) < 2 || len(rows)-1 != len(want) {
			t.Fatalf("%s: %d rows in the workbook, %d on the page", c.sheet, len(rows)-1, len(want))
		}
		for i, w := range want {
			if !sameRow(rows[i+1], w) {
				t.Errorf("%s row %d: workbook %v, page %v", c.sheet, i+1, rows[i+1], w)
			}
		}
	}
	// The lists: the workbook has every row, in the order of the page's
	// «показать все»; the page itself shows the top and says how many there are.
	_, allPage, _ := get(t, srv, "/report/?week="+week+"&all=1", cookie)
	numRe := regexp.MustCompile(`<a href="/work/tickets/([^"]+)">`)
	listOf := func(page []byte, id string) []string {
		var out []string
		if start := bytes.Index(page, []byte(`id="`+id+`"`)); start >= 0 {
			end := bytes.Index(page[start:], []byte("</table>"))
			for _, m := range numRe.FindAllSubmatch(page[start:start+end], -1) {
				out = append(out, string(m[1]))
			}
		}
		return out
	}
	for i, id := range []string{"overdue", "reopened", "slowest"} {
		rows, err := f.GetRows(rating.SheetNames[2+i])
		if err != nil {
			t.Fatal(err)
		}
		var fromBook []string
		for _, r := range rows[1:] {
			fromBook = append(fromBook, r[0])
		}
		full, top := listOf(allPage, id), listOf(page, id)
		if id == "slowest" && len(top) == 0 {
			t.Error("the demo week has no finished tickets on the page")
		}
		if strings.Join(fromBook, ",") != strings.Join(full, ",") {
			t.Errorf("%s: workbook %v, page with all rows %v", id, fromBook, full)
		}
		if len(top) > len(full) || strings.Join(full[:len(top)], ",") != strings.Join(top, ",") {
			t.Errorf("%s: the page's top %v is not the head of the full list", id, top)
		}
	}
	// Slowest: 20 on the page of the week's finished tickets, every one in the workbook.
	if rows, _ := f.GetRows("Самые долгие"); len(rows)-1 <= 20 || len(listOf(page, "slowest")) != 20 {
		t.Errorf("slowest: %d in the workbook, %d on the page; want more than 20 and 20", len(rows)-1, len(listOf(page, "slowest")))
	}
	// The weak spots: top 10 with «показать все», every one in the workbook.
	spotRows := func(page []byte, id string) int {
		start := bytes.Index(page, []byte(`id="`+id+`"`))
		if start < 0 {
			return 0
		}
		end := bytes.Index(page[start:], []byte("</table>"))
		return bytes.Count(page[start:start+end], []byte("<tr><td>"))
	}
	for _, c := range []struct{ sheet, id string }{{"Повторы в домах", "repeats"}, {"Заявок на квартиру", "busiest"}} {
		rows, _ := f.GetRows(c.sheet)
		if n := spotRows(page, c.id); n != 10 || len(rows)-1 <= 10 || spotRows(allPage, c.id) != len(rows)-1 {
			t.Errorf("%s: %d on the page, %d with «показать все», %d in the workbook; want 10, all, all (more than 10)", c.id, n, spotRows(allPage, c.id), len(rows)-1)
		}
		if !bytes.Contains(page, []byte(`all=1#`+c.id+`">показать все</a>`)) {
			t.Errorf("%s: no «показать все» link", c.id)
		}
	}
	if !bytes.Contains(page, []byte("/report/tickets?")) {
		t.Error("no drill-down links to the weak spots' tickets")
	}
}

// ratingPageFigures: the public page shows each organisation's components with
// the change since the day before, in two tables, and nothing personal.
func ratingPageFigures(t *testing.T, srv *web.Server, _ []byte, org int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := srv.Rating.ComputeDay(ctx, "2026-11-14"); err != nil {
		t.Fatal(err)
	}
	today, err := srv.Store.Rating(ctx, "2026-11-15")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := srv.Store.Rating(ctx, "2026-11-14")
	var a, b app.RatingRow
	for _, r := range today.Rows {
		if r.OrgID == org {
			a = r
		}
	}
	for _, r := range before.Rows {
		if r.OrgID == org {
			b = r
		}
	}
	code, page, _ := get(t, srv, "/rating?date=2026-11-15", "")
	if code != 200 {
		t.Fatalf("rating page: %d", code)
	}
	start := bytes.Index(page, []byte(fmt.Sprintf(`data-org="%d"`, org)))
	if start < 0 {
		t.Fatalf("no row of organisation %d", org)
	}
	row := html.UnescapeString(string(page[start : start+bytes.Index(page[start:], []byte("</tr>"))]))
	pp := func(v *float64) float64 { return math.Round(*v*1000) / 10 }
	d := pp(a.Metrics.OnTime.Value) - pp(b.Metrics.OnTime.Value)
	arrow := "= 0"
	if d > 0.04 {
		arrow = "▲ +" + strings.Replace(strconv.FormatFloat(d, 'f', 1, 64), ".", ",", 1)
	} else if d < -0.04 {
		arrow = "▼ −" + strings.Replace(strconv.FormatFloat(-d, 'f', 1, 64), ".", ",", 1)
	}
	for _, w := range []string{
		strings.Replace(strconv.FormatFloat(*a.Score, 'f', 1, 64), ".", ",", 1),
		fmt.Sprintf("%d из %d; ждут ответа жителя %d", a.Metrics.OnTime.Num, a.Metrics.OnTime.Den, a.Metrics.Pending),
		`<span class="change">` + arrow + `</span>`,
		fmt.Sprintf("%d повторных", a.Metrics.Repeats.Repeats),
		fmt.Sprintf("%d из %d", a.Metrics.Localize.Num, a.Metrics.Localize.Den),
	} {
		if !strings.Contains(row, w) {
			t.Errorf("row of %s lacks %q:\n%s", a.OrgName, w, row)
		}
	}
	// A day stored under method v1 is still shown as v1: its own columns and weights.
	srv.Rating.Method = app.RatingMethodV1
	if _, err := srv.Rating.ComputeDay(ctx, "2026-11-10"); err != nil {
		t.Fatal(err)
	}
	srv.Rating.Method = app.RatingMethod
	_, old, _ := get(t, srv, "/rating?date=2026-11-10", "")
	for _, w := range []string{"методике версии 1", "<th>Нагрузка</th>", "нагрузка 15 %"} {
		if !bytes.Contains(old, []byte(w)) {
			t.Errorf("v1 day's page lacks %q", w)
		}
	}
	if bytes.Contains(old, []byte("Повторные жалобы")) {
		t.Error("v1 day's page shows v2's columns")
	}
	for _, w := range []string{"<h2>Управляющие организации</h2>", "<h2>Ресурсоснабжающие организации и подрядчики</h2>", "методике версии 2"} {
		if !bytes.Contains(page, []byte(w)) {
			t.Errorf("rating page lacks %q", w)
		}
	}
	// Nothing personal: no resident's phone, name or apartment, no staff login.
	for _, w := range []string{"+7912", "+7 912", "supervisor", "operator"} {
		if bytes.Contains(page, []byte(w)) {
			t.Errorf("rating page shows %q", w)
		}
	}
	if m := regexp.MustCompile(`кв\. ?\d|ул\. `).Find(page); m != nil {
		t.Errorf("rating page shows an address or apartment: %q", m)
	}
}
