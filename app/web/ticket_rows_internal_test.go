package web

import (
	"bytes"
	"html/template"
	"math/rand"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// TestHTMLWriterEscapesAsTemplates: the rows written in Go escape a value as
// html/template does in the same place — text, a quoted attribute, a URL's path
// in an attribute — for every kind of character a person may type (quotes,
// markup, «+», «&», «%», spaces, Cyrillic, a NUL, bytes that are not UTF-8).
func TestHTMLWriterEscapesAsTemplates(t *testing.T) {
	tpl := template.Must(template.New("").Parse(`<p title="{{.}}">{{.}}</p><a href="/work/tickets/{{.}}">x</a>`))
	alphabet := []string{"a", "Я", "ё", " ", "\"", "'", "<", ">", "&", "+", "%", "#", "?", "/", "=", ":", ";", "\x00", "\xff", "\t", "\n", "`", "(", ")", "{", "}", "\\", "№", "‑", "😀", "-", ".", "_", "~", "!", "$", "*", ",", "@", "[", "]"}
	rng := rand.New(rand.NewSource(1))
	cases := []string{"", "TST-000012", "ул. \"Кавычки\" & <Угол>, д. 1+2 'А'", "<script>alert(1)</script>", "javascript:alert(1)", "100%"}
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := rng.Intn(12); n > 0; n-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		var want bytes.Buffer
		if err := tpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		var w htmlWriter
		w.raw(`<p title="`)
		w.text(s)
		w.raw(`">`)
		w.text(s)
		w.raw(`</p><a href="/work/tickets/`)
		w.url(s)
		w.raw(`">x</a>`)
		if got := w.String(); got != want.String() {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want.String())
		}
	}
}

// TestTicketRowsShowEachTab: the rows as a person reads them in each tab — the
// address and flat, the work, the status in the user's language, the badges, the
// live clock, and the tab's own columns and buttons — with what residents typed
// escaped.
func TestTicketRowsShowEachTab(t *testing.T) {
	en := Lang{Code: "en", m: map[string]string{"Направлена в УО": "Routed", "кв.": "apt.", "Принять": "Accept", "авария": "emergency"}}
	r := row{Number: "TST-000007", Address: `ул. <b>Ленина</b>, д. 5`, Apartment: `12 "А"`, OrgName: "УК Север", ReporterPhone: "+79123456789",
		WorkType: app.WorkType{Name: "Течь стояка", Emergency: true}, Status: app.StatusRouted, ReopenCount: 2, Version: 41,
		Overdue: true, Created: "16.11 12:00", Due: "16.11 13:00", Clock: "локализовать", ClockLeft: "12 мин", ClockAt: 1763287200, ClockOver: true}
	r.DoneWhen, r.CallerOther = "16.11 14:00", "Иванова"
	page := func(active string, role app.Role, l Lang) string {
		return string(ticketRows(fiber.Map{"Rows": []row{r}, "L": l, "Active": active, "User": &app.User{Role: role}, "CSRF": "tok", "Back": "/work/?q=" + active}))
	}
	ru := Lang{Code: "ru"}
	common := []string{`<tr class="overdue emergency">`, `<a href="/work/tickets/TST-000007">TST-000007</a><br><small>16.11 12:00</small>`,
		`ул. &lt;b&gt;Ленина&lt;/b&gt;, д. 5, кв. 12 &#34;А&#34;`, `<span class="badge em">авария</span> Течь стояка`,
		`Направлена в УО <small>(повторно: 2)</small>`, `<td>УК Север</td>`,
		`16.11 13:00<br><span class="clock clock-over clock-localize" data-clock-at="1763287200" data-clock-kind="локализовать" data-over="просрочено на">локализовать: просрочено на 12 мин</span> <span class="badge over">просрочена</span>`}
	for _, tc := range []struct {
		active string
		role   app.Role
		want   []string
		not    []string
	}{
		{"routed", app.RoleOperator, nil, []string{"<form", "tel:"}},
		{"new", app.RoleOperator, []string{`action="/work/tickets/TST-000007/route"`, `name="version" value="41"`, `name="back" value="/work/?q=new"`, `title="в организацию, обслуживающую дом">Направить в УО</button>`}, nil},
		{"new", app.RoleAdmin, nil, []string{"<form"}},
		{"incoming", app.RoleOrg, []string{`action="/work/tickets/TST-000007/accept"`, `name="csrf" value="tok"`, `class="btn-accept">Принять</button>`}, nil},
		{"done", app.RoleOperator, []string{`<a href="tel:&#43;79123456789">`, `<td>16.11 14:00</td><td>0</td>`, `<span class="badge late">звонит Иванова</span>`}, []string{"<form"}},
		{"unreached", app.RoleOperator, []string{`<a href="tel:&#43;79123456789">`}, []string{"<form", "звонит"}},
	} {
		got := page(tc.active, tc.role, ru)
		for _, w := range append(common, tc.want...) {
			if !strings.Contains(got, w) {
				t.Errorf("%s as %s: no %s in\n%s", tc.active, tc.role, w, got)
			}
		}
		for _, w := range append(tc.not, "<b>") {
			if strings.Contains(got, w) {
				t.Errorf("%s as %s: %s in\n%s", tc.active, tc.role, w, got)
			}
		}
	}
	if got := page("incoming", app.RoleOrg, en); !strings.Contains(got, "Routed <small>") || !strings.Contains(got, `, apt. 12`) || !strings.Contains(got, ">Accept</button>") || !strings.Contains(got, `"badge em">emergency</span>`) {
		t.Errorf("in English:\n%s", got)
	}
	if got := page("routed", app.RoleOperator, ru); strings.Count(got, "<tr") != 1 || strings.Count(got, "</tr>") != 1 {
		t.Errorf("one row, one <tr>:\n%s", got)
	}
	if got := ticketRows(fiber.Map{"L": ru}); got != "" {
		t.Errorf("no rows: %q", got)
	}
}
