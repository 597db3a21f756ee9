package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

func TestFiguresAndPublicTickets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := apptest.Now
	// Three fixed and confirmed (in 2 h, 5 h and 30 h; the norm is 24 h), one still
	// open and overdue, one cancelled.
	var numbers []string
	for _, fix := range []time.Duration{2 * time.Hour, 5 * time.Hour, 30 * time.Hour} {
		f.clock.Set(start)
		tk := f.file(t, f.operator, "ROOF-01")
		f.act(t, f.disp, tk.Number, app.ActionAccept, "")
		f.clock.Set(start.Add(fix))
		f.act(t, f.disp, tk.Number, app.ActionDone, "")
		f.clock.Set(start.Add(fix + time.Hour))
		f.act(t, f.operator, tk.Number, app.ActionConfirm, "")
		numbers = append(numbers, tk.Number)
	}
	f.clock.Set(start)
	open := f.file(t, f.operator, "ROOF-01")
	gone := f.file(t, f.operator, "ROOF-01")
	f.act(t, f.operator, gone.Number, app.ActionCancel, "дубль")
	f.clock.Set(start.Add(48 * time.Hour))

	fig, err := f.s.Figures(ctx, 0, start.Add(-time.Hour), start.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := app.Figures{Registered: 5, Closed: 3, ClosedOnTime: 2, MedianFix: 5 * time.Hour, Open: 1, Overdue: 1}
	if fig != want {
		t.Errorf("figures %+v, want %+v", fig, want)
	}
	if fig.OnTimeShare() != 67 {
		t.Errorf("on-time share %d", fig.OnTimeShare())
	}
	// Another organisation's figures are empty; a period before is empty.
	if fig, _ := f.s.Figures(ctx, f.org.ID+1, start.Add(-time.Hour), start.Add(72*time.Hour)); fig.Registered != 0 || fig.OnTimeShare() != -1 {
		t.Errorf("other organisation: %+v", fig)
	}

	list, next, err := f.s.PublicTickets(ctx, store.PublicFilter{BuildingID: f.building.ID, Limit: 4})
	if err != nil || len(list) != 4 || next == "" {
		t.Fatalf("public list: %d items, next %q, %v", len(list), next, err)
	}
	now := f.clock.Now()
	got := map[string]app.Timeliness{}
	for _, p := range list {
		got[p.Number] = p.Timeliness(now)
	}
	rest, next2, err := f.s.PublicTickets(ctx, store.PublicFilter{BuildingID: f.building.ID, Limit: 4, After: next})
	if err != nil || len(rest) != 1 || next2 != "" {
		t.Fatalf("second page: %d, %q, %v", len(rest), next2, err)
	}
	got[rest[0].Number] = rest[0].Timeliness(now)
	wantT := map[string]app.Timeliness{numbers[0]: app.OnTime, numbers[1]: app.OnTime, numbers[2]: app.Late, open.Number: app.Overdue, gone.Number: app.NotCount}
	for n, w := range wantT {
		if got[n] != w {
			t.Errorf("%s: %s, want %s", n, got[n], w)
		}
	}
	if _, _, err := f.s.PublicTickets(ctx, store.PublicFilter{}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("unfiltered public list: %v", err)
	}
}

func TestRegisterResident(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := &app.User{Name: " Ольга ", Phone: "8 (912) 555-44-33"}
	if err := f.s.RegisterResident(ctx, u, "пароль-ольги", "текст согласия", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if u.Login != "+79125554433" || u.Role != app.RoleResident || u.Name != "Ольга" {
		t.Errorf("registered %+v", u)
	}
	if _, err := f.s.Authenticate(ctx, "+79125554433", "пароль-ольги"); err != nil {
		t.Error(err)
	}
	cases := []struct {
		name, phone, password, consent, field string
		code                                  string
	}{
		{"same phone", "+7 912 555 44 33", "пароль-ольги", "да", "phone", app.ECONFLICT},
		{"no consent", "89125554400", "пароль-ольги", "", "consent", app.EINVALID},
		{"bad phone", "555", "пароль-ольги", "да", "phone", app.EINVALID},
		{"short password", "89125554400", "123", "да", "password", app.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := f.s.RegisterResident(ctx, &app.User{Name: "Кто-то", Phone: c.phone}, c.password, c.consent, "")
			if app.ErrorCode(err) != c.code || app.ErrorFields(err)[c.field] == "" {
				t.Errorf("err %v (fields %v), want %s on %s", err, app.ErrorFields(err), c.code, c.field)
			}
		})
	}
}

func TestAttachmentsAreScoped(t *testing.T) {
	f := newFixture(t)
	ctx := apptest.As(f.resident)
	tk, err := f.s.FileTicket(ctx, app.NewTicket{BuildingID: f.building.ID, Apartment: "3", WorkType: "ROOF-01", Description: "Течёт"},
		[]*app.Attachment{{File: "a.jpg", Thumb: "a_t.jpg", Width: 10, Height: 10, Bytes: 100}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.s.Attachments(ctx, tk.Number)
	if err != nil || len(list) != 1 || list[0].Kind != app.AttachReport {
		t.Fatalf("resident's attachments: %v %v", list, err)
	}
	if _, err := f.s.Attachment(ctx, list[0].ID); err != nil {
		t.Errorf("owner: %v", err)
	}
	other := &app.User{Login: "other", Role: app.RoleResident}
	if err := f.s.CreateUser(context.Background(), other, "password1"); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]context.Context{"another resident": apptest.As(other), "anonymous": context.Background()} {
		if _, err := f.s.Attachment(c, list[0].ID); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The organisation it was routed to at filing adds photos with done in one step;
	// a third batch over the limit is refused whole.
	f.act(t, f.disp, tk.Number, app.ActionAccept, "")
	three := func() []*app.Attachment {
		return []*app.Attachment{{File: "d1"}, {File: "d2"}, {File: "d3"}}
	}
	if err := f.s.AddAttachments(apptest.As(f.disp), tk.Number, app.AttachDone, three(), true, "готово"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.Ticket(apptest.As(f.disp), tk.Number); got.Status != app.StatusDone {
		t.Errorf("status %s", got.Status)
	}
	if err := f.s.AddAttachments(apptest.As(f.disp), tk.Number, app.AttachDone, append(three(), three()[0]), false, ""); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("over the limit: %v", err)
	}
	if list, _ := f.s.Attachments(ctx, tk.Number); len(list) != 4 {
		t.Errorf("%d attachments", len(list))
	}
}

// BenchmarkFigures measures the public figures of one month over a million
// tickets: the whole municipality (home page) and one organisation (its page).
// Run with -bench; the first run builds the bulk database.
func BenchmarkFigures(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	ctx := context.Background()
	loc := s.Municipality(ctx).Location
	now := apptest.Now.In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	for _, org := range []int64{0, 3} {
		b.Run(map[bool]string{true: "all", false: "org"}[org == 0], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Figures(ctx, org, from, from.AddDate(0, 1, 0)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPublicTicketsBuilding measures a building page's list over a million tickets.
func BenchmarkPublicTicketsBuilding(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.PublicTickets(ctx, store.PublicFilter{BuildingID: int64(1 + i%apptest.BulkBuildings), Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}
