package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/registry/regtest"
)

// rec, batchOf and now are the registry's fixtures (regtest).
var (
	rec     = regtest.Rec
	batchOf = regtest.BatchOf
	now     = regtest.Now
)

// testRegistry opens an empty registry with municipality TST (and USN) and
// serves it on loopback.
func testRegistry(t testing.TB, cfg Config) (*regstore.DB, *Server, string, string) {
	t.Helper()
	db, tok := regtest.OpenDB(t)
	cfg.DB = db
	cfg.Views = os.DirFS(filepath.Join(apptest.Root(), "assets", "registry"))
	cfg.Static = os.DirFS(filepath.Join(apptest.Root(), "assets", "static"))
	cfg.Log = apptest.Logger(t)
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return db, srv, "http://" + ln.Addr().String(), tok
}

func post(t testing.TB, base, token string, body []byte, zip bool) (int, string) {
	t.Helper()
	if zip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
	}
	req, _ := http.NewRequest("POST", base+"/api/registry/v1/batches", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if zip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func version(t testing.TB, db *regstore.DB, number string) int64 {
	t.Helper()
	var v int64
	if err := readDB(t, db).QueryRow("SELECT version FROM tickets WHERE municipality = 'TST' AND number = '" + strings.ReplaceAll(number, "'", "") + "'").Scan(&v); err != nil {
		return 0
	}
	return v
}

func TestIngest(t *testing.T) {
	db, _, base, tok := testRegistry(t, Config{})
	good := batchOf("b1", rec(1, 1), rec(2, 3), rec(3, 1))
	badStatus := rec(4, 1)
	badStatus.Status = "lost"
	badTime := rec(5, 1)
	tomorrow := "завтра"
	badTime.DueAt = &tomorrow
	foreign := rec(6, 1)
	foreign.Municipality = "USN"
	handoff := rec(7, 1) // a gas smell handed to 104: no deadlines
	handoff.DueAt, handoff.AcceptDueAt, handoff.Handoff = nil, nil, new(string)
	*handoff.Handoff = "104"
	cases := []struct {
		name   string
		token  string
		body   []byte
		zip    bool
		status int
		want   string // in the body
	}{
		{"no token", "", mustJSON(good), true, 401, "токен"},
		{"wrong token", "nope", mustJSON(good), true, 401, "неверен или отозван"},
		{"not JSON", tok, []byte("{records:"), false, 400, "Неверный JSON"},
		{"unknown field", tok, []byte(`{"municipality":"TST","batch_id":"x","records":[],"extra":1}`), false, 400, "Неизвестное поле"},
		{"bad gzip", tok, []byte("not gzip"), false, 400, ""},
		{"bad records named", tok, mustJSON(batchOf("b0", rec(1, 1), badStatus, badTime)), true, 400, `records[1] TST-000004: неизвестный статус «lost»; records[2] TST-000005: due_at: время не в формате RFC 3339`},
		{"batch of another municipality", tok, mustJSON(app.Batch{Municipality: "USN", BatchID: "x", Records: []app.TicketRecord{}}), false, 403, "USN"},
		{"record of another municipality", tok, mustJSON(batchOf("b0", rec(1, 1), foreign)), false, 403, "records[1] TST-000006"},
		{"good, gzip", tok, mustJSON(good), true, 200, `{"accepted":3,"ignored":0}`},
		{"replay", tok, mustJSON(good), true, 200, `{"accepted":0,"ignored":3}`},
		{"newer and older", tok, mustJSON(batchOf("b2", rec(1, 2), rec(2, 2))), false, 200, `{"accepted":1,"ignored":1}`},
		{"heartbeat", tok, mustJSON(batchOf("b3")), false, 200, `{"accepted":0,"ignored":0}`},
		{"hand-off without deadlines", tok, mustJSON(batchOf("b4", handoff)), false, 200, `{"accepted":1,"ignored":0}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if c.name == "bad gzip" {
				req, _ := http.NewRequest("POST", base+"/api/registry/v1/batches", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+c.token)
				req.Header.Set("Content-Encoding", "gzip")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != c.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
				}
				return
			}
			st, got := post(t, base, c.token, body, c.zip)
			if st != c.status || !strings.Contains(got, c.want) {
				t.Fatalf("got %d %s, want %d with %q", st, got, c.status, c.want)
			}
		})
	}
	if v := version(t, db, "TST-000001"); v != 2 {
		t.Errorf("TST-000001 at version %d, want 2", v)
	}
	if v := version(t, db, "TST-000002"); v != 3 {
		t.Errorf("TST-000002 at version %d, want 3 (an older copy must not win)", v)
	}
	if v := version(t, db, "TST-000004"); v != 0 {
		t.Errorf("a record of a refused batch was saved")
	}
}

func TestIngestLimits(t *testing.T) {
	_, _, base, tok := testRegistry(t, Config{Rate: 1, Burst: 3, MaxUnzipped: 64 << 10})
	// A gzip bomb: small as sent, far beyond the limit unpacked.
	big := []byte(`{"municipality":"TST","batch_id":"x","records":[],"pad":"` + strings.Repeat("a", 1<<20) + `"}`)
	if st, body := post(t, base, tok, big, true); st != 413 {
		t.Fatalf("bomb: %d %s", st, body)
	}
	recs := make([]app.TicketRecord, app.MaxBatch+1)
	for i := range recs {
		recs[i] = rec(i, 1)
	}
	// The bomb took one of the burst of three: this one is judged, not throttled.
	if st, body := post(t, base, tok, mustJSON(batchOf("big", recs...)), false); st != 400 || !strings.Contains(body, "допускается не больше 1000") {
		t.Fatalf("over-long batch: %d %s", st, body)
	}
	var limited bool
	for i := 0; i < 5; i++ {
		if st, _ := post(t, base, tok, mustJSON(batchOf("h")), false); st == 429 {
			limited = true
		}
	}
	if !limited {
		t.Fatal("no 429 after a burst beyond the token's rate")
	}
	// Another token is not held back by this one's flood.
	if st, _ := post(t, base, "other-token", mustJSON(batchOf("h")), false); st != 401 {
		t.Fatalf("another token: %d, want 401", st)
	}
}

func TestTokens(t *testing.T) {
	db, _, base, tok := testRegistry(t, Config{})
	ctx := context.Background()
	if _, err := db.AddMunicipality(ctx, "TST", "Ещё раз"); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("duplicate code: %v", err)
	}
	if _, err := db.AddMunicipality(ctx, "t1", ""); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("bad code and name: %v", err)
	}
	if err := db.RevokeToken(ctx, "TST"); err != nil {
		t.Fatal(err)
	}
	if st, _ := post(t, base, tok, mustJSON(batchOf("h")), false); st != 401 {
		t.Fatalf("revoked token: %d", st)
	}
	fresh, err := db.ReissueToken(ctx, "TST")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := post(t, base, tok, mustJSON(batchOf("h")), false); st != 401 {
		t.Fatalf("old token after reissue: %d", st)
	}
	if st, body := post(t, base, fresh, mustJSON(batchOf("h")), false); st != 200 {
		t.Fatalf("new token: %d %s", st, body)
	}
	if err := db.RevokeToken(ctx, "NOPE"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("unknown municipality: %v", err)
	}
}

func TestImport(t *testing.T) {
	db, _, _, _ := testRegistry(t, Config{})
	ctx := context.Background()
	var file bytes.Buffer
	for i := 1; i <= 5; i++ {
		file.Write(mustJSON(rec(i, 2)))
		file.WriteByte('\n')
	}
	bad := file.String() + `{"municipality":"TST","number":"bad"}` + "\n"
	if _, err := db.Import(ctx, strings.NewReader(bad), "bad.ndjson"); err == nil || !strings.Contains(app.ErrorMessage(err), "строка 6") {
		t.Fatalf("bad file: %v", err)
	}
	if s, _ := db.Count(ctx, "TST"); s.Tickets != 0 {
		t.Fatalf("a bad file saved %d tickets", s.Tickets)
	}
	unknown := `{"municipality":"ZZZ"}` + "\n"
	if _, err := db.Import(ctx, strings.NewReader(unknown), "z.ndjson"); err == nil || !strings.Contains(app.ErrorMessage(err), "не зарегистрирован") {
		t.Fatalf("unknown municipality: %v", err)
	}
	res, err := db.Import(ctx, bytes.NewReader(file.Bytes()), "ok.ndjson")
	if err != nil || res["TST"].Accepted != 5 {
		t.Fatalf("import: %v %+v", err, res)
	}
	res, err = db.Import(ctx, bytes.NewReader(file.Bytes()), "ok.ndjson")
	if err != nil || res["TST"].Ignored != 5 {
		t.Fatalf("re-import: %v %+v", err, res)
	}
}

// webClient signs in to the registry's pages and keeps the cookie and CSRF token.
type webClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (w *webClient) get(path string) (int, string) {
	w.t.Helper()
	resp, err := w.c.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *webClient) post(path string, form url.Values) (int, string) {
	w.t.Helper()
	resp, err := w.c.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestPages(t *testing.T) {
	db, _, base, tok := testRegistry(t, Config{StaleAfter: time.Hour})
	ctx := context.Background()
	if err := db.AddUser(ctx, "respublika", "secret-pass"); err != nil {
		t.Fatal(err)
	}
	recs := make([]app.TicketRecord, 30)
	for i := range recs {
		recs[i] = rec(i+1, 1)
	}
	recs[0].WorkType = app.WorkTypeRef{Code: "CW-01", Name: "Прорыв трубы в подвале", Category: "Сантехника"}
	if st, body := post(t, base, tok, mustJSON(batchOf("p", recs...)), true); st != 200 {
		t.Fatalf("push: %d %s", st, body)
	}
	jar := &cookieJar{}
	w := &webClient{t: t, base: base, c: &http.Client{Jar: jar}}
	if st, body := w.get("/"); st != 200 || !strings.Contains(body, "Вход в реестр") {
		t.Fatalf("anonymous overview must ask to sign in: %d", st)
	}
	if st, body := w.post("/login", url.Values{"login": {"respublika"}, "password": {"wrong-pass"}}); st != 401 || !strings.Contains(body, "Неверный логин или пароль") {
		t.Fatalf("wrong password: %d", st)
	}
	if st, body := w.post("/login", url.Values{"login": {"respublika"}, "password": {"secret-pass"}}); st != 200 || !strings.Contains(body, "Республика: заявки муниципалитетов") {
		t.Fatalf("sign in: %d %s", st, body)
	}
	_, body := w.get("/")
	// TST pushed just now (not stale); USN never did (stale).
	if !strings.Contains(body, "Тестовый") || !strings.Contains(body, "нет связи") || !strings.Contains(body, "<td>30</td>") {
		t.Fatalf("overview:\n%s", body)
	}
	csrf := csrfRe.FindStringSubmatch(body)[1]
	if _, body := w.get("/search?q=" + url.QueryEscape("прорыв трубы")); !strings.Contains(body, "TST-000001") || strings.Contains(body, "TST-000002") {
		t.Fatalf("search:\n%s", body)
	}
	if st, body := w.get("/m/TST"); st != 200 || !strings.Contains(body, "Последние выгрузки") || !strings.Contains(body, "TST-000030") {
		t.Fatalf("municipality page: %d", st)
	}
	if st, body := w.get("/m/TST/TST-000001"); st != 200 || !strings.Contains(body, "Прорыв трубы") {
		t.Fatalf("ticket page: %d %s", st, body)
	}
	if st, body := w.get("/rating"); st != 200 || strings.Count(body, `<a href="/m/TST">TST</a>`) != 3 || !strings.Contains(body, "<td>УК 1</td>") {
		t.Fatalf("rating page: %d\n%s", st, body)
	}
	if _, body := w.get("/rating?m=usn"); strings.Contains(body, "УК 1") || !strings.Contains(body, "Недостаточно данных за период.") || !strings.Contains(body, `value="USN"`) {
		t.Fatalf("rating of one municipality:\n%s", body)
	}
	if st, _ := w.post("/m/TST/revoke", url.Values{"csrf": {"forged"}}); st != 403 {
		t.Fatalf("revoke without CSRF: %d", st)
	}
	if st, body := w.post("/m/TST/revoke", url.Values{"csrf": {csrf}}); st != 200 || !strings.Contains(body, "отозван") {
		t.Fatalf("revoke: %d", st)
	}
	if st, _ := post(t, base, tok, mustJSON(batchOf("h")), false); st != 401 {
		t.Fatalf("revoked from the web, still accepted: %d", st)
	}
	st, body := w.post("/m/TST/reissue", url.Values{"csrf": {csrf}})
	m := regexp.MustCompile(`id="new-token">([^<]+)<`).FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("reissue: %d %s", st, body)
	}
	if st, _ := post(t, base, m[1], mustJSON(batchOf("h")), false); st != 200 {
		t.Fatalf("reissued token refused: %d", st)
	}
	if st, body := w.post("/municipalities", url.Values{"csrf": {csrf}, "code": {"SYK"}, "name": {"Сыктывкар"}}); st != 200 || !strings.Contains(body, `id="new-token"`) {
		t.Fatalf("add municipality: %d", st)
	}
	if st, body := w.post("/municipalities", url.Values{"csrf": {csrf}, "code": {"1"}, "name": {""}}); st != 400 || !strings.Contains(body, "латинских букв") {
		t.Fatalf("bad municipality: %d", st)
	}
	// The API answers a signed-in registry user as well as a token.
	if st, body := w.get("/api/registry/v1/tickets/TST/TST-000001"); st != 200 || !strings.Contains(body, `"version":1`) {
		t.Fatalf("api with session: %d %s", st, body)
	}
	if resp, err := http.Get(base + "/api/registry/v1/municipalities"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("api without token or session: %v", resp.StatusCode)
	}
}

// cookieJar is the smallest jar: one site, cookies by name.
type cookieJar struct{ c map[string]*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	if j.c == nil {
		j.c = map[string]*http.Cookie{}
	}
	for _, c := range cs {
		j.c[c.Name] = c
	}
}

func (j *cookieJar) Cookies(*url.URL) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range j.c {
		if c.Value != "" {
			out = append(out, c)
		}
	}
	return out
}

// readDB is the registry's database, for a test to look at what is stored.
func readDB(t testing.TB, db *regstore.DB) *sql.DB { return db.SQL() }

// TestOverviewPages: a country's municipalities are listed a hundred at a time,
// by name, with the whole country's totals under every page, and the API's list
// holds them all with the kept counts.
func TestOverviewPages(t *testing.T) {
	db, _, base, tok := testRegistry(t, Config{StaleAfter: time.Hour})
	ctx := context.Background()
	if err := db.AddUser(ctx, "respublika", "secret-pass"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 148; i++ { // with TST and USN: 150
		if _, err := db.AddMunicipality(ctx, simCode(i), fmt.Sprintf("Город %03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	recs := make([]app.TicketRecord, 30)
	for i := range recs {
		recs[i] = rec(i+1, 1)
	}
	if st, body := post(t, base, tok, mustJSON(batchOf("p", recs...)), true); st != 200 {
		t.Fatalf("push: %d %s", st, body)
	}
	w := &webClient{t: t, base: base, c: &http.Client{Jar: &cookieJar{}}}
	if st, _ := w.post("/login", url.Values{"login": {"respublika"}, "password": {"secret-pass"}}); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	rowRe := regexp.MustCompile(`<a href="/m/([A-Z]+)">`)
	_, first := w.get("/")
	_, second := w.get("/?page=2")
	a, b := rowRe.FindAllStringSubmatch(first, -1), rowRe.FindAllStringSubmatch(second, -1)
	if len(a) != 100 || len(b) != 50 {
		t.Fatalf("pages hold %d and %d municipalities, want 100 and 50", len(a), len(b))
	}
	if a[0][1] != simCode(0) || b[len(b)-1][1] != "USN" {
		t.Errorf("order by name: first %s, last %s", a[0][1], b[len(b)-1][1])
	}
	for _, page := range []string{first, second} {
		if !strings.Contains(page, "Всего (150 муниципалитетов)</th><th>30</th><th>30</th>") || !strings.Contains(page, "Страница") {
			t.Fatalf("totals or pager missing:\n%s", page)
		}
	}
	var list []struct {
		Code    string `json:"code"`
		Tickets int    `json:"tickets"`
	}
	req, _ := http.NewRequest("GET", base+"/api/registry/v1/municipalities", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list) != 150 {
		t.Fatalf("the API lists %d municipalities", len(list))
	}
	for _, m := range list {
		if want := map[bool]int{true: 30, false: 0}[m.Code == "TST"]; m.Tickets != want {
			t.Errorf("%s: %d tickets, want %d", m.Code, m.Tickets, want)
		}
	}
}

// TestRefusedBatchLeavesConnectionClean: a batch of 40 KB refused before its
// body is read (a wrong token) is answered, and the next request on the same
// keep-alive connection is answered as itself — it was read as the rest of the
// refused body's bytes, a 431, when fasthttp had read only the first 8 KB.
func TestRefusedBatchLeavesConnectionClean(t *testing.T) {
	_, _, base, tok := testRegistry(t, Config{})
	recs := make([]app.TicketRecord, 60)
	for i := range recs {
		recs[i] = rec(i+1, 1)
	}
	body := mustJSON(batchOf("big", recs...))
	if len(body) < 16<<10 || len(body) > 64<<10 {
		t.Fatalf("the batch is %d bytes; the test wants 16–64 KB", len(body))
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	send := func(token string) int {
		req, _ := http.NewRequest("POST", base+"/api/registry/v1/batches", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := send("wrong-token"); st != 401 {
		t.Fatalf("wrong token: %d", st)
	}
	if st := send(tok); st != 200 {
		t.Fatalf("the next batch on the connection: %d, want 200", st)
	}
}
