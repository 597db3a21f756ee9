package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/registry/regstore"
)

// withField is the JSON of a batch of TST holding a sound record 1 and record r
// with one more member, as an old centre (or a forger) would send it.
func withField(t *testing.T, r any, key string, val any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustJSON(r), &m); err != nil {
		t.Fatal(err)
	}
	m[key] = val
	return mustJSON(map[string]any{"municipality": "TST", "batch_id": "f-" + key, "records": []any{rec(1, 1), m}})
}

// TestIngestRefusesAlone: each kind of nonsense is refused in a batch whose other
// record is sound, so that the refusal is this check's and no other's; the batch
// saves nothing. Boundary values just inside each limit are accepted.
func TestIngestRefusesAlone(t *testing.T) {
	db, _, base, tok := testRegistry(t, Config{})
	// TST-000002 is held at version 3.
	if st, body := post(t, base, tok, mustJSON(batchOf("seed", rec(2, 3))), false); st != 200 {
		t.Fatalf("seed: %d %s", st, body)
	}
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	year2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"reporter", withField(t, rec(7, 1), "reporter", map[string]string{"name": "Иванов", "phone": "+79120000000"}), 400, `records[1]: Поле "reporter" — персональные данные: реестр их не принимает`},
		{"apartment", withField(t, rec(7, 1), "apartment", "17"), 400, `records[1]: Поле "apartment" — персональные данные`},
		{"description", withField(t, rec(7, 1), "description", "Иванов, кв. 17, 8.912.555.44.33"), 400, `records[1]: Поле "description" — персональные данные`},
		{"comments", withField(t, rec(7, 1), "comments", []string{"звонил Петров"}), 400, `records[1]: Поле "comments" — персональные данные`},
		{"number of another municipality", func() []byte { r := rec(7, 1); r.Number = "USN-000007"; return mustJSON(batchOf("n", rec(1, 1), r)) }(), 403,
			"records[1] USN-000007: номер заявки не начинается с кода муниципалитета TST-"},
		{"version zero", func() []byte { r := rec(7, 0); return mustJSON(batchOf("v", rec(1, 1), r)) }(), 400, "records[1] TST-000007: версия должна быть не меньше 1"},
		{"version negative", func() []byte { r := rec(7, -5); return mustJSON(batchOf("v", rec(1, 1), r)) }(), 400, "records[1] TST-000007: версия должна быть не меньше 1"},
		{"version far above none held", mustJSON(batchOf("v", rec(1, 1), rec(7, regstore.MaxVersionJump+1))), 400, "records[1] TST-000007: версия 1000001 больше хранимой (0) более чем на 1000000"},
		{"version far above the held", mustJSON(batchOf("v", rec(1, 1), rec(2, 3+regstore.MaxVersionJump+1))), 400, "records[1] TST-000002: версия 1000004 больше хранимой (3) более чем на 1000000"},
		{"version 2^63-1", mustJSON(batchOf("v", rec(1, 1), rec(2, 1<<63-1))), 400, "records[1] TST-000002: версия 9223372036854775807 больше хранимой (3)"},
		{"created before 2000", func() []byte {
			r := rec(7, 1)
			r.CreatedAt = year2000.Add(-time.Second).Format(time.RFC3339)
			return mustJSON(batchOf("t", rec(1, 1), r))
		}(), 400,
			"records[1] TST-000007: created_at: время раньше 2000 года"},
		{"updated over a day ahead", func() []byte {
			r := rec(7, 1)
			r.UpdatedAt = at(25 * time.Hour)
			return mustJSON(batchOf("t", rec(1, 1), r))
		}(), 400,
			"records[1] TST-000007: updated_at: время больше чем на сутки впереди часов реестра"},
		{"closed in 9999", func() []byte {
			r := rec(7, 1)
			c := "9999-12-31T23:59:59+03:00"
			r.ClosedAt = &c
			return mustJSON(batchOf("t", rec(1, 1), r))
		}(), 400, "records[1] TST-000007: closed_at: время больше чем на сутки впереди часов реестра"},
		{"deadline in 9999", func() []byte {
			r := rec(7, 1)
			d := "9999-01-01T00:00:00Z"
			r.DueAt = &d
			return mustJSON(batchOf("t", rec(1, 1), r))
		}(), 400,
			"records[1] TST-000007: due_at: срок больше чем на два года вперёд"},
		{"accept deadline before 2000", func() []byte {
			r := rec(7, 1)
			d := "1970-01-01T00:00:00Z"
			r.AcceptDueAt = &d
			return mustJSON(batchOf("t", rec(1, 1), r))
		}(), 400,
			"records[1] TST-000007: accept_due_at: время раньше 2000 года"},
		// Just inside every limit.
		{"version exactly the jump above the held", mustJSON(batchOf("ok1", rec(2, 3+regstore.MaxVersionJump))), 200, `{"accepted":1,"ignored":0}`},
		{"times at the edges", func() []byte {
			r := rec(8, 1)
			due := at(400 * 24 * time.Hour)
			r.CreatedAt, r.UpdatedAt, r.DueAt = year2000.Format(time.RFC3339), at(23*time.Hour), &due
			return mustJSON(batchOf("ok2", r))
		}(), 200, `{"accepted":1,"ignored":0}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := post(t, base, tok, c.body, false)
			if st != 200 {
				body = errorText(t, body)
			}
			if st != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("got %d %s\nwant %d with %q", st, body, c.status, c.want)
			}
			if st != 200 && version(t, db, "TST-000001") != 0 {
				t.Fatal("the sound record of a refused batch was saved")
			}
		})
	}
	if v := version(t, db, "TST-000002"); v != 3+regstore.MaxVersionJump {
		t.Errorf("TST-000002 at version %d, want %d", v, 3+regstore.MaxVersionJump)
	}
}

// errorText is an error answer as a person reads it: the message, then each
// field's «key: why».
func errorText(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error struct {
			Message string
			Fields  map[string]string
		}
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not an error answer: %s", body)
	}
	out := e.Error.Message
	for k, v := range e.Error.Fields {
		out += "\n" + k + ": " + v
	}
	return out
}

// TestRegistryEdges: the registry's static folder is not found, an over-long
// request line is 431, and its CSRF token does not count in the address.
func TestRegistryEdges(t *testing.T) {
	db, _, base, _ := testRegistry(t, Config{})
	if err := db.AddUser(context.Background(), "respublika", "secret-pass"); err != nil {
		t.Fatal(err)
	}
	w := &webClient{t: t, base: base, c: &http.Client{Jar: &cookieJar{}}}
	if st, _ := w.get("/static/"); st != 404 {
		t.Errorf("GET /static/: %d", st)
	}
	req, _ := http.NewRequest("GET", base+"/login?q="+strings.Repeat("a", 10<<10), nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 431 {
		t.Errorf("10 KB request line: %v %v", err, resp)
	}
	if st, _ := w.post("/login", url.Values{"login": {"respublika"}, "password": {"secret-pass"}}); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	_, body := w.get("/")
	csrf := csrfRe.FindStringSubmatch(body)[1]
	if st, _ := w.post("/m/TST/revoke?csrf="+url.QueryEscape(csrf), url.Values{}); st != 403 {
		t.Fatalf("revoke with the token in the address: %d", st)
	}
	if st, _ := w.post("/m/TST/revoke", url.Values{"csrf": {csrf}}); st != 200 {
		t.Fatalf("revoke with the token in the form: %d", st)
	}
}

// TestRegistryBigBodies: a body over 64 KB is read only for a batch with a live
// token; an anonymous one, or one with a wrong token, is answered at once.
func TestRegistryBigBodies(t *testing.T) {
	_, _, base, tok := testRegistry(t, Config{Rate: 1000})
	big := bytes.Repeat([]byte("a"), 1<<20)
	for _, c := range []struct {
		path, token string
		want        int
	}{{"/login", "", 413}, {"/api/registry/v1/batches", "", 401}, {"/api/registry/v1/batches", "forged", 401}, {"/m/TST/revoke", "", 413}} {
		req, _ := http.NewRequest("POST", base+c.path, bytes.NewReader(big))
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if err == nil && resp.StatusCode != c.want {
			t.Errorf("1 MB to %s with token %q: %d, want %d", c.path, c.token, resp.StatusCode, c.want)
		}
	}
	// A full batch of 1,000 records, not compressed (about 1 MB), with the token.
	recs := make([]app.TicketRecord, app.MaxBatch)
	for i := range recs {
		recs[i] = rec(i+1, 1)
	}
	body := mustJSON(batchOf("full", recs...))
	if len(body) <= 64<<10 {
		t.Fatalf("the batch is only %d bytes", len(body))
	}
	if st, got := post(t, base, tok, body, false); st != 200 || got != `{"accepted":1000,"ignored":0}` {
		t.Fatalf("full batch: %d %s", st, got)
	}
}
