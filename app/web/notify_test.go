package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/notify"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
)

// doneWithLink files a ticket through the API for a caller who chose SMS, has
// the organisation do it, and returns it with the path of its yes/no link.
func doneWithLink(t *testing.T, f *fixture) (ticket, string) {
	t.Helper()
	body := f.newTicket("CW-05")
	body["notify"] = "sms"
	tk := f.file(t, "operator", body)
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
	tk = f.act(t, "org", tk.Number, app.ActionDone, nil)
	st, err := f.s.NotifyTicket(context.Background(), idOf(t, tk.Number))
	if err != nil {
		t.Fatal(err)
	}
	link, err := notify.AnswerLink(context.Background(), f.s, st.ID, st.DoneAt.Unix())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	return tk, u.Path
}

func TestAnswerLinkPages(t *testing.T) {
	f := newFixture(t)
	tk, path := doneWithLink(t, f)
	c := newClient(t, f.srv)
	st, body := c.get(path)
	if st != http.StatusOK || !strings.Contains(body, "Проблема устранена?") || !strings.Contains(body, "Заявка <strong>"+tk.Number+"</strong>: Течь водопроводного крана, ул. Ленина, д. 5.") {
		t.Fatalf("link page %d:\n%s", st, body)
	}
	// Altered: one digit of the ticket id changed, or the signature cut.
	tok := strings.TrimPrefix(path, "/n/")
	for _, bad := range []string{"2" + tok[1:], tok[:len(tok)-3]} {
		if st, body := c.get("/n/" + bad); st != http.StatusBadRequest || !strings.Contains(body, "Ссылка не работает") {
			t.Errorf("altered %q: %d %s", bad, st, body)
		}
	}
	// «No» without words: asked for them, nothing changed.
	st, body, _ = c.post(path, url.Values{"answer": {"no"}, "words": {"  "}})
	if st != http.StatusBadRequest || !strings.Contains(body, "Опишите, что не устранено.") {
		t.Errorf("no without words: %d", st)
	}
	if got := getTicket(t, f, "operator", tk.Number).Status; got != "done" {
		t.Fatalf("status after refused answer %s", got)
	}
	// Yes: closed, by the link, in the audit trail.
	st, body, _ = c.post(path, url.Values{"answer": {"yes"}})
	if st != http.StatusOK || !strings.Contains(body, "Заявка "+tk.Number+" закрыта.") {
		t.Fatalf("yes: %d %s", st, body)
	}
	if got := getTicket(t, f, "operator", tk.Number).Status; got != "closed" {
		t.Fatalf("status after yes %s", got)
	}
	// Twice: a clear page, nothing changed.
	st, body, _ = c.post(path, url.Values{"answer": {"no"}, "words": {"передумал"}})
	if st != http.StatusConflict || !strings.Contains(body, "Ответ уже получен") || !strings.Contains(body, "сейчас: «Закрыта»") {
		t.Errorf("second use: %d %s", st, body)
	}
	if got := getTicket(t, f, "operator", tk.Number).Status; got != "closed" {
		t.Errorf("status after second use %s", got)
	}
	// Expired: fifteen days later.
	tk2, path2 := doneWithLink(t, f)
	f.clock.Advance(15 * 24 * time.Hour)
	if st, body := c.get(path2); st != http.StatusGone || !strings.Contains(body, "Срок действия ссылки истёк") {
		t.Errorf("expired: %d %s", st, body)
	}
	if got := getTicket(t, f, "operator", tk2.Number).Status; got != "done" {
		t.Errorf("status after expired link %s", got)
	}
}

func TestCallerChoiceThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	body := f.newTicket("CW-05")
	body["notify"], body["reporter_email"] = "email", "ivanov@"
	r := f.do(t, "operator", http.MethodPost, "/api/v1/tickets", body)
	if e := r.err(t); r.Status != http.StatusBadRequest || e.Error.Fields["reporter_email"] != "Неверный адрес электронной почты; пример: ivanov@mail.ru." {
		t.Fatalf("bad e-mail: %d %+v", r.Status, e)
	}
	body["reporter_email"] = "ivanov@mail.example"
	tk := f.file(t, "operator", body)
	c, ok, err := f.s.TicketContact(context.Background(), idOf(t, tk.Number))
	if err != nil || !ok || c.Channel != "email" || c.Email != "ivanov@mail.example" {
		t.Fatalf("contact %+v %v %v", c, ok, err)
	}
	ms, _ := f.s.Outbox(context.Background(), store.OutboxFilter{})
	if len(ms) != 1 || ms[0].Kind != "registered" || ms[0].Recipient != "ivanov@mail.example" {
		t.Fatalf("outbox %+v", ms)
	}
}

func TestTemplatesRefusedWithTheLine(t *testing.T) {
	f := newFixture(t)
	tk := f.file(t, "operator", f.newTicket("CW-05"))
	admin := fixtureAdmin(t, f)
	form := url.Values{"ticket": {tk.Number}}
	for _, k := range store.Kinds {
		form.Set("tpl_"+k, notify.DefaultTemplates[k])
	}
	form.Set("tpl_closed", "Заявка {{.Number}} закрыта.\nСпасибо, {{.Number")
	st, body, _ := admin.post("/admin/notify/templates", form)
	if st != http.StatusBadRequest || !strings.Contains(body, "Шаблон не разобран, строка 2:") {
		t.Fatalf("broken template: %d\n%s", st, body)
	}
	form.Set("tpl_closed", "Заявка {{.Number}} закрыта. Звоните: {{.CenterPhone}}")
	form.Set("preview", "1")
	st, body, _ = admin.post("/admin/notify/templates", form)
	if st != http.StatusOK || !strings.Contains(body, "Заявка "+tk.Number+" закрыта. Звоните:</p>") {
		t.Fatalf("preview: %d", st)
	}
	form.Del("preview")
	if st, _, loc := admin.post("/admin/notify/templates", form); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/notify/templates?saved=1") {
		t.Fatalf("save: %d %s", st, loc)
	}
	if got := f.s.Setting(context.Background(), store.SetTemplatePrefix+"closed"); got != "Заявка {{.Number}} закрыта. Звоните: {{.CenterPhone}}" {
		t.Errorf("stored %q", got)
	}
}

