package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// addOperator adds a second operator with a name colleagues know, signed in to the API.
func (f *fixture) addOperator(t *testing.T, login, name string) {
	t.Helper()
	u := &app.User{Login: login, Name: name, Role: app.RoleOperator}
	if err := f.s.CreateUser(context.Background(), u, login+"-pass"); err != nil {
		t.Fatal(err)
	}
	sess, err := f.s.CreateSession(context.Background(), u, "api", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.users[login], f.tokens[login] = u, sess.Token
}

// doneAtLenina files a tap at Ленина 5 as the resident and has «УК Север» do it.
func (f *fixture) doneAtLenina(t *testing.T) ticket {
	t.Helper()
	tk := f.file(t, "resident", f.newTicket("CW-05"))
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
	return f.act(t, "org", tk.Number, app.ActionDone, nil)
}

func TestCallbackAPI(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, "ivanova", "Иванова А. С.")
	tk := f.doneAtLenina(t)
	got := f.act(t, "ivanova", tk.Number, app.ActionClaim, nil)
	if got.Callback == nil || got.Callback.ClaimedBy == nil || *got.Callback.ClaimedBy != "Иванова А. С." || *got.Callback.ClaimedUntil != "2026-11-16T12:10:00+03:00" {
		t.Fatalf("claim: %+v", got.Callback)
	}
	// A colleague sees who is calling and gets a conflict.
	r := f.do(t, "operator", "GET", "/api/v1/tickets/"+tk.Number, nil)
	var seen ticket
	r.decode(t, &seen)
	if seen.Callback == nil || seen.Callback.ClaimedBy == nil || *seen.Callback.ClaimedBy != "Иванова А. С." {
		t.Fatalf("colleague sees %+v", seen.Callback)
	}
	if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+tk.Number+"/claim", nil); r.Status != 409 || !strings.Contains(r.err(t).Error.Message, "уже звонит Иванова А. С.") {
		t.Errorf("second claim: %d %s", r.Status, r.Body)
	}
	// The resident and the organisation see no callback at all.
	for _, login := range []string{"resident", "org"} {
		var other ticket
		f.do(t, login, "GET", "/api/v1/tickets/"+tk.Number, nil).decode(t, &other)
		if other.Callback != nil {
			t.Errorf("%s sees the callback: %+v", login, other.Callback)
		}
	}
	// Bad retry times: the contract's errors, nothing changed.
	for _, bad := range []string{"2026-11-16T11:00:00+03:00", "2026-12-17T12:00:00+03:00", "завтра"} {
		r := f.do(t, "ivanova", "POST", "/api/v1/tickets/"+tk.Number+"/call-failed", map[string]string{"retry_at": bad})
		if r.Status != 400 || r.err(t).Error.Fields["retry_at"] == "" {
			t.Errorf("retry_at %q: %d %s", bad, r.Status, r.Body)
		}
	}
	got = f.act(t, "ivanova", tk.Number, app.ActionCallFailed, map[string]string{"retry_at": "2026-11-16T18:30:00+03:00"})
	if got.CallAttempts != 1 || got.Callback.RetryAt == nil || *got.Callback.RetryAt != "2026-11-16T18:30:00+03:00" || got.Callback.ClaimedBy != nil || *got.Callback.LastCallAt != "2026-11-16T12:00:00+03:00" {
		t.Fatalf("call failed: attempts %d %+v", got.CallAttempts, got.Callback)
	}
	// Not waiting for a callback: a routed ticket cannot be claimed.
	routed := f.file(t, "operator", f.newTicket("ROOF-01"))
	if r := f.do(t, "operator", "POST", "/api/v1/tickets/"+routed.Number+"/claim", nil); r.Status != 409 {
		t.Errorf("claim of a routed ticket: %d %s", r.Status, r.Body)
	}
}

// TestCallbackQueuePage reads the «Обзвон» tab as the operators see it: when the
// work was reported done, the attempts, the last one, who is calling.
func TestCallbackQueuePage(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, "ivanova", "Иванова А. С.")
	a := f.doneAtLenina(t)
	f.clock.Advance(time.Hour) // 13:00
	b := f.doneAtLenina(t)
	c := f.doneAtLenina(t)
	f.act(t, "ivanova", a.Number, app.ActionClaim, nil)
	f.act(t, "operator", b.Number, app.ActionCallFailed, nil)
	f.act(t, "operator", c.Number, app.ActionCallFailed, map[string]string{"retry_at": "2026-11-16T18:30:00+03:00"})

	op := f.page(t, "operator")
	_, body := op.get("/work/?q=done")
	rows := tableRows(t, body, "tickets")
	if len(rows) != 2 {
		t.Fatalf("callback queue rows %q, want %s and %s (%s is scheduled for 18:30)", rows, a.Number, b.Number, c.Number)
	}
	byNumber := map[string][]string{}
	for _, r := range rows {
		byNumber[strings.Fields(r[0])[0]] = r
	}
	// Columns: number, address, type, status, organisation, deadline, phone, done, attempts, last attempt, action.
	ra, rb := byNumber[a.Number], byNumber[b.Number]
	if ra == nil || rb == nil {
		t.Fatalf("rows %q", rows)
	}
	if ra[7] != "16.11 12:00" || ra[8] != "0" || ra[9] != "" || ra[10] != "звонит Иванова А. С." {
		t.Errorf("claimed row %q", ra)
	}
	if rb[7] != "16.11 13:00" || rb[8] != "1" || rb[9] != "16.11 13:00" || rb[10] != "Звоню" {
		t.Errorf("failed-once row %q", rb)
	}
	if !strings.Contains(body, `id="tab-done"`) || !strings.Contains(textOf(body), "Обзвон 2") {
		t.Errorf("the tab does not count 2: %q", textOf(body))
	}
	// At 18:30 the scheduled one is back.
	f.clock.Set(time.Date(2026, 11, 16, 15, 30, 0, 0, time.UTC))
	_, body = op.get("/work/?q=done")
	if rows := tableRows(t, body, "tickets"); len(rows) != 3 {
		t.Errorf("at 18:30 the queue has %d rows", len(rows))
	}
	// «Звоню» takes the operator to the call screen, and the call shows its facts.
	st, _, loc := op.post("/work/tickets/"+b.Number+"/claim", url.Values{"back": {"/work/call/" + b.Number}})
	if st != 303 || loc != "/work/call/"+b.Number {
		t.Fatalf("claim from the queue: %d %s", st, loc)
	}
	_, body = op.get(loc)
	for _, w := range []string{"Звоните вы, до 18:40", "Попыток 1 · последняя 16.11 13:00", `name="retry_at"`} {
		if !strings.Contains(textOf(body), w) && !strings.Contains(body, w) {
			t.Errorf("call screen lacks %q", w)
		}
	}
	// A bad «перезвонить в» on the form: said in Russian, the attempt not counted.
	st, body, _ = op.post("/work/tickets/"+b.Number+"/call-failed", url.Values{"screen": {"call"}, "retry_at": {"2026-11-15T10:00"}})
	if st != 400 || !strings.Contains(body, "Время повторного звонка уже прошло") {
		t.Errorf("past retry on the form: %d", st)
	}
	if got, _ := f.s.Ticket(apptest.As(f.users["operator"]), b.Number); got.CallAttempts != 1 {
		t.Errorf("refused attempt counted: %d", got.CallAttempts)
	}
}
