package retention_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/retention"
	"github.com/ecoz/ecoz/app/store"
	_ "modernc.org/sqlite"
)

// TestRetentionAnonymisesExactlyThePast: with the default three years, the
// nightly job anonymises the finished tickets closed more than three years ago
// — and only those: not one closed a second later, not an old ticket still
// open or awaiting confirmation. What the rating counts stays; the trail says
// what was done; the photos' files are gone; a second run changes nothing.
func TestRetentionAnonymisesExactlyThePast(t *testing.T) {
	s, clock := apptest.Open(t)
	ctx := context.Background()
	now := apptest.Now
	cutoff := now.AddDate(-3, 0, 0)
	var op, disp, res *app.User
	var building *app.Building
	err := s.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(store.SetMunicipalityCode, "TST"); err != nil {
			return err
		}
		org := &app.Organization{Name: "УК Тест", Kind: app.OrgManagement}
		if err := tx.SaveOrganization(org); err != nil {
			return err
		}
		building = &app.Building{Address: "ул. Ленина, д. 5", OrganizationID: org.ID, Apartments: 40}
		if err := tx.SaveBuilding(building); err != nil {
			return err
		}
		op = &app.User{Login: "op", Role: app.RoleOperator}
		disp = &app.User{Login: "disp", Role: app.RoleOrg, OrganizationID: org.ID}
		res = &app.User{Login: "+79121112233", Role: app.RoleResident, Phone: "+79121112233", Name: "Жительница"}
		for _, u := range []*app.User{op, disp, res} {
			if err := tx.CreateUser(u, "password1"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	act := func(at time.Time, u *app.User, number string, a app.Action, note string) {
		t.Helper()
		clock.Set(at)
		if _, err := s.Act(apptest.As(u), number, a, store.ActInput{Note: note}); err != nil {
			t.Fatalf("%s %s: %v", a, number, err)
		}
	}
	// file files a ticket at filed; finish takes it to closed (or cancelled) at end.
	file := func(by *app.User, filed time.Time) string {
		t.Helper()
		clock.Set(filed)
		tk, _, err := s.CreateTicket(apptest.As(by), app.NewTicket{BuildingID: building.ID, Apartment: "17", WorkType: "CW-05",
			Description: "Течёт кран, Сидоров, звонить 8.912.555.44.33", ReporterName: "Сидоров Пётр", ReporterPhone: "+79125554433",
			Notify: "email", ReporterEmail: "sidorov@example.ru"})
		if err != nil {
			t.Fatal(err)
		}
		return tk.Number
	}
	closeAt := func(number string, filed, closed time.Time) {
		act(filed.Add(time.Hour), disp, number, app.ActionAccept, "")
		act(filed.Add(2*time.Hour), disp, number, app.ActionDone, "Заменили кран")
		act(closed, op, number, app.ActionComment, "Звонил Сидоров, доволен")
		act(closed, op, number, app.ActionConfirm, "")
	}
	old := cutoff.AddDate(-1, 0, 0)
	a := file(op, old)
	closeAt(a, old, cutoff.Add(-time.Second)) // closed a second before the limit: past
	b := file(op, old)
	closeAt(b, old, cutoff.Add(time.Second)) // a second after: kept
	c := file(op, old)
	act(old.Add(time.Hour), op, c, app.ActionCancel, "Дубль, Сидоров звонил дважды") // cancelled long ago: past
	d := file(op, old)                                                               // still open after four years: kept
	e := file(op, old)
	act(old.Add(time.Hour), disp, e, app.ActionAccept, "")
	act(old.Add(2*time.Hour), disp, e, app.ActionDone, "") // done, never confirmed: kept
	f := file(res, old)                                    // filed by the resident from the portal, with a photo
	clock.Set(old.Add(time.Minute))
	if err := s.AddAttachments(apptest.As(res), f, app.AttachReport, []*app.Attachment{{File: "2022/11/abc.jpg", Thumb: "2022/11/abc_t.jpg", Width: 10, Height: 10, Bytes: 100}}, false, ""); err != nil {
		t.Fatal(err)
	}
	act(old.Add(2*time.Minute), res, f, app.ActionComment, "Я дома после 18, кв. 17")
	if st := get0(t, s, f); st == app.StatusNew {
		act(old.Add(3*time.Minute), op, f, app.ActionRoute, "")
	}
	closeAt(f, old, old.AddDate(0, 1, 0))
	uploads := t.TempDir()
	for _, p := range []string{"2022/11/abc.jpg", "2022/11/abc_t.jpg"} {
		os.MkdirAll(filepath.Join(uploads, "2022", "11"), 0o750)
		os.WriteFile(filepath.Join(uploads, filepath.FromSlash(p)), []byte("jpeg"), 0o640)
	}
	clock.Set(now)

	job := &retention.Job{Store: s, Uploads: uploads, Log: apptest.Logger(t)}
	n, err := job.RunOnce(ctx, now)
	if err != nil || n != 3 {
		t.Fatalf("anonymised %d (%v), want 3: %s, %s, %s", n, err, a, c, f)
	}
	db, err := sql.Open("sqlite", s.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type row struct {
		status, apartment, description, name, phone string
		resident                                    sql.NullInt64
		closed                                      sql.NullInt64
		org                                         sql.NullInt64
	}
	get := func(number string) row {
		var r row
		if err := db.QueryRow("SELECT status, apartment, description, reporter_name, reporter_phone, resident_id, closed_at, organization_id FROM tickets WHERE number = ?", number).
			Scan(&r.status, &r.apartment, &r.description, &r.name, &r.phone, &r.resident, &r.closed, &r.org); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, number := range []string{a, c, f} {
		r := get(number)
		if r.apartment != "" || r.name != "" || r.phone != "" || r.description != app.AnonymizedText || r.resident.Valid {
			t.Errorf("%s not anonymised: %+v", number, r)
		}
		var notes, anon int
		db.QueryRow("SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? AND e.note != '' AND e.action != 'anonymize'", number).Scan(&notes)
		db.QueryRow("SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? AND e.action = 'anonymize' AND e.actor = 'система' AND e.note LIKE 'Истёк срок хранения персональных данных (3 года после закрытия)%'", number).Scan(&anon)
		if notes != 0 || anon != 1 {
			t.Errorf("%s: %d notes left, %d anonymise events (want 0 and 1)", number, notes, anon)
		}
		// The addresses of the resident's notifications go too.
		var addresses int
		db.QueryRow(`SELECT (SELECT count(*) FROM notify_contacts c JOIN tickets t ON t.id = c.ticket_id WHERE t.number = ?1 AND (c.phone != '' OR c.email != ''))
			+ (SELECT count(*) FROM outbox m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = ?1 AND m.recipient != '')`, number).Scan(&addresses)
		if addresses != 0 {
			t.Errorf("%s: %d notification addresses left", number, addresses)
		}
	}
	// A ticket inside the limit keeps the address its messages go to.
	var kept string
	db.QueryRow("SELECT c.email FROM notify_contacts c JOIN tickets t ON t.id = c.ticket_id WHERE t.number = ?", b).Scan(&kept)
	if kept != "sidorov@example.ru" {
		t.Errorf("%s lost its e-mail for notifications: %q", b, kept)
	}
	// What the rating counts is untouched.
	if r := get(a); r.status != "closed" || !r.closed.Valid || r.closed.Int64 != cutoff.Add(-time.Second).Unix() || !r.org.Valid {
		t.Errorf("%s lost what the rating needs: %+v", a, r)
	}
	if r := get(c); r.status != "cancelled" {
		t.Errorf("%s: status %s", c, r.status)
	}
	for _, number := range []string{b, d, e} {
		if r := get(number); r.apartment != "17" || r.name != "Сидоров Пётр" || r.phone != "+79125554433" || !strings.Contains(r.description, "Сидоров") {
			t.Errorf("%s was anonymised before its time: %+v", number, r)
		}
	}
	var residentActor, photos int
	db.QueryRow("SELECT count(*) FROM ticket_events WHERE actor = ?", res.Login).Scan(&residentActor)
	db.QueryRow("SELECT count(*) FROM attachments").Scan(&photos)
	if residentActor != 0 || photos != 0 {
		t.Errorf("the resident's login (their phone) left in %d events, %d photo rows", residentActor, photos)
	}
	if _, err := os.Stat(filepath.Join(uploads, "2022", "11", "abc.jpg")); !os.IsNotExist(err) {
		t.Errorf("the photo's file is still there: %v", err)
	}
	if n, err := job.RunOnce(ctx, now); err != nil || n != 0 {
		t.Fatalf("second run: %d %v, want 0", n, err)
	}
	// A second past the next closure's limit, that one goes too.
	if n, err := job.RunOnce(ctx, now.Add(2*time.Second)); err != nil || n != 1 || get(b).name != "" {
		t.Fatalf("a second later: %d %v, want %s anonymised", n, err, b)
	}
}

func get0(t *testing.T, s *store.Store, number string) app.Status {
	t.Helper()
	tk, err := s.Ticket(apptest.As(&app.User{Role: app.RoleOperator}), number)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Status
}
