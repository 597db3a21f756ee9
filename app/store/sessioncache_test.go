package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// TestSessionsEndWhateverIsKept: the store keeps the sessions requests present
// (sessionCache), and nothing that ends a session or changes its user waits for
// the cache: a sign-out, a user disabled, a new password, a role changed, the
// expiry, a session asked for as another kind. Every step looks the session up
// twice first, so that it is kept.
func TestSessionsEndWhateverIsKept(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open := func(kind string) string {
		t.Helper()
		sess, err := f.s.CreateSession(ctx, f.operator, kind, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			got, err := f.s.SessionUser(ctx, sess.Token, kind)
			if err != nil || got.User.ID != f.operator.ID || got.CSRF != sess.CSRF {
				t.Fatalf("a new session: %+v, %v", got, err)
			}
		}
		return sess.Token
	}
	ended := func(step, token, kind string) {
		t.Helper()
		if got, err := f.s.SessionUser(ctx, token, kind); app.ErrorCode(err) != app.EUNAUTHORIZED {
			t.Errorf("%s: the session still opens (%+v, %v)", step, got, err)
		}
	}
	update := func(up store.UserUpdate) {
		t.Helper()
		if err := f.s.UpdateUser(ctx, f.operator.ID, up); err != nil {
			t.Fatal(err)
		}
	}

	tok := open("web")
	ended("asked for as an API token", tok, "api")
	if err := f.s.DeleteSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	ended("signed out", tok, "web")

	tok = open("api")
	update(store.UserUpdate{Name: "Старший оператор", Role: app.RoleSupervisor})
	got, err := f.s.SessionUser(ctx, tok, "api")
	if err != nil || got.User.Role != app.RoleSupervisor || got.User.Name != "Старший оператор" {
		t.Fatalf("after the role changed: %+v, %v", got, err)
	}
	update(store.UserUpdate{Name: "Старший оператор", Role: app.RoleOperator, Disabled: true})
	ended("the user disabled", tok, "api")
	update(store.UserUpdate{Name: "Старший оператор", Role: app.RoleOperator})

	tok = open("web")
	update(store.UserUpdate{Name: "Старший оператор", Role: app.RoleOperator, Password: "new-password-2"})
	ended("a new password", tok, "web")

	tok = open("web")
	f.clock.Advance(time.Hour)
	ended("expired", tok, "web")
}
