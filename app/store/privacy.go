package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/ecoz/ecoz/app"
)

// RetentionYears is how long after closure personal data is kept (setting).
func (s *Store) RetentionYears(ctx context.Context) int {
	n, err := strconv.Atoi(s.Setting(ctx, SetRetentionYears))
	if err != nil || n < 1 {
		return app.DefaultRetentionYears
	}
	return n
}

// stillPersonalSQL picks tickets that hold something personal still.
const stillPersonalSQL = "(t.reporter_name != '' OR t.reporter_phone != '' OR t.apartment != '' OR t.description != '" + app.AnonymizedText + "' OR t.resident_id IS NOT NULL)"

// finalSQL picks tickets whose work is over: closed, or cancelled (a cancelled
// ticket has no closure time; its last change is when it was cancelled).
const finalSQL = "t.status IN ('closed','cancelled')"

// AnonymizeExpired anonymises up to limit closed or cancelled tickets whose
// closure lies before cutoff and which still hold personal data, in one
// transaction, as the system. It returns how many, and the photo files (relative
// to the uploads folder) whose rows it deleted: the caller removes them once the
// transaction is committed.
func (s *Store) AnonymizeExpired(ctx context.Context, cutoff time.Time, years, limit int) (int, []string, error) {
	var n int
	var files []string
	err := s.Write(ctx, func(tx *Tx) error {
		tx.SetUser(nil)
		rows, err := tx.tx.QueryContext(ctx, "SELECT t.id FROM tickets t WHERE "+finalSQL+" AND COALESCE(t.closed_at, t.updated_at) < ? AND "+stillPersonalSQL+" ORDER BY t.id LIMIT ?", unix(cutoff), limit)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("Истёк срок хранения персональных данных (%d %s после закрытия): обезличены имя, телефон, квартира, текст обращения, комментарии и фотографии.", years, yearsWord(years))
		for _, id := range ids {
			f, err := tx.anonymize(id, note)
			if err != nil {
				return err
			}
			files = append(files, f...)
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return n, files, nil
}

func yearsWord(n int) string {
	switch {
	case n%10 == 1 && n%100 != 11:
		return "год"
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return "года"
	}
	return "лет"
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// anonymize blanks everything personal of ticket id — the reporter's name,
// phone, flat and words, the link to the resident's account, every note of its
// trail (free text can name anyone) and who among residents acted — deletes its
// photos' rows, and records note in the trail. Status, times, work type,
// building and organisation stay: the rating and the reports count them.
func (tx *Tx) anonymize(id int64, note string) ([]string, error) {
	if _, err := tx.exec("UPDATE tickets SET reporter_name = '', reporter_phone = '', apartment = '', description = ?, resident_id = NULL WHERE id = ?", app.AnonymizedText, id); err != nil {
		return nil, err
	}
	if _, err := tx.exec("UPDATE ticket_events SET note = '' WHERE ticket_id = ? AND note != ''", id); err != nil {
		return nil, err
	}
	// A resident's login is their phone number.
	if _, err := tx.exec("UPDATE ticket_events SET actor = 'житель', actor_id = NULL WHERE ticket_id = ? AND actor_id IN (SELECT id FROM users WHERE role = 'resident')", id); err != nil {
		return nil, err
	}
	// Where the resident asked to hear about it, the addresses the messages went
	// to, and the e-mail an application (Open311) filed with it.
	for _, q := range []string{
		"UPDATE notify_contacts SET phone = '', email = '' WHERE ticket_id = ?",
		"UPDATE outbox SET recipient = '' WHERE ticket_id = ?",
		"UPDATE ticket_apps SET reporter_email = '' WHERE ticket_id = ?",
	} {
		if _, err := tx.exec(q, id); err != nil {
			return nil, err
		}
	}
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT file, thumb FROM attachments WHERE ticket_id = ?", id)
	if err != nil {
		return nil, err
	}
	var files []string
	for rows.Next() {
		var f, th string
		if err := rows.Scan(&f, &th); err != nil {
			rows.Close()
			return nil, err
		}
		files = append(files, f, th)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.exec("DELETE FROM attachments WHERE ticket_id = ?", id); err != nil {
		return nil, err
	}
	return files, tx.event(id, app.ActionAnonymize, "", "", note, false)
}

// SubjectData is everything the centre holds about one phone number, for a
// subject-access request (152-ФЗ, ст. 14).
type SubjectData struct {
	Phone    string          `json:"phone"`
	Accounts []SubjectUser   `json:"accounts"`
	Tickets  []SubjectTicket `json:"tickets"`
}

// SubjectUser is a resident's account with that phone and its consents.
type SubjectUser struct {
	Login     string           `json:"login"`
	Name      string           `json:"name"`
	CreatedAt time.Time        `json:"created_at"`
	Consents  []SubjectConsent `json:"consents"`
}

// SubjectConsent is one consent given at registration.
type SubjectConsent struct {
	At   time.Time `json:"at"`
	IP   string    `json:"ip"`
	Text string    `json:"text"`
}

// SubjectTicket is a ticket filed from that phone or by that account, with its
// trail and photos.
type SubjectTicket struct {
	Number      string         `json:"number"`
	Status      app.Status     `json:"status"`
	CreatedAt   time.Time      `json:"created_at"`
	ClosedAt    *time.Time     `json:"closed_at"`
	Address     string         `json:"address"`
	Apartment   string         `json:"apartment"`
	WorkType    string         `json:"work_type"`
	Description string         `json:"description"`
	Name        string         `json:"reporter_name"`
	Phone       string         `json:"reporter_phone"`
	Events      []SubjectEvent `json:"events"`
	Photos      []string       `json:"photos"`
}

// SubjectEvent is one entry of a ticket's trail.
type SubjectEvent struct {
	At     time.Time  `json:"at"`
	Actor  string     `json:"actor"`
	Action app.Action `json:"action"`
	Note   string     `json:"note"`
}

// subjectTicketsSQL picks the tickets of a phone: filed with it, or by a
// resident account registered with it.
const subjectTicketsSQL = "(t.reporter_phone = ? OR t.resident_id IN (SELECT id FROM users WHERE role = 'resident' AND phone = ?))"

// PersonalData gathers everything held about phone (any spelling of it).
func (s *Store) PersonalData(ctx context.Context, phone string) (*SubjectData, error) {
	p, err := app.NormalizePhone(phone)
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: err.Error(), Fields: map[string]string{"phone": err.Error()}}
	}
	out := &SubjectData{Phone: p, Accounts: []SubjectUser{}, Tickets: []SubjectTicket{}}
	rows, err := s.r.QueryContext(ctx, "SELECT id, login, name, created_at FROM users WHERE role = 'resident' AND phone = ? ORDER BY id", p)
	if err != nil {
		return nil, err
	}
	var userIDs []int64
	for rows.Next() {
		var id, at int64
		var u SubjectUser
		if err := rows.Scan(&id, &u.Login, &u.Name, &at); err != nil {
			rows.Close()
			return nil, err
		}
		u.CreatedAt, u.Consents = time.Unix(at, 0).UTC(), []SubjectConsent{}
		userIDs = append(userIDs, id)
		out.Accounts = append(out.Accounts, u)
	}
	rows.Close()
	for i, id := range userIDs {
		err := s.each(ctx, "SELECT at, ip, text FROM consents WHERE user_id = ? ORDER BY id", []any{id}, func(scan func(...any) error) error {
			var c SubjectConsent
			var at int64
			if err := scan(&at, &c.IP, &c.Text); err != nil {
				return err
			}
			c.At = time.Unix(at, 0).UTC()
			out.Accounts[i].Consents = append(out.Accounts[i].Consents, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	trows, err := s.r.QueryContext(ctx, ticketSelect+" WHERE "+subjectTicketsSQL+" ORDER BY t.id", p, p)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for trows.Next() {
		t, err := scanTicket(trows)
		if err != nil {
			trows.Close()
			return nil, err
		}
		st := SubjectTicket{Number: t.Number, Status: t.Status, CreatedAt: t.CreatedAt, Address: t.Address, Apartment: t.Apartment,
			WorkType: t.WorkType.Name, Description: t.Description, Name: t.ReporterName, Phone: t.ReporterPhone, Events: []SubjectEvent{}, Photos: []string{}}
		if !t.ClosedAt.IsZero() {
			c := t.ClosedAt
			st.ClosedAt = &c
		}
		ids = append(ids, t.ID)
		out.Tickets = append(out.Tickets, st)
	}
	trows.Close()
	for i, id := range ids {
		err := s.each(ctx, "SELECT at, actor, action, note FROM ticket_events WHERE ticket_id = ? ORDER BY id", []any{id}, func(scan func(...any) error) error {
			var e SubjectEvent
			var at int64
			if err := scan(&at, &e.Actor, &e.Action, &e.Note); err != nil {
				return err
			}
			e.At = time.Unix(at, 0).UTC()
			out.Tickets[i].Events = append(out.Tickets[i].Events, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = s.each(ctx, "SELECT file FROM attachments WHERE ticket_id = ? ORDER BY id", []any{id}, func(scan func(...any) error) error {
			var f string
			if err := scan(&f); err != nil {
				return err
			}
			out.Tickets[i].Photos = append(out.Tickets[i].Photos, f)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AnonymizePhone anonymises, on the resident's request, every finished
// (closed or cancelled) ticket of phone, acting as the user in ctx (an
// administrator), and returns how many, the photo files to remove, and the
// numbers of the tickets still being worked on: those keep the contacts the
// organisation needs until they are finished.
func (s *Store) AnonymizePhone(ctx context.Context, phone string) (int, []string, []string, error) {
	p, err := app.NormalizePhone(phone)
	if err != nil {
		return 0, nil, nil, &app.Error{Code: app.EINVALID, Message: err.Error(), Fields: map[string]string{"phone": err.Error()}}
	}
	var n int
	var files, open []string
	err = s.Write(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, "SELECT t.id, t.number, "+finalSQL+" FROM tickets t WHERE "+subjectTicketsSQL+" AND "+stillPersonalSQL+" ORDER BY t.id", p, p)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var number string
			var final bool
			if err := rows.Scan(&id, &number, &final); err != nil {
				rows.Close()
				return err
			}
			if final {
				ids = append(ids, id)
			} else {
				open = append(open, number)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			f, err := tx.anonymize(id, "По запросу субъекта персональных данных: обезличены имя, телефон, квартира, текст обращения, комментарии и фотографии.")
			if err != nil {
				return err
			}
			files = append(files, f...)
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, nil, nil, err
	}
	return n, files, open, nil
}