func TestNotifySettingsHideSecrets(t *testing.T) {
	f := newFixture(t)
	admin := fixtureAdmin(t, f)
	form := url.Values{"notify_smtp": {"smtp://centre:Pa55word@mail.usinsk.example:587"}, "notify_mail_from": {"centre@usinsk.example"},
		"notify_webhook_secret": {"hook-secret-value"}, "notify_duty_phone": {"8 912 000-11-22"}}
	// The inbound SMS secret is refused when short, with nothing saved.
	form.Set("notify_sms_inbound_secret", "short")
	if st, body, _ := admin.post("/admin/notify", form); st != http.StatusBadRequest || !strings.Contains(body, "Секрет входящих SMS — не короче 16 символов") ||
		f.s.Setting(context.Background(), store.SetWebhookSecret) != "" {
		t.Fatalf("short inbound secret: %d", st)
	}
	form.Set("notify_sms_inbound_secret", "inbound-secret-value-42")
	if st, _, _ := admin.post("/admin/notify", form); st != http.StatusSeeOther {
		t.Fatalf("save %d", st)
	}
	_, body := admin.get("/admin/notify")
	if strings.Contains(body, "Pa55word") || strings.Contains(body, "hook-secret-value") || strings.Contains(body, "inbound-secret-value-42") {
		t.Fatal("a secret is shown back")
	}
	if !strings.Contains(body, `value="smtp://centre:••••••@mail.usinsk.example:587"`) || !strings.Contains(body, "задан; пусто — оставить прежний") {
		t.Errorf("masked values missing:\n%s", body)
	}
	// Saving the form as shown keeps both secrets.
	form = url.Values{"notify_smtp": {"smtp://centre:••••••@mail.usinsk.example:587"}, "notify_mail_from": {"centre@usinsk.example"}, "notify_webhook_secret": {""}}
	admin.post("/admin/notify", form)
	ctx := context.Background()
	if got := f.s.Setting(ctx, store.SetSMTP); got != "smtp://centre:Pa55word@mail.usinsk.example:587" {
		t.Errorf("smtp after resave %q", got)
	}
	if got := f.s.Setting(ctx, store.SetWebhookSecret); got != "hook-secret-value" {
		t.Errorf("secret after resave %q", got)
	}
	if got := f.s.Setting(ctx, store.SetSMSInboundSecret); got != "inbound-secret-value-42" {
		t.Errorf("inbound secret after resave %q", got)
	}
	// A bad duty e-mail is a field error.
	st, body, _ := admin.post("/admin/notify", url.Values{"notify_duty_email": {"дежурный@"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "Неверный адрес электронной почты") {
		t.Errorf("bad duty e-mail: %d", st)
	}
}

// TestBrowserAnswerNo: in real Chromium, the resident opens the link of the
// «Проблема устранена?» message, answers «нет» with their words, and the ticket
// is back with the organisation, their words in its trail.
func TestBrowserAnswerNo(t *testing.T) {
	f := newFixture(t)
	tk, path := doneWithLink(t, f)
	base := apptest.Listen(t, f.srv)
	ctx := apptest.Browser(t)
	var question, result string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+path),
		chromedp.WaitVisible("#words"),
		chromedp.Text("h1", &question),
		chromedp.SendKeys("#words", "Кран по-прежнему капает"),
		chromedp.Click("#no"),
		chromedp.WaitVisible("#result"),
		chromedp.Text("#result", &result),
	)
	if err != nil {
		apptest.Screenshot(t, ctx, "answer-no")
		t.Fatal(err)
	}
	if question != "Проблема устранена?" {
		t.Errorf("question %q", question)
	}
	if want := "Заявка " + tk.Number + " снова у организации «УК Север»: она увидит ваш ответ. Мы сообщим, когда работы будут выполнены."; result != want {
		t.Errorf("result %q\nwant %q", result, want)
	}
	got := getTicket(t, f, "org", tk.Number)
	if got.Status != "reopened" || got.ReopenCount != 1 {
		t.Fatalf("the organisation sees %s, reopened %d times", got.Status, got.ReopenCount)
	}
	var events []struct{ Actor, Action, Note string }
	f.do(t, "org", http.MethodGet, "/api/v1/tickets/"+tk.Number+"/events", nil).decode(t, &events)
	last := events[len(events)-1]
	if last.Action != "reject" || last.Note != "Житель по ссылке из сообщения: Кран по-прежнему капает" || last.Actor != "житель (по ссылке из сообщения)" {
		t.Errorf("last event %+v", last)
	}
	// The organisation can take it again.
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
}

