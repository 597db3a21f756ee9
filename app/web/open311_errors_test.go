package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestOpen311BadInput: every refusal is the specification's error list with the
// right code and a message that names what to fix, and nothing is stored.
func TestOpen311BadInput(t *testing.T) {
	f, key := o311Fixture(t)
	sch := schemas(t)
	revoked, err := f.s.AddAPIKey(f.as("admin"), "Старое приложение", 60)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RevokeAPIKey(f.as("admin"), "Старое приложение"); err != nil {
		t.Fatal(err)
	}
	good := func(extra map[string]string, drop ...string) url.Values {
		v := url.Values{"api_key": {key}, "service_code": {"LIFT-01"}, "address_id": {"1"}, "phone": {"+79121112233"}, "description": {"Лифт стоит"}}
		for _, d := range drop {
			v.Del(d)
		}
		for k, x := range extra {
			v.Set(k, x)
		}
		return v
	}
	cases := []struct {
		name   string
		get    string     // a GET path (with query), or
		form   url.Values // a POST's form
		status int
		want   string // in the description
	}{
		{"no key", "", good(nil, "api_key"), 403, "api_key"},
		{"wrong key", "", good(map[string]string{"api_key": "not-a-key"}), 403, "api_key"},
		{"revoked key", "", good(map[string]string{"api_key": revoked}), 403, "отозванный"},
		{"unknown service_code", "", good(map[string]string{"service_code": "NOPE-1"}), 400, "service_code: Неизвестный вид работ «NOPE-1»"},
		{"coordinates outside the municipality", "", good(map[string]string{"lat": "55.7558", "long": "37.6173"}, "address_id"), 400, "за пределами муниципалитета"},
		{"no building within 50 m", "", good(map[string]string{"lat": "65.9925", "long": "57.5375"}, "address_id"), 400, "ближайший — "},
		{"coordinates not numbers", "", good(map[string]string{"lat": "север", "long": "57.53"}, "address_id"), 400, "lat: lat и long"},
		{"no location", "", good(nil, "address_id"), 400, "Укажите место"},
		{"ambiguous address_string", "", good(map[string]string{"address_string": "ленина"}, "address_id"), 400, "неоднозначен"},
		{"unknown address_id", "", good(map[string]string{"address_id": "999"}), 400, "Дом с address_id 999 не найден"},
		{"missing required attribute", "", good(map[string]string{"service_code": "HEAT-03"}), 400, "attribute[room_temp]: Обязательный вопрос"},
		{"attribute out of range", "", good(map[string]string{"service_code": "HEAT-03", "attribute[room_temp]": "95"}), 400, "attribute[room_temp]: Температура воздуха в квартире, °C: число от -40 до 40"},
		{"unknown attribute", "", good(map[string]string{"attribute[floor]": "3"}), 400, "attribute[floor]: У вида работ"},
		{"no phone", "", good(nil, "phone"), 400, "phone: Укажите телефон"},
		{"bad phone", "", good(map[string]string{"phone": "12"}), 400, "phone: "},
		{"media_url", "", good(map[string]string{"media_url": "http://evil.example/x.jpg"}), 400, "media_url: "},
		{"foreign jurisdiction", "", good(map[string]string{"jurisdiction_id": "MSK"}), 404, "jurisdiction_id: Этот сервер обслуживает только TST"},
		{"dates reversed", "requests?start_date=2026-11-10T00:00:00Z&end_date=2026-11-01T00:00:00Z", nil, 400, "end_date: end_date раньше start_date"},
		{"over 90 days", "requests?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", nil, 400, "end_date: Диапазон дат — не больше 90 дней"},
		{"bad date", "requests?start_date=вчера", nil, 400, "start_date: Дата и время в формате W3C"},
		{"page_size over max", "requests?page_size=1001", nil, 400, "page_size: page_size — от 1 до 1000"},
		{"bad status", "requests?status=pending", nil, 400, "status: Статус — open или closed"},
		{"unknown service_code in a search", "requests?service_code=NOPE-1", nil, 400, "service_code: Неизвестный вид работ"},
		{"unknown request", "requests/TST-999999", nil, 404, "TST-999999 не найдена"},
		{"unknown token", "tokens/abc", nil, 404, "Токен abc не найден"},
		{"unknown service", "services/NOPE-1", nil, 404, "NOPE-1"},
	}
	for _, format := range formats {
		c := newOpen311Client(f, "", format)
		for _, tc := range cases {
			t.Run(format+"/"+tc.name, func(t *testing.T) {
				before := countTickets(t, f)
				var r o311Reply
				if tc.form != nil {
					r = c.post(t, tc.form)
				} else {
					path, q, _ := strings.Cut(tc.get, "?")
					vals, _ := url.ParseQuery(q)
					r = c.get(t, path, vals)
				}
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
				}
				if format == "json" {
					valid(t, sch, "errors", r.Body)
				}
				errs := c.errors(t, r)
				found := false
				for _, e := range errs {
					if e.Code != tc.status {
						t.Fatalf("error code %d in a %d answer", e.Code, r.Status)
					}
					found = found || strings.Contains(e.Description, tc.want)
				}
				if !found {
					t.Fatalf("no error says %q: %+v", tc.want, errs)
				}
				if n := countTickets(t, f); n != before {
					t.Fatalf("%d tickets stored by a refused request", n-before)
				}
			})
		}
	}
	// The same request with a good key files one ticket: the cases above failed
	// for the reason they name, not for another.
	if r := newOpen311Client(f, key, "json").post(t, good(nil)); r.Status != 201 {
		t.Fatalf("good request: %d %s", r.Status, r.Body)
	}
}

