package store_test

import (
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// TestLocalize: the contract of the localize action — who, when, what it records,
// and each refusal changing nothing.
func TestLocalize(t *testing.T) {
	f := newFixture(t)
	other := &app.User{Login: "other", Role: app.RoleOrg}
	err := f.s.Write(t.Context(), func(tx *store.Tx) error {
		o := &app.Organization{Name: "УК Другая", Kind: app.OrgManagement}
		if err := tx.SaveOrganization(o); err != nil {
			return err
		}
		other.OrganizationID = o.ID
		return tx.CreateUser(other, "password1")
	})
	if err != nil {
		t.Fatal(err)
	}
	riser := f.file(t, f.operator, "CW-01") // burst riser: 30 minutes to localise
	if want := apptest.Now.Add(30 * time.Minute); !riser.LocalizeDueAt.Equal(want) || !riser.AcceptDueAt.Equal(want) {
		t.Fatalf("CW-01 localise by %v, accept by %v; want both %v", riser.LocalizeDueAt, riser.AcceptDueAt, want)
	}
	tap := f.file(t, f.operator, "CW-05")
	if !tap.LocalizeDueAt.IsZero() {
		t.Fatalf("a tap has no localisation clock: %v", tap.LocalizeDueAt)
	}
	refuse := func(u *app.User, number, note, code string) {
		t.Helper()
		before, _ := f.s.Ticket(apptest.As(f.operator), number)
		_, err := f.s.Act(apptest.As(u), number, app.ActionLocalize, store.ActInput{Note: note})
		if app.ErrorCode(err) != code {
			t.Errorf("%s localize %s (%q): %v, want %s", u.Login, number, note, err, code)
		}
		after, _ := f.s.Ticket(apptest.As(f.operator), number)
		if after.Version != before.Version || !after.LocalizedAt.Equal(before.LocalizedAt) {
			t.Errorf("a refused localize changed %s: version %d → %d", number, before.Version, after.Version)
		}
	}
	refuse(f.disp, tap.Number, "Перекрыли кран", app.ECONFLICT)   // no clock
	refuse(f.disp, riser.Number, "  ", app.EINVALID)              // no note
	refuse(other, riser.Number, "Перекрыли стояк", app.ENOTFOUND) // another organisation's
	refuse(f.resident, riser.Number, "Перекрыли стояк", app.ENOTFOUND)

	f.clock.Advance(42 * time.Minute) // twelve minutes late
	got := f.act(t, f.disp, riser.Number, app.ActionLocalize, "Перекрыт стояк ХВС в подвале")
	if got.Status != app.StatusRouted || !got.LocalizedAt.Equal(apptest.Now.Add(42*time.Minute)) || !got.LocalizedLate() {
		t.Errorf("localised: status %s at %v late %v", got.Status, got.LocalizedAt, got.LocalizedLate())
	}
	refuse(f.disp, riser.Number, "Ещё раз", app.ECONFLICT) // twice
	evs, err := f.s.Events(apptest.As(f.operator), riser.Number)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Action != app.ActionLocalize || last.Note != "Перекрыт стояк ХВС в подвале" || last.Actor != "disp" || last.From != app.StatusRouted || last.To != app.StatusRouted {
		t.Errorf("audit: %+v", last)
	}

	// The operator records the organisation's report taken by phone, after acceptance.
	pipe := f.file(t, f.operator, "SEW-02")
	f.act(t, f.disp, pipe.Number, app.ActionAccept, "")
	got = f.act(t, f.operator, pipe.Number, app.ActionLocalize, "Слесарь перекрыл задвижку")
	if got.Status != app.StatusAccepted || got.LocalizedLate() {
		t.Errorf("operator's localize: %s late %v", got.Status, got.LocalizedLate())
	}
	evs, _ = f.s.Events(apptest.As(f.operator), pipe.Number)
	if n := evs[len(evs)-1].Note; n != "Со слов организации «УК Тест»: Слесарь перекрыл задвижку" {
		t.Errorf("operator's note %q", n)
	}
	// Done work cannot be localised any more.
	pipe2 := f.file(t, f.operator, "HEAT-01")
	f.act(t, f.disp, pipe2.Number, app.ActionAccept, "")
	f.act(t, f.disp, pipe2.Number, app.ActionDone, "Заменили участок")
	refuse(f.disp, pipe2.Number, "Перекрыли", app.ECONFLICT)
}
