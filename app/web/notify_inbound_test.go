package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestSMSStopFromTheGateway posts residents' replies over a real connection as
// the SMS gateway does: a wrong secret or a bad message changes nothing; «Стоп.»
// stops the SMS to that phone, cancels the one waiting, and a later change of
// the ticket queues none.
func TestSMSStopFromTheGateway(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const secret = "gateway-secret-0123456789"
	if err := f.s.SaveSettings(ctx, map[string]string{store.SetSMSInboundSecret: secret}); err != nil {
		t.Fatal(err)
	}
	body := f.newTicket("CW-05")
	body["notify"] = "sms"
	tk := f.file(t, "operator", body)
	const phone = "+79123456789"
	base := apptest.Listen(t, f.srv)
	post := func(contentType, payload string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/api/v1/notify/sms-inbound", strings.NewReader(payload))
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	smsTo := func() (pending, failed int) {
		t.Helper()
		ms, err := f.s.Outbox(ctx, store.OutboxFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Channel == store.ChanSMS && m.Recipient == phone {
				switch m.Status {
				case "pending":
					pending++
				case "failed":
					failed++
				}
			}
		}
		return
	}
	if p, _ := smsTo(); p != 1 {
		t.Fatalf("before: %d SMS waiting, want 1", p)
	}
	form := func(v url.Values) string { return v.Encode() }
	const formType = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		name, ctype, body string
		header            map[string]string
		status            int
		says              string
	}{
		{"wrong secret", formType, form(url.Values{"phone": {phone}, "text": {"СТОП"}, "secret": {"guess-guess-guess-1"}}), nil, 403, "Неверный секрет входящих SMS"},
		{"no secret", formType, form(url.Values{"phone": {phone}, "text": {"СТОП"}}), nil, 403, "Неверный секрет входящих SMS"},
		{"no phone", formType, form(url.Values{"text": {"СТОП"}}), map[string]string{"X-Ecoz-Secret": secret}, 400, "Номер отправителя"},
		{"bad phone", "application/json", `{"phone":"12","text":"stop"}`, map[string]string{"X-Ecoz-Secret": secret}, 400, "Номер отправителя"},
		{"no text", formType, form(url.Values{"phone": {phone}, "text": {"  "}, "secret": {secret}}), nil, 400, "Пустой текст"},
		{"unknown field", "application/json", `{"phone":"` + phone + `","text":"stop","from":"x"}`, map[string]string{"X-Ecoz-Secret": secret}, 400, ""},
		{"another text", formType, form(url.Values{"phone": {phone}, "text": {"Спасибо"}, "secret": {secret}}), nil, 200, `"stopped":false`},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, got := post(c.ctype, c.body, c.header)
			if st != c.status || !strings.Contains(got, c.says) {
				t.Errorf("%d %s", st, got)
			}
			if p, fl := smsTo(); p != 1 || fl != 0 {
				t.Errorf("changed: %d waiting, %d failed", p, fl)
			}
		})
	}
	st, got := post(formType, form(url.Values{"phone": {"8 (912) 345-67-89"}, "text": {" Стоп. "}}), map[string]string{"X-Ecoz-Secret": secret})
	if st != 200 || !strings.Contains(got, `"stopped":true`) || !strings.Contains(got, `"tickets":1`) || !strings.Contains(got, `"cancelled":1`) {
		t.Fatalf("stop: %d %s", st, got)
	}
	if p, fl := smsTo(); p != 0 || fl != 1 {
		t.Fatalf("after stop: %d waiting, %d failed", p, fl)
	}
	// The organisation does the work: no «Проблема устранена?» by SMS.
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
	f.act(t, "org", tk.Number, app.ActionDone, nil)
	if p, fl := smsTo(); p != 0 || fl != 1 {
		t.Fatalf("after done: %d waiting, %d failed", p, fl)
	}
	// The audit trail says when and how, without the number.
	r := f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number+"/events", nil)
	if !strings.Contains(string(r.Body), "Житель отказался от SMS-уведомлений") || strings.Contains(string(r.Body), "345-67-89") {
		t.Errorf("events: %s", r.Body)
	}
	// Said again, in JSON: nothing more to stop.
	st, got = post("application/json", `{"phone":"`+phone+`","text":"STOP"}`, map[string]string{"X-Ecoz-Secret": secret})
	if st != 200 || !strings.Contains(got, `"tickets":0`) {
		t.Errorf("again: %d %s", st, got)
	}
}
