package notify_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/notify"
	"github.com/ecoz/ecoz/app/store"
)

func TestStaffAlerts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.SetDutyContact(ctx, store.DutyContact{OrganizationID: f.org.ID, Phone: "+79120001122", Email: "duty@sever.example"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SaveSettings(ctx, map[string]string{store.SetDutyEmail: "centre-duty@usinsk.example", store.SetSupervisorEmail: "zhkh@usinsk.example"}); err != nil {
		t.Fatal(err)
	}
	// An emergency at 12:00 Moscow (a house without power, ПП 416): localise by
	// 12:30, resolve within 2 hours, by 14:00.
	e := f.file(t, "EL-01", "", "")
	// A leaking tap the organisation hands back as not theirs.
	tap := f.file(t, "CW-05", "", "")
	f.act(t, f.uk, tap.Number, app.ActionReturn, "Дом не в нашем управлении")
	emergency := []string{
		"emergency sms +79120001122 pending",
		"emergency email duty@sever.example pending",
		"emergency email centre-duty@usinsk.example pending",
	}
	alerts := func() []string {
		t.Helper()
		if _, err := f.s.QueueClockAlerts(ctx); err != nil {
			t.Fatal(err)
		}
		return outbox(t, f.s)[len(emergency):]
	}
	if got := alerts(); len(got) != 0 {
		t.Fatalf("at 12:00 alerts %v", got)
	}
	// 12:16: the localisation clock has 14 minutes left.
	f.clock.Advance(16 * time.Minute)
	want := []string{
		"localize sms +79120001122 pending",
		"localize email duty@sever.example pending",
		"localize email centre-duty@usinsk.example pending",
	}
	if got := alerts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("at 12:16:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Asked again a minute later: each clock alerts once.
	f.clock.Advance(time.Minute)
	if got := alerts(); len(got) != 3 {
		t.Fatalf("alerts repeated: %v", got)
	}
	// 12:31: the tap has waited unrouted for 31 minutes: the supervisor hears of it.
	f.clock.Advance(14 * time.Minute)
	want = append(want, "unrouted email zhkh@usinsk.example pending")
	if got := alerts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("at 12:31:\n%s", strings.Join(got, "\n"))
	}
	// 13:31: the emergency's resolution clock (14:00) has less than a quarter of
	// its 2 hours left.
	f.clock.Set(e.DueAt.Add(-30*time.Minute + time.Minute))
	want = append(want, "due sms +79120001122 pending", "due email duty@sever.example pending", "due email centre-duty@usinsk.example pending")
	if got := alerts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("before the emergency's deadline:\n%s", strings.Join(got, "\n"))
	}
	// Next day 10:01: the tap's clock (12:00) has less than 2 hours left; with no
	// organisation holding it, only the centre hears.
	f.clock.Set(tap.DueAt.Add(-2*time.Hour + time.Minute))
	want = append(want, "due email centre-duty@usinsk.example pending")
	got := alerts()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("before the deadline:\n%s", strings.Join(got, "\n"))
	}
	j := job(f, notify.Config{})
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{Limit: 2})
	out, err := j.Compose(ctx, ms[1])
	if err != nil {
		t.Fatal(err)
	}
	if w := "Заявка " + e.Number + ": срок устранения истекает 16.11.2026 14:00. УК «Север»; Отключение электроснабжения дома/подъезда, повреждение питающего кабеля, ул. Мира, д. 1."; out.Text != w {
		t.Errorf("due alert %q\nwant %q", out.Text, w)
	}
}

