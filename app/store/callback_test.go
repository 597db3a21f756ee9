package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// doneTicket files a tap (as the resident on the portal) and has the
// organisation do it.
func (f *fixture) doneTicket(t *testing.T) *app.Ticket {
	t.Helper()
	tk := f.file(t, f.resident, "CW-05")
	f.act(t, f.disp, tk.Number, app.ActionAccept, "")
	return f.act(t, f.disp, tk.Number, app.ActionDone, "Заменили кран-буксу")
}

func (f *fixture) operator2(t *testing.T) *app.User {
	t.Helper()
	u := &app.User{Login: "ivanova", Name: "Иванова А. С.", Role: app.RoleOperator}
	if err := f.s.CreateUser(context.Background(), u, "password1"); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) callbackQueue(t *testing.T, filter store.TicketFilter) []string {
	t.Helper()
	list, _, err := f.s.Tickets(apptest.As(f.operator), filter)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tk := range list {
		out = append(out, tk.Number)
	}
	return out
}

func TestClaimKeepsColleaguesOff(t *testing.T) {
	f := newFixture(t)
	ivanova := f.operator2(t)
	tk := f.doneTicket(t)
	claimed, err := f.s.Act(apptest.As(ivanova), tk.Number, app.ActionClaim, store.ActInput{})
	if err != nil || claimed.Callback.ClaimedBy != ivanova.ID || !claimed.Callback.ClaimedUntil.Equal(apptest.Now.Add(10*time.Minute)) {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	if claimed.Version != tk.Version {
		t.Errorf("a claim made a new version %d→%d", tk.Version, claimed.Version)
	}
	// The other operator sees who is calling and can neither claim nor record a call.
	seen, _ := f.s.Ticket(apptest.As(f.operator), tk.Number)
	if !seen.ClaimedByOther(f.operator, apptest.Now) || seen.Callback.ClaimedByName != "Иванова А. С." {
		t.Fatalf("colleague sees %+v", seen.Callback)
	}
	for _, a := range []app.Action{app.ActionClaim, app.ActionCallFailed, app.ActionConfirm} {
		_, err := f.s.Act(apptest.As(f.operator), tk.Number, a, store.ActInput{})
		if app.ErrorCode(err) != app.ECONFLICT || app.ErrorMessage(err) != "Жителю по заявке TST-000001 уже звонит Иванова А. С. (до 12:10). Возьмите другую заявку." {
			t.Errorf("%s over a colleague's claim: %v", a, err)
		}
	}
	// After ten minutes the claim lapses and the colleague may take it.
	f.clock.Advance(10*time.Minute + time.Second)
	if _, err := f.s.Act(apptest.As(f.operator), tk.Number, app.ActionClaim, store.ActInput{}); err != nil {
		t.Fatalf("claim after the lapse: %v", err)
	}
	// A ticket not waiting for a callback cannot be claimed.
	other := f.file(t, f.operator, "ROOF-01")
	if _, err := f.s.Act(apptest.As(f.operator), other.Number, app.ActionClaim, store.ActInput{}); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("claim of a routed ticket: %v", err)
	}
}

// TestTwoOperatorsClaimAtOnce: of two operators reaching for the same callback at
// the same moment, exactly one gets it.
func TestTwoOperatorsClaimAtOnce(t *testing.T) {
	f := newFixture(t)
	ivanova := f.operator2(t)
	for round := 0; round < 20; round++ {
		tk := f.doneTicket(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, u := range []*app.User{f.operator, ivanova} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.s.Act(apptest.As(u), tk.Number, app.ActionClaim, store.ActInput{})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch app.ErrorCode(err) {
			case "":
				won++
			case app.ECONFLICT:
			default:
				t.Fatalf("claim: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d operators got the callback (%v)", round, won, errs)
		}
	}
}

func TestCallFailedSchedulesAndGivesUp(t *testing.T) {
	f := newFixture(t)
	tk := f.doneTicket(t)
	op := apptest.As(f.operator)
	due := store.TicketFilter{CallbackDue: true}
	if q := f.callbackQueue(t, due); len(q) != 1 || q[0] != tk.Number {
		t.Fatalf("callback queue %v", q)
	}
	// «Перезвонить в 18:30» (15:30 UTC): bad times are refused and change nothing.
	for _, bad := range []time.Time{apptest.Now.Add(-time.Hour), apptest.Now.Add(31 * 24 * time.Hour)} {
		_, err := f.s.Act(op, tk.Number, app.ActionCallFailed, store.ActInput{RetryAt: bad})
		if app.ErrorCode(err) != app.EINVALID || app.ErrorFields(err)["retry_at"] == "" {
			t.Errorf("retry at %v: %v", bad, err)
		}
	}
	retry := time.Date(2026, 11, 16, 15, 30, 0, 0, time.UTC)
	got, err := f.s.Act(op, tk.Number, app.ActionCallFailed, store.ActInput{RetryAt: retry})
	if err != nil || got.CallAttempts != 1 || !got.Callback.RetryAt.Equal(retry) || !got.Callback.LastCallAt.Equal(apptest.Now) {
		t.Fatalf("call failed: %+v %v", got, err)
	}
	if q := f.callbackQueue(t, due); len(q) != 0 {
		t.Fatalf("scheduled callback still in the queue: %v", q)
	}
	f.clock.Set(retry)
	if q := f.callbackQueue(t, due); len(q) != 1 {
		t.Fatalf("callback did not come back at 18:30: %v", q)
	}
	// Two more failures the same day: three attempts, but all on one day.
	f.act(t, f.operator, tk.Number, app.ActionCallFailed, "")
	f.clock.Advance(time.Hour)
	got = f.act(t, f.operator, tk.Number, app.ActionCallFailed, "")
	if got.CallAttempts != 3 || !got.Callback.FailedAt.IsZero() {
		t.Fatalf("three attempts in one day gave up: %+v", got.Callback)
	}
	// The next day's attempt makes it «Не удалось связаться»: still done.
	f.clock.Advance(20 * time.Hour)
	got = f.act(t, f.operator, tk.Number, app.ActionCallFailed, "")
	if got.Status != app.StatusDone || got.Callback.FailedAt.IsZero() || got.CallAttempts != 4 {
		t.Fatalf("after the fourth attempt on the second day: %s %+v", got.Status, got.Callback)
	}
	if q := f.callbackQueue(t, due); len(q) != 0 {
		t.Errorf("given-up ticket still in the callback queue: %v", q)
	}
	if q := f.callbackQueue(t, store.TicketFilter{CallbackFailed: true}); len(q) != 1 || q[0] != tk.Number {
		t.Errorf("«Не удалось связаться» %v", q)
	}
	// The resident can still confirm on the portal, and only that closes it.
	closed := f.act(t, f.resident, tk.Number, app.ActionConfirm, "")
	if closed.Status != app.StatusClosed {
		t.Fatalf("resident's confirmation: %s", closed.Status)
	}
}