func idOf(t *testing.T, number string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(number[strings.LastIndex(number, "-")+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func getTicket(t *testing.T, f *fixture, login, number string) ticket {
	t.Helper()
	var tk ticket
	f.do(t, login, http.MethodGet, "/api/v1/tickets/"+number, nil).decode(t, &tk)
	return tk
}

// fixtureAdmin signs the fixture's administrator in through the form.
func fixtureAdmin(t *testing.T, f *fixture) *client {
	t.Helper()
	c := newClient(t, f.srv)
	if st, _, _ := c.post("/login", url.Values{"login": {"admin"}, "password": {"admin-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", st)
	}
	_, body := c.get("/admin/notify")
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return c
}

func TestResidentChoosesChannel(t *testing.T) {
	f := newFixture(t)
	c := newClient(t, f.srv)
	if st, _, _ := c.post("/login", url.Values{"login": {"resident"}, "password": {"resident-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("sign-in %d", st)
	}
	_, body := c.get("/my/notify")
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	if !strings.Contains(body, "SMS на 8 (912) 111-22-33") {
		t.Fatalf("page:\n%s", body)
	}
	cases := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"channel": {"email"}, "email": {"anna@"}, "consent": {"1"}}, "Неверный адрес электронной почты; пример: ivanov@mail.ru."},
		{url.Values{"channel": {"email"}, "email": {""}, "consent": {"1"}}, "Для уведомлений по почте укажите адрес."},
		{url.Values{"channel": {"sms"}}, "Отметьте согласие."},
	}
	for _, cs := range cases {
		st, body, _ := c.post("/my/notify", cs.form)
		if st != http.StatusBadRequest || !strings.Contains(body, `<p class="field-error">`+cs.field+`</p>`) {
			t.Errorf("%v: %d, want field error %q", cs.form, st, cs.field)
		}
	}
	ctx := context.Background()
	if p, _ := f.s.NotifyPrefOf(ctx, f.users["resident"].ID); p.Channel != "none" {
		t.Fatalf("refused choice stored: %+v", p)
	}
	st, body, _ := c.post("/my/notify", url.Values{"channel": {"email"}, "email": {"anna@mail.example"}, "consent": {"1"}})
	if st != http.StatusOK || !strings.Contains(body, "Сохранено.") {
		t.Fatalf("save: %d", st)
	}
	if p, _ := f.s.NotifyPrefOf(ctx, f.users["resident"].ID); p.Channel != "email" || p.Email != "anna@mail.example" {
		t.Fatalf("stored %+v", p)
	}
	// Her own ticket is announced by e-mail.
	body2 := f.newTicket("CW-05")
	delete(body2, "reporter_name")
	delete(body2, "reporter_phone")
	tk := f.file(t, "resident", body2)
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{})
	if len(ms) != 1 || ms[0].Number != tk.Number || ms[0].Channel != "email" || ms[0].Recipient != "anna@mail.example" {
		t.Fatalf("outbox %+v", ms)
	}
	// «Не уведомлять» stops what was waiting for her open tickets.
	if st, _, _ := c.post("/my/notify", url.Values{"channel": {"none"}}); st != http.StatusOK {
		t.Fatalf("none: %d", st)
	}
	if cn, _, _ := f.s.TicketContact(ctx, idOf(t, tk.Number)); cn.Channel != "none" {
		t.Errorf("contact after none: %+v", cn)
	}
}

func TestStopLinkAndOutboxScreen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := f.newTicket("CW-05")
	body["notify"], body["reporter_email"] = "email", "ivanov@mail.example"
	tk := f.file(t, "operator", body)
	stop, err := notify.StopLink(ctx, f.s, idOf(t, tk.Number))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(stop)
	c := newClient(t, f.srv)
	st, page := c.get(u.Path)
	if st != http.StatusOK || !strings.Contains(page, "Больше не присылать сообщения о заявке <strong>"+tk.Number+"</strong>?") {
		t.Fatalf("stop page %d", st)
	}
	if m := csrfRe.FindStringSubmatch(page); m != nil {
		c.csrf = m[1]
	}
	if st, page, _ := c.post(u.Path, url.Values{}); st != http.StatusOK || !strings.Contains(page, "Сообщения о заявке "+tk.Number+" больше не будут приходить.") {
		t.Fatalf("stop: %d %s", st, page)
	}
	// A stop token is not an answer token.
	if st, _ := c.get("/n/" + strings.TrimPrefix(u.Path, "/n/stop/")); st != http.StatusBadRequest {
		t.Errorf("stop token as an answer: %d", st)
	}
	admin := fixtureAdmin(t, f)
	_, page = admin.get("/admin/outbox?status=failed")
	for _, want := range []string{`<span class="count" id="c-failed">1</span>`, `<span class="count" id="c-pending">0</span>`,
		">" + tk.Number + "</a></td>", "<td>Заявка зарегистрирована</td><td>email</td><td>i***@mail.example</td>", "житель отказался от уведомлений", "Отправить снова"} {
		if !strings.Contains(page, want) {
			t.Errorf("outbox screen lacks %q", want)
		}
	}
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{})
	if st, _, loc := admin.post("/admin/outbox/"+strconv.FormatInt(ms[0].ID, 10)+"/resend", url.Values{}); st != http.StatusSeeOther || loc != "/admin/outbox?status=pending" {
		t.Fatalf("resend %d %s", st, loc)
	}
	_, page = admin.get("/admin/outbox?status=pending")
	// The test server runs no sender: the message waits for a channel.
	if !strings.Contains(page, `<span class="count" id="c-pending">1</span>`) || !strings.Contains(page, "повторная отправка по запросу администратора") ||
		!strings.Contains(page, "ждёт — канал не настроен") {
		t.Errorf("after resend:\n%s", page)
	}
}