func TestLocalisedEmergencyNotAlerted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.s.SaveSettings(ctx, map[string]string{store.SetDutyEmail: "centre-duty@usinsk.example"}); err != nil {
		t.Fatal(err)
	}
	e := f.file(t, "EL-01", "", "")
	// The organisation reports localisation (localized_at is what the alert looks for).
	err := f.s.Write(ctx, func(tx *store.Tx) error {
		return tx.Raw(func(exec func(q string, args ...any) error) error {
			return exec("UPDATE tickets SET localized_at = ? WHERE id = ?", f.clock.Now().Unix(), e.ID)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(20 * time.Minute)
	if _, err := f.s.QueueClockAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if got := outbox(t, f.s); !reflect.DeepEqual(got, []string{"emergency email centre-duty@usinsk.example pending"}) {
		t.Errorf("outbox %v", got)
	}
}

func TestFailedCallbacksSendTheLink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.file(t, "CW-05", "sms", "")
	f.act(t, f.uk, tk.Number, app.ActionAccept, "")
	f.act(t, f.uk, tk.Number, app.ActionDone, "")
	kinds := func() []string {
		var out []string
		for _, m := range outbox(t, f.s) {
			out = append(out, strings.Fields(m)[0])
		}
		return out
	}
	f.act(t, f.op, tk.Number, app.ActionCallFailed, "")
	if got := kinds(); !reflect.DeepEqual(got, []string{"registered", "done"}) {
		t.Fatalf("after one failed call %v", got)
	}
	f.act(t, f.op, tk.Number, app.ActionCallFailed, "")
	f.act(t, f.op, tk.Number, app.ActionCallFailed, "")
	if got := kinds(); !reflect.DeepEqual(got, []string{"registered", "done", "callback"}) {
		t.Fatalf("after three failed calls %v", got)
	}
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{Limit: 1})
	out, err := job(f, notify.Config{}).Compose(ctx, ms[0])
	if err != nil {
		t.Fatal(err)
	}
	want := "Мы не дозвонились до вас по заявке " + tk.Number + " (Течь водопроводного крана). Проблема устранена? Ответьте да или нет: https://ecoz.usinsk.example/n/"
	if !strings.HasPrefix(out.Text, want) {
		t.Errorf("callback text %q", out.Text)
	}
	// The link answers for this round of work.
	tok := strings.TrimPrefix(out.Text[strings.LastIndex(out.Text, " ")+1:], "https://ecoz.usinsk.example/n/")
	secret, _ := notify.Secret(ctx, f.s)
	parsed, err := notify.ParseToken(secret, tok, f.clock.Now())
	if err != nil || parsed.TicketID != tk.ID {
		t.Fatalf("token %q: %+v %v", tok, parsed, err)
	}
	if _, err := f.s.AnswerByLink(ctx, parsed.TicketID, parsed.DoneAt, true, ""); err != nil {
		t.Fatal(err)
	}
	if got := kinds(); !reflect.DeepEqual(got, []string{"registered", "done", "callback", "closed"}) {
		t.Errorf("after the answer %v", got)
	}
}

func TestStopHonoured(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.file(t, "CW-05", "email", "ivanov@mail.example")
	if err := f.s.StopNotifications(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	f.act(t, f.uk, tk.Number, app.ActionAccept, "")
	f.act(t, f.uk, tk.Number, app.ActionDone, "")
	ms, _ := f.s.Outbox(ctx, store.OutboxFilter{})
	if len(ms) != 1 || ms[0].Status != "failed" || ms[0].Answer != "житель отказался от уведомлений" {
		t.Fatalf("after stop: %+v", ms)
	}
}

func TestTemplateErrorsNameTheLine(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Заявка {{.Number}}\n{{if .Link}}ссылка", "Шаблон не разобран, строка 2: unexpected EOF"},
		{"{{.Numbr}}", "Шаблон не выполняется:"},
		{"Заявка {{.Number", "Шаблон не разобран, строка 1:"},
	}
	for _, c := range cases {
		_, err := notify.ParseTemplate("done", c.text)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: %v, want prefix %q", c.text, err, c.want)
		}
	}
	if _, err := notify.ParseTemplate("done", notify.DefaultTemplates[store.KindDone]); err != nil {
		t.Error(err)
	}
}

func TestBackoffAndNight(t *testing.T) {
	for n, want := range map[int][2]time.Duration{1: {2500 * time.Millisecond, 5 * time.Second}, 3: {10 * time.Second, 20 * time.Second},
		10: {15 * time.Minute, 30 * time.Minute}, 40: {15 * time.Minute, 30 * time.Minute}} {
		for range 50 {
			if d := notify.Backoff(n, 30*time.Minute); d < want[0] || d > want[1] {
				t.Fatalf("Backoff(%d) = %v, want %v–%v", n, d, want[0], want[1])
			}
		}
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	cases := []struct {
		at    string
		quiet bool
		until string
	}{
		{"2026-11-16 07:59", true, "2026-11-16 08:00"},
		{"2026-11-16 08:00", false, ""},
		{"2026-11-16 21:59", false, ""},
		{"2026-11-16 22:00", true, "2026-11-17 08:00"},
		{"2026-11-16 23:30", true, "2026-11-17 08:00"},
		{"2026-11-17 00:10", true, "2026-11-17 08:00"},
	}
	for _, c := range cases {
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.at, msk)
		until, quiet := notify.QuietUntil(at.UTC(), msk)
		got := ""
		if quiet {
			got = until.In(msk).Format("2006-01-02 15:04")
		}
		if quiet != c.quiet || got != c.until {
			t.Errorf("%s: quiet %v until %q, want %v %q", c.at, quiet, got, c.quiet, c.until)
		}
	}
}

func TestOldMessagesPurged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gw := newGateway(t)
	j := job(f, notify.Config{SMSURL: gw.srv.URL + "/send?to={phone}&text={text}"})
	f.file(t, "CW-05", "sms", "")
	if _, err := j.Round(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(80 * 24 * time.Hour)
	f.file(t, "CW-05", "email", "ivanov@mail.example") // waits: no mail server
	f.clock.Advance(11 * 24 * time.Hour)
	n, err := f.s.PurgeOutbox(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if got := outbox(t, f.s); !reflect.DeepEqual(got, []string{"registered email ivanov@mail.example pending"}) {
		t.Errorf("after purge %v", got)
	}
}