// TestOpen311RateLimit: a key is held to its limit of requests a minute, with the
// specification's error format and 429.
func TestOpen311RateLimit(t *testing.T) {
	f, _ := o311Fixture(t)
	key, err := f.s.AddAPIKey(f.as("admin"), "Торопыга", 2)
	if err != nil {
		t.Fatal(err)
	}
	c := newOpen311Client(f, key, "json")
	form := url.Values{"service_code": {"LIFT-01"}, "address_id": {"1"}, "phone": {"+79121112233"}}
	for i := 0; i < 2; i++ {
		if r := c.post(t, form); r.Status != 201 {
			t.Fatalf("request %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := c.post(t, form)
	if r.Status != 429 {
		t.Fatalf("third request: %d %s", r.Status, r.Body)
	}
	if e := c.errors(t, r); len(e) != 1 || e[0].Code != 429 || e[0].Description != "Приложение «Торопыга» исчерпало свой лимит: 2 заявок в минуту." {
		t.Fatalf("errors %+v", e)
	}
	if n := countTickets(t, f); n != 2 {
		t.Fatalf("%d tickets", n)
	}
	f.clock.Advance(61e9)
	if r := c.post(t, form); r.Status != 201 {
		t.Fatalf("next minute: %d %s", r.Status, r.Body)
	}
}

// TestOpen311RequestsFilters: the list's filters, read against tickets whose
// numbers, codes, dates and statuses are known.
func TestOpen311RequestsFilters(t *testing.T) {
	f, _ := o311Fixture(t)
	// TST-000001 LIFT-01 (now - 100 days), TST-000002 ROOF-01 (now - 10 days, then
	// cancelled), TST-000003 LIFT-01 (now).
	start := f.clock.Now()
	f.clock.Set(start.AddDate(0, 0, -100))
	f.file(t, "operator", f.newTicket("LIFT-01"))
	f.clock.Set(start.AddDate(0, 0, -10))
	f.file(t, "operator", f.newTicket("ROOF-01"))
	f.act(t, "operator", "TST-000002", "cancel", map[string]any{"note": "Дубликат"})
	f.clock.Set(start)
	f.file(t, "operator", f.newTicket("LIFT-01"))
	c := newOpen311Client(f, "", "json")
	ids := func(q string) string {
		t.Helper()
		vals, _ := url.ParseQuery(q)
		r := c.get(t, "requests", vals)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", q, r.Status, r.Body)
		}
		var out []string
		for _, x := range c.requests(t, r) {
			out = append(out, x.ID+":"+x.Status)
		}
		return strings.Join(out, " ")
	}
	for q, want := range map[string]string{
		"":                     "TST-000003:open TST-000002:closed",
		"status=open":          "TST-000003:open",
		"status=closed":        "TST-000002:closed",
		"status=open,closed":   "TST-000003:open TST-000002:closed",
		"service_code=LIFT-01": "TST-000003:open",
		"service_request_id=TST-000001,TST-000003":                      "TST-000003:open TST-000001:open",
		"start_date=2026-07-01T00:00:00Z&end_date=2026-07-31T00:00:00Z": "",
		"start_date=2026-08-08T00:00:00Z&end_date=2026-08-09T00:00:00Z": "TST-000001:open",
		"start_date=2026-08-01":                                         "TST-000001:open",
		"end_date=2026-11-10T00:00:00%2B03:00":                          "TST-000002:closed",
		"page_size=1":                                                   "TST-000003:open",
		"page_size=1&page=2":                                            "TST-000002:closed",
	} {
		if got := ids(q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
}