// TestIntakeRecordsCallerChoice: the operator records a caller's channel on the
// intake form; a bad e-mail is shown at its field and nothing is filed.
func TestIntakeRecordsCallerChoice(t *testing.T) {
	f := newFixture(t)
	op := newClient(t, f.srv)
	if st, _, _ := op.post("/login", url.Values{"login": {"operator"}, "password": {"operator-pass"}}); st != http.StatusSeeOther {
		t.Fatalf("sign-in %d", st)
	}
	_, page := op.get("/work/new")
	if m := csrfRe.FindStringSubmatch(page); m != nil {
		op.csrf = m[1]
	}
	if !strings.Contains(page, `name="notify" value="sms"`) || !strings.Contains(page, "Уведомлять о ходе заявки") {
		t.Fatalf("intake form has no channel choice")
	}
	form := url.Values{"reporter_phone": {"8 912 555-00-07"}, "reporter_name": {"Сидоров"}, "building_id": {strconv.FormatInt(f.lenina.ID, 10)},
		"work_type": {"CW-05"}, "description": {"Течёт кран"}, "notify": {"email"}, "reporter_email": {"sidorov@"}}
	st, page, _ := op.post("/work/new", form)
	if st != http.StatusBadRequest || !strings.Contains(page, `<p class="field-error">Неверный адрес электронной почты; пример: ivanov@mail.ru.</p>`) {
		t.Fatalf("bad e-mail: %d", st)
	}
	if n, _ := f.s.CountTickets(f.as("operator"), store.TicketFilter{}); n != 0 {
		t.Fatalf("%d tickets filed with a bad e-mail", n)
	}
	form.Set("reporter_email", "sidorov@mail.example")
	st, _, loc := op.post("/work/new", form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/work/tickets/TST-000001") {
		t.Fatalf("file: %d %s", st, loc)
	}
	c, ok, _ := f.s.TicketContact(context.Background(), 1)
	if !ok || c.Channel != "email" || c.Email != "sidorov@mail.example" || c.Phone != "+79125550007" {
		t.Errorf("contact %+v", c)
	}
}

// The request log never shows a link's token: it answers for the resident.
func TestLinkTokenNotLogged(t *testing.T) {
	f := newFixture(t)
	_, path := doneWithLink(t, f)
	var logged bytes.Buffer
	srv, err := web.New(web.Config{Store: f.s, Views: os.DirFS(filepath.Join(apptest.Root(), "assets", "views")),
		Static: os.DirFS(filepath.Join(apptest.Root(), "assets", "static")), I18n: os.DirFS(filepath.Join(apptest.Root(), "assets", "i18n")), Log: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)
	if st, _ := c.get(path); st != http.StatusOK {
		t.Fatalf("link page %d", st)
	}
	tok := strings.TrimPrefix(path, "/n/")
	if strings.Contains(logged.String(), tok) || !strings.Contains(logged.String(), "path=/n/…") {
		t.Errorf("request log:\n%s", logged.String())
	}
}
