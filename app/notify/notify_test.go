package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/notify"
	"github.com/ecoz/ecoz/app/store"
)

// sign is the receiver's own check of X-Ecoz-Signature, written from the
// contract, not taken from the code under test.
func sign(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

func TestOutboxWrittenWithTheTicket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.SetDutyContact(ctx, store.DutyContact{OrganizationID: f.org.ID, Phone: "8 912 000-11-22", Email: "duty@sever.example"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SaveSettings(ctx, map[string]string{store.SetDutyPhone: "+79120003344"}); err != nil {
		t.Fatal(err)
	}
	// A caller who agreed to SMS; one who gave nothing; an emergency (WALL-01)
	// whose caller chose e-mail.
	a := f.file(t, "CW-05", "sms", "")
	f.file(t, "CW-05", "", "")
	e := f.file(t, "WALL-01", "email", "ivanov@mail.example")
	want := []string{
		"registered sms +79125550001 pending",
		"registered email ivanov@mail.example pending",
		"emergency sms +79120001122 pending",
		"emergency email duty@sever.example pending",
		"emergency sms +79120003344 pending",
	}
	if got := outbox(t, f.s); !reflect.DeepEqual(got, want) {
		t.Fatalf("outbox after filing:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Accepting says nothing to the resident; done asks, a rejection reopens.
	f.act(t, f.uk, a.Number, app.ActionAccept, "")
	f.act(t, f.uk, a.Number, app.ActionDone, "")
	f.act(t, f.op, a.Number, app.ActionReject, "Кран всё ещё течёт")
	f.act(t, f.uk, e.Number, app.ActionAccept, "")
	f.act(t, f.uk, e.Number, app.ActionDone, "")
	f.act(t, f.op, e.Number, app.ActionConfirm, "")
	got := outbox(t, f.s)[5:]
	want = []string{
		"done sms +79125550001 pending",
		"reopened sms +79125550001 pending",
		"done email ivanov@mail.example pending",
		"closed email ivanov@mail.example pending",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outbox after the work:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBadContactRefusedAndNothingSaved(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		channel, email, field, msg string
	}{
		{"email", "", "reporter_email", "Для уведомлений по почте укажите адрес."},
		{"email", "ivanov@", "reporter_email", "Неверный адрес электронной почты; пример: ivanov@mail.ru."},
		{"pigeon", "", "notify", "Канал уведомлений: sms, email или none."},
	}
	for _, c := range cases {
		_, _, err := f.s.CreateTicket(apptest.As(f.op), app.NewTicket{BuildingID: f.b.ID, WorkType: "CW-05", Description: "Течёт кран",
			ReporterPhone: "89125550001", Notify: c.channel, ReporterEmail: c.email})
		if got := app.ErrorFields(err)[c.field]; got != c.msg {
			t.Errorf("%s/%q: field %s = %q, want %q (err %v)", c.channel, c.email, c.field, got, c.msg, err)
		}
	}
	if n, _ := f.s.CountTickets(apptest.As(f.op), store.TicketFilter{}); n != 0 {
		t.Errorf("%d tickets saved from refused input", n)
	}
	if got := outbox(t, f.s); len(got) != 0 {
		t.Errorf("outbox after refused input: %v", got)
	}
}

// job makes a sender for f over the given channels, with a clock in daytime.
func job(f *fixture, cfg notify.Config) *notify.Job {
	cfg.Store = f.s
	return notify.New(cfg)
}

func TestSMSThroughGateway(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gw := newGateway(t)
	// The provider's own URL and JSON body, with its API key in the URL.
	if err := f.s.SaveSettings(ctx, map[string]string{store.SetSMSBody: `{"to":"{phone}","message":"{text}","ref":"{id}"}`}); err != nil {
		t.Fatal(err)
	}
	j := job(f, notify.Config{SMSURL: gw.srv.URL + "/send?api_key=KEY123&sender=ECOZ"})
	tk := f.file(t, "CW-05", "sms", "")
	if n, err := j.Round(ctx); err != nil || n != 1 {
		t.Fatalf("round: %d, %v", n, err)
	}
	if gw.count() != 1 {
		t.Fatalf("gateway got %d requests", gw.count())
	}
	var body struct{ To, Message, Ref string }
	if err := json.Unmarshal([]byte(gw.body(0)), &body); err != nil {
		t.Fatalf("body %q: %v", gw.body(0), err)
	}
	want := "Заявка " + tk.Number + " зарегистрирована: Течь водопроводного крана, ул. Мира, д. 1. Срок устранения: 17.11.2026 12:00."
	if body.To != "+79125550001" || body.Message != want || body.Ref != "registered:1:sms" {
		t.Errorf("gateway got %+v\nwant message %q", body, want)
	}
	if k := gw.requests[0].URL.Query().Get("api_key"); k != "KEY123" {
		t.Errorf("api_key %q", k)
	}
	if got := outbox(t, f.s); !reflect.DeepEqual(got, []string{"registered sms +79125550001 sent"}) {
		t.Errorf("outbox %v", got)
	}
	// Sent is sent: another round sends nothing.
	if n, _ := j.Round(ctx); n != 0 || gw.count() != 1 {
		t.Errorf("second round sent %d (gateway %d)", n, gw.count())
	}
}

func TestQuietHoursDeferNonEmergencySMS(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gw := newGateway(t)
	j := job(f, notify.Config{SMSURL: gw.srv.URL + "/send?to={phone}&text={text}"})
	// 23:30 in Moscow.
	f.clock.Set(time.Date(2026, 11, 16, 20, 30, 0, 0, time.UTC))
	f.file(t, "CW-05", "sms", "")
	if err := f.s.SetDutyContact(ctx, store.DutyContact{OrganizationID: f.org.ID, Phone: "+79120001122"}); err != nil {
		t.Fatal(err)
	}
	f.file(t, "WALL-01", "sms", "")
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	// The emergency's own registration and the duty alert go; the leaking tap waits.
	if gw.count() != 2 {
		t.Fatalf("at night the gateway got %d, want 2 (emergency only)", gw.count())
	}
	for i := range 2 {
		if q, _ := url.ParseQuery(gw.requests[i].URL.RawQuery); !strings.Contains(q.Get("text"), "USN-000002") {
			t.Errorf("night SMS %d: %q", i, q.Get("text"))
		}
	}
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{Status: "pending"})
	if len(ms) != 1 || ms[0].Answer != "ночь: SMS отложено до 08:00" || !ms[0].NextAt.Equal(time.Date(2026, 11, 17, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("deferred: %+v", ms)
	}
	f.clock.Set(time.Date(2026, 11, 17, 5, 0, 0, 0, time.UTC)) // 08:00
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if gw.count() != 3 || !strings.Contains(gw.requests[2].URL.Query().Get("text"), "USN-000001") {
		t.Errorf("at 08:00 the gateway has %d messages", gw.count())
	}
}

func TestProviderAnswers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gw := newGateway(t)
	j := job(f, notify.Config{SMSURL: gw.srv.URL + "/send?to={phone}&text={text}"})
	f.file(t, "CW-05", "sms", "")
	// 5xx: retried later, with the answer kept.
	gw.setStatus(http.StatusBadGateway)
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{})
	if ms[0].Status != "pending" || ms[0].Attempts != 1 || !strings.Contains(ms[0].Answer, "502") {
		t.Fatalf("after a 502: %+v", ms[0])
	}
	if d := ms[0].NextAt.Sub(f.clock.Now()); d < 2*time.Second || d > 5*time.Second { // 2.5–5 s, stored in whole seconds
		t.Errorf("first backoff %v, want 2–5 s", d)
	}
	// Not yet due: nothing is tried.
	if n, _ := j.Round(ctx); n != 0 {
		t.Errorf("retried before its time")
	}
	// 4xx: failed for good, with the provider's words.
	gw.setStatus(http.StatusBadRequest)
	f.clock.Advance(time.Minute)
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	ms, _ = f.s.Outbox(ctx, store.OutboxFilter{})
	if ms[0].Status != "failed" || ms[0].Answer != `SMS-шлюз отказал: 400 {"error":"номер заблокирован"}` {
		t.Fatalf("after a 400: %+v", ms[0])
	}
	f.clock.Advance(time.Hour)
	if n, _ := j.Round(ctx); n != 0 {
		t.Errorf("a failed message was tried again")
	}
	// The administrator's «resend» queues it again; now the gateway takes it.
	gw.setStatus(0)
	if err := f.s.Resend(ctx, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if got := outbox(t, f.s); !reflect.DeepEqual(got, []string{"registered sms +79125550001 sent"}) || gw.count() != 1 {
		t.Errorf("after resend: %v, gateway %d", got, gw.count())
	}
}

func TestSMTPPlainStartTLSAndTLS(t *testing.T) {
	cases := []struct {
		name     string
		implicit bool
		url      string
		wantTLS  bool
	}{
		{"plain", false, "smtp://ecoz:s3cret@%s?tls=none", false},
		{"starttls", false, "smtp://ecoz:s3cret@%s?tls=starttls", true},
		{"tls", true, "smtps://ecoz:s3cret@%s", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			ms := newMailServer(t, c.implicit)
			j := job(f, notify.Config{SMTP: fmt.Sprintf(c.url, ms.addr), MailFrom: "centre@usinsk.example", TLSConfig: tlsFor(ms)})
			tk := f.file(t, "CW-05", "email", "ivanov@mail.example")
			if _, err := j.Round(ctx); err != nil {
				t.Fatal(err)
			}
			got := ms.messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages; outbox %v", len(got), outbox(t, f.s))
			}
			m := got[0]
			if m.From != "centre@usinsk.example" || m.To != "ivanov@mail.example" || m.TLS != c.wantTLS || !m.Authed {
				t.Errorf("envelope %+v", m)
			}
			msg, err := mail.ReadMessage(strings.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if id, key := msg.Header.Get("Message-ID"), msg.Header.Get("X-Ecoz-Idempotency-Key"); id != "<registered.1.email@ecoz>" || key != "registered:1:email" {
				t.Errorf("Message-ID %q, key %q", id, key)
			}
			if want := "Заявка зарегистрирована: заявка " + tk.Number; subject != want {
				t.Errorf("subject %q, want %q", subject, want)
			}
			want := "Заявка " + tk.Number + " зарегистрирована: Течь водопроводного крана, ул. Мира, д. 1. Срок устранения: 17.11.2026 12:00.\r\n\r\n" +
				"Больше не получать сообщения об этой заявке: https://ecoz.usinsk.example/n/stop/"
			if !strings.HasPrefix(string(body), want) {
				t.Errorf("body %q\nwant prefix %q", body, want)
			}
			if o := outbox(t, f.s); o[0] != "registered email ivanov@mail.example sent" {
				t.Errorf("outbox %v", o)
			}
		})
	}
}

func tlsFor(m *mailServer) *tls.Config { return &tls.Config{RootCAs: m.ca} }

func TestSMTPRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ms := newMailServer(t, false)
	j := job(f, notify.Config{SMTP: "smtp://ecoz:s3cret@" + ms.addr + "?tls=starttls", MailFrom: "centre@usinsk.example", TLSConfig: tlsFor(ms)})
	f.file(t, "CW-05", "email", "ivanov@mail.example")
	ms.mu.Lock()
	ms.reply = &smtp.SMTPError{Code: 451, Message: "try again later"}
	ms.mu.Unlock()
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	m, _ := f.s.Outbox(ctx, store.OutboxFilter{})
	if m[0].Status != "pending" || m[0].Attempts != 1 {
		t.Fatalf("after 451: %+v", m[0])
	}
	ms.mu.Lock()
	ms.reply = &smtp.SMTPError{Code: 550, Message: "no such mailbox"}
	ms.mu.Unlock()
	f.clock.Advance(time.Minute)
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	m, _ = f.s.Outbox(ctx, store.OutboxFilter{})
	if m[0].Status != "failed" || !strings.Contains(m[0].Answer, "no such mailbox") {
		t.Fatalf("after 550: %+v", m[0])
	}
}

func TestWebhookSigned(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := newGateway(t)
	rcv.secret = "hook-secret-42"
	j := job(f, notify.Config{Webhook: rcv.srv.URL + "/hook", WebhookSecret: "hook-secret-42"})
	tk := f.file(t, "CW-05", "", "")
	f.act(t, f.uk, tk.Number, app.ActionAccept, "")
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 2 || rcv.badSig != 0 {
		t.Fatalf("receiver: %d deliveries, %d bad signatures; outbox %v", rcv.count(), rcv.badSig, outbox(t, f.s))
	}
	var ev struct {
		ID, Event, Text string
		Ticket          struct {
			Number, Status string
			Version        int
		}
	}
	if err := json.Unmarshal([]byte(rcv.body(1)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Event != "event" || ev.Ticket.Number != tk.Number || ev.Ticket.Status != "accepted" || ev.Ticket.Version != 3 || ev.Text != "Заявка "+tk.Number+": В работе." {
		t.Errorf("event %+v", ev)
	}
	if strings.Contains(rcv.body(0), "Иванов") || strings.Contains(rcv.body(0), "555") {
		t.Errorf("webhook carries personal data: %s", rcv.body(0))
	}
	// A receiver with another secret refuses (401): the message fails, shown.
	rcv.secret = "other"
	f.act(t, f.uk, tk.Number, app.ActionDone, "")
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if rcv.badSig != 1 {
		t.Errorf("bad signatures %d", rcv.badSig)
	}
}

// TestWebhookFromTheAuditTrail: the webhook's messages come from the changes'
// audit events after a cursor. Changes made while the job is not running (the
// server down, for hours) are announced when it runs again; each change once, a comment
// (no change of status) not at all; a refused action nothing; changes while no
// webhook is configured are not announced later.
func TestWebhookFromTheAuditTrail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := newGateway(t)
	cfg := notify.Config{Webhook: rcv.srv.URL + "/hook"}
	job(f, cfg) // started once: the cursor is set
	a := f.file(t, "CW-05", "", "")
	b := f.file(t, "CW-05", "", "")
	// The server is down: changes only reach the database.
	f.act(t, f.uk, a.Number, app.ActionAccept, "")
	f.act(t, f.uk, a.Number, app.ActionComment, "Мастер выехал")
	if _, err := f.s.Act(apptest.As(f.uk), b.Number, app.ActionDone, store.ActInput{}); err == nil {
		t.Fatal("done before accept was allowed")
	}
	f.clock.Advance(2 * time.Hour) // down for two hours: still announced
	j := job(f, cfg)               // restarted
	for range 3 {
		if _, err := j.Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if rcv.count() != 3 {
		t.Fatalf("deliveries %d, want 3 (two registrations, one accept): %v", rcv.count(), outbox(t, f.s))
	}
	for k, n := range rcv.byKey {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	// No webhook for a while: those changes are not announced once one is set.
	f.act(t, f.uk, b.Number, app.ActionAccept, "")
	if _, err := job(f, notify.Config{}).Round(ctx); err != nil {
		t.Fatal(err)
	}
	f.act(t, f.uk, a.Number, app.ActionDone, "")
	if _, err := job(f, cfg).Round(ctx); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 4 || !strings.Contains(rcv.body(3), `"status":"done"`) {
		t.Fatalf("deliveries %d, last %s", rcv.count(), rcv.body(3))
	}
}

// TestSMSStopOfAPortalResident: «СТОП» from a registered resident's phone turns
// their portal preference to none, keeps the withdrawal in their consent
// records, stops their ticket's SMS and cancels the one waiting; an alert to
// the same phone as an organisation's duty phone is not a resident's consent
// and stays.
func TestSMSStopOfAPortalResident(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.SaveNotifyPref(ctx, f.resi.ID, "sms", "", true, "10.0.0.7"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetDutyContact(ctx, store.DutyContact{OrganizationID: f.org.ID, Phone: f.resi.Phone}); err != nil {
		t.Fatal(err)
	}
	tk, _, err := f.s.CreateTicket(apptest.As(f.resi), app.NewTicket{BuildingID: f.b.ID, WorkType: "EL-01", Description: "Нет света во всём доме"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.s.StopSMS(ctx, f.resi.Phone, "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 1 || r.Residents != 1 || r.Cancelled != 1 {
		t.Errorf("stop: %+v", r)
	}
	if p, _ := f.s.NotifyPrefOf(ctx, f.resi.ID); p.Channel != "none" {
		t.Errorf("preference %q", p.Channel)
	}
	if c, _, _ := f.s.TicketContact(ctx, tk.ID); c.Channel != "none" {
		t.Errorf("ticket contact %q", c.Channel)
	}
	// The subject's access report (152-ФЗ) shows the withdrawal after the consent.
	pd, err := f.s.PersonalData(ctx, f.resi.Phone)
	if err != nil || len(pd.Accounts) != 1 {
		t.Fatalf("personal data %+v %v", pd, err)
	}
	cs := pd.Accounts[0].Consents
	if last := cs[len(cs)-1]; last.Text != store.SMSStopText || last.IP != "192.0.2.10" {
		t.Errorf("consent records %+v", cs)
	}
	left := outbox(t, f.s)
	if !strings.Contains(strings.Join(left, "\n"), "emergency sms "+f.resi.Phone+" pending") {
		t.Errorf("the duty alert went too: %v", left)
	}
	if strings.Contains(strings.Join(left, "\n"), "registered pending") {
		t.Errorf("the resident's SMS still waits: %v", left)
	}
}
