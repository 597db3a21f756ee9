package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// DefaultTemplates are the texts of the messages until the administrator edits
// them; SMS texts are kept short.
var DefaultTemplates = map[string]string{
	store.KindRegistered: "Заявка {{.Number}} зарегистрирована: {{.WorkType}}, {{.Address}}. Срок устранения: {{.Deadline}}.",
	store.KindDone:       "Заявка {{.Number}} ({{.WorkType}}): организация сообщила, что работы выполнены. Проблема устранена? Ответьте да или нет: {{.Link}}",
	store.KindCallback:   "Мы не дозвонились до вас по заявке {{.Number}} ({{.WorkType}}). Проблема устранена? Ответьте да или нет: {{.Link}}",
	store.KindReopened:   "Заявка {{.Number}} снова в работе у организации «{{.Organization}}».",
	store.KindClosed:     "Заявка {{.Number}} закрыта. Спасибо, что сообщили.",
	store.KindEmergency:  "АВАРИЯ: заявка {{.Number}}, {{.WorkType}}, {{.Address}}.{{if .LocalizeDeadline}} Локализовать до {{.LocalizeDeadline}}.{{end}} Устранить до {{.Deadline}}.",
	store.KindLocalize:   "Заявка {{.Number}}: срок локализации истекает {{.LocalizeDeadline}}. {{.WorkType}}, {{.Address}}.",
	store.KindDue:        "Заявка {{.Number}}: срок устранения истекает {{.Deadline}}. {{.Organization}}; {{.WorkType}}, {{.Address}}.",
	store.KindUnrouted:   "Заявка {{.Number}} не направлена ни одной организации: {{.WorkType}}, {{.Address}}. Нужно решение Управления ЖКХ.",
	store.KindEvent:      "Заявка {{.Number}}: {{.Status}}.",
}

// KindTitles name the kinds for the administrator and e-mail subjects.
var KindTitles = map[string]string{
	store.KindRegistered: "Заявка зарегистрирована",
	store.KindDone:       "Проблема устранена?",
	store.KindCallback:   "Проблема устранена?",
	store.KindReopened:   "Заявка снова в работе",
	store.KindClosed:     "Заявка закрыта",
	store.KindEmergency:  "Новая авария",
	store.KindLocalize:   "Истекает срок локализации",
	store.KindDue:        "Истекает срок устранения",
	store.KindUnrouted:   "Заявка не направлена",
	store.KindEvent:      "Изменение заявки",
}

// View is what a template sees of a ticket.
type View struct {
	Number, Status, WorkType, Address, Organization string
	Emergency                                       bool
	Deadline, LocalizeDeadline                      string // local time, «02.12.2026 14:00»
	Link                                            string // the yes/no link (done, callback)
	Center, CenterPhone                             string
}

// ParseTemplate checks a template's text; the error names the line.
func ParseTemplate(kind, text string) (*template.Template, error) {
	t, err := template.New(kind).Option("missingkey=error").Parse(text)
	if err != nil {
		msg := err.Error()
		// «template: done:3: unexpected "}" in operand» → «строка 3: …»
		if i := strings.Index(msg, kind+":"); i >= 0 {
			rest := msg[i+len(kind)+1:]
			if j := strings.Index(rest, ":"); j > 0 {
				if _, e := strconv.Atoi(rest[:j]); e == nil {
					msg = "строка " + rest[:j] + ":" + rest[j+1:]
				}
			}
		}
		return nil, app.Errorf(app.EINVALID, "Шаблон не разобран, %s", msg)
	}
	// A template that parses but fails on a real ticket is refused too.
	if err := t.Execute(&strings.Builder{}, View{}); err != nil {
		return nil, app.Errorf(app.EINVALID, "Шаблон не выполняется: %v", err)
	}
	return t, nil
}

// Template returns the text of kind's template: the administrator's, else the default.
func Template(ctx context.Context, s *store.Store, kind string) string {
	if v := s.Setting(ctx, store.SetTemplatePrefix+kind); v != "" {
		return v
	}
	return DefaultTemplates[kind]
}

// Render fills kind's template for ticket t; link is the yes/no link ("" when
// the kind has none).
func Render(ctx context.Context, s *store.Store, kind string, t *app.Ticket, link string) (subject, text string) {
	return RenderWith(ctx, s, kind, Template(ctx, s, kind), t, link)
}

// RenderWith is Render with the template's text given (the administrator's preview).
func RenderWith(ctx context.Context, s *store.Store, kind, tpl string, t *app.Ticket, link string) (subject, text string) {
	v := ViewOf(ctx, s, t, link)
	tp, err := ParseTemplate(kind, tpl)
	if err != nil {
		tp, _ = ParseTemplate(kind, DefaultTemplates[kind])
	}
	var b strings.Builder
	if err := tp.Execute(&b, v); err != nil {
		b.Reset()
		tp, _ = ParseTemplate(kind, DefaultTemplates[kind])
		_ = tp.Execute(&b, v)
	}
	return KindTitles[kind] + ": заявка " + t.Number, strings.TrimSpace(b.String())
}

// ViewOf is what templates see of t.
func ViewOf(ctx context.Context, s *store.Store, t *app.Ticket, link string) View {
	loc := s.Municipality(ctx).Location
	f := func(tm time.Time) string {
		if tm.IsZero() {
			return ""
		}
		return tm.In(loc).Format(app.DateTimeLayout)
	}
	return View{
		Number: t.Number, Status: t.Status.Title(), WorkType: t.WorkType.Name, Address: t.Address, Organization: t.OrgName,
		Emergency: t.WorkType.Emergency, Deadline: f(t.DueAt), LocalizeDeadline: f(t.LocalizeDueAt), Link: link,
		Center: s.Setting(ctx, store.SetCenterName), CenterPhone: app.FormatPhone(s.Setting(ctx, store.SetCenterPhone)),
	}
}

// Links: a yes/no link names the ticket and the round of work (its done time) and
// expires; it is signed with the centre's own key, so that it cannot be forged or
// pointed at another ticket.

// LinkTTL is how long a yes/no link works.
const LinkTTL = 14 * 24 * time.Hour

// Token is the signed part of a yes/no link.
type Token struct {
	TicketID int64
	DoneAt   int64
	Expires  int64
}

// Sign makes the token's text.
func (t Token) Sign(secret string) string {
	body := fmt.Sprintf("%d.%d.%d", t.TicketID, t.DoneAt, t.Expires)
	return body + "." + mac(secret, body)
}

func mac(secret, body string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte("answer:" + body))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// Token errors, told apart on the page a resident sees.
var (
	ErrTokenBad     = fmt.Errorf("ссылка повреждена")
	ErrTokenExpired = fmt.Errorf("срок действия ссылки истёк")
)

// ParseToken checks a token's signature and expiry.
func ParseToken(secret, s string, now time.Time) (Token, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return Token{}, ErrTokenBad
	}
	body := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(mac(secret, body)), []byte(parts[3])) {
		return Token{}, ErrTokenBad
	}
	var t Token
	var err1, err2, err3 error
	t.TicketID, err1 = strconv.ParseInt(parts[0], 10, 64)
	t.DoneAt, err2 = strconv.ParseInt(parts[1], 10, 64)
	t.Expires, err3 = strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Token{}, ErrTokenBad
	}
	if now.Unix() > t.Expires {
		return t, ErrTokenExpired
	}
	return t, nil
}
