package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// PublicFilter selects tickets for a public list; one of BuildingID and
// OrganizationID is set.
type PublicFilter struct {
	BuildingID     int64
	OrganizationID int64
	Limit          int
	After          string // cursor: tickets older than this
}

// PublicTickets lists tickets for anyone to see, newest first, with the cursor of
// the next page. It reads only columns without personal data: no reporter, no
// apartment, no description.
func (s *Store) PublicTickets(ctx context.Context, f PublicFilter) ([]app.PublicTicket, string, error) {
	var conds []string
	var args []any
	if f.BuildingID != 0 {
		conds, args = append(conds, "t.building_id = ?"), append(args, f.BuildingID)
	}
	if f.OrganizationID != 0 {
		conds, args = append(conds, "t.organization_id = ?"), append(args, f.OrganizationID)
	}
	if len(conds) == 0 {
		return nil, "", app.Errorf(app.EINVALID, "Укажите дом или организацию.")
	}
	if f.After != "" {
		id, err := strconv.ParseInt(f.After, 10, 64)
		if err != nil || id <= 0 {
			return nil, "", app.Errorf(app.EINVALID, "Неверный курсор списка.")
		}
		conds, args = append(conds, "t.id < ?"), append(args, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.number, w.name, t.category, t.emergency, t.status, t.created_at, t.due_at, t.done_at, t.closed_at, t.done_on_time
		FROM tickets t JOIN work_types w ON w.code = t.work_type
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY t.id DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []app.PublicTicket
	var ids []int64
	for rows.Next() {
		var p app.PublicTicket
		var id, created, due int64
		var done, closed, onTime sql.NullInt64
		if err := rows.Scan(&id, &p.Number, &p.WorkType, &p.Category, &p.Emergency, &p.Status, &created, &due, &done, &closed, &onTime); err != nil {
			return nil, "", err
		}
		p.CreatedAt, p.DueAt = time.Unix(created, 0).UTC(), deadlineFromUnix(due)
		p.DoneAt, p.ClosedAt = fromUnix(done), fromUnix(closed)
		if onTime.Valid {
			b := onTime.Int64 == 1
			p.DoneOnTime = &b
		}
		out = append(out, p)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = strconv.FormatInt(ids[limit-1], 10)
	}
	return out, next, nil
}

// Figures counts the public figures of [from, to) for one organisation, or for
// all when orgID is 0. Open and Overdue are as of now.
func (s *Store) Figures(ctx context.Context, orgID int64, from, to time.Time) (app.Figures, error) {
	var f app.Figures
	// The period's queries must range over the time indexes, not walk all of an
	// organisation's (or all closed) tickets: the unary + keeps SQLite off
	// tickets_org and tickets_status for them (on a million tickets, 2 s → ms).
	org, orgOpen, args := "", "", []any{}
	if orgID != 0 {
		org, orgOpen, args = " AND +t.organization_id = ?", " AND t.organization_id = ?", []any{orgID}
	}
	period := func() []any { return append([]any{from.Unix(), to.Unix()}, args...) }
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM tickets t WHERE t.created_at >= ? AND t.created_at < ?"+org, period()...).Scan(&f.Registered); err != nil {
		return f, err
	}
	// closed_at is set only by the confirmation, which is final: no status test needed.
	closed := " FROM tickets t WHERE t.closed_at >= ? AND t.closed_at < ?" + org
	if err := s.r.QueryRowContext(ctx, "SELECT count(*), COALESCE(SUM(t.done_on_time), 0)"+closed, period()...).Scan(&f.Closed, &f.ClosedOnTime); err != nil {
		return f, err
	}
	if f.Closed > 0 {
		var secs int64
		err := s.r.QueryRowContext(ctx, "SELECT t.done_at - t.created_at AS d"+closed+" AND t.done_at IS NOT NULL ORDER BY d LIMIT 1 OFFSET ?",
			append(period(), f.Closed/2)...).Scan(&secs)
		if err != nil && err != sql.ErrNoRows {
			return f, err
		}
		f.MedianFix = time.Duration(secs) * time.Second
	}
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM tickets t WHERE "+openStatusSQL+orgOpen, args...).Scan(&f.Open); err != nil {
		return f, err
	}
	err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM tickets t WHERE "+openStatusSQL+" AND t.due_at < ?"+orgOpen, append([]any{s.Now().Unix()}, args...)...).Scan(&f.Overdue)
	return f, err
}

// RegisterResident creates a resident's account: the phone (E.164) is the login.
// consent is the text of the consent to the processing of personal data the
// resident agreed to; it is kept with the time and address.
func (s *Store) RegisterResident(ctx context.Context, u *app.User, password, consent, ip string) error {
	fe := app.FieldErrors{}
	phone, err := app.NormalizePhone(u.Phone)
	if err != nil {
		fe.Add("phone", err.Error())
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		fe.Add("name", "Укажите, как к вам обращаться.")
	}
	if err := app.ValidatePassword(password); err != nil {
		fe.Add("password", err.Error())
	}
	if strings.TrimSpace(consent) == "" {
		fe.Add("consent", "Без согласия на обработку персональных данных зарегистрироваться нельзя.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	u.Phone, u.Login, u.Role, u.OrganizationID = phone, phone, app.RoleResident, 0
	return s.Write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow("SELECT count(*) FROM users WHERE login = ?", phone).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			msg := "Этот телефон уже зарегистрирован. Войдите; если забыли пароль — позвоните в центр, оператор сбросит его."
			return &app.Error{Code: app.ECONFLICT, Message: msg, Fields: map[string]string{"phone": msg}}
		}
		if err := tx.CreateUser(u, password); err != nil {
			return err
		}
		_, err := tx.exec("INSERT INTO consents(user_id, at, ip, text) VALUES (?,?,?,?)", u.ID, unix(tx.now), ip, consent)
		return err
	})
}

// AddAttachments records photos already written to the uploads folder on the
// ticket with number, which the user in ctx must be able to see; when done is
// set, the same transaction reports the work done with note, so that the photos
// and the report arrive together or not at all.
func (s *Store) AddAttachments(ctx context.Context, number, kind string, list []*app.Attachment, done bool, note string) error {
	return s.Write(ctx, func(tx *Tx) error {
		where, args := scope(tx.user)
		var id int64
		err := tx.queryRow("SELECT t.id FROM tickets t WHERE t.number = ? AND "+where, append([]any{strings.ToUpper(strings.TrimSpace(number))}, args...)...).Scan(&id)
		if err == sql.ErrNoRows {
			return notFound(number)
		} else if err != nil {
			return err
		}
		if err := tx.attach(id, kind, list); err != nil {
			return err
		}
		if done {
			_, err := tx.Act(number, app.ActionDone, ActInput{Note: note, Public: true})
			return err
		}
		return nil
	})
}

// FileTicket is CreateTicket with the photos the reporter attached, in one
// transaction: the ticket is not registered without its photos.
func (s *Store) FileTicket(ctx context.Context, n app.NewTicket, photos []*app.Attachment) (*app.Ticket, error) {
	t, _, err := s.FileTicketOnce(ctx, n, "", photos)
	return t, err
}

// FileTicketOnce is FileTicket with an Idempotency-Key (see Tx.CreateTicketOnce):
// a repeat gets the ticket filed the first time (replay), and its photos are not
// attached a second time.
func (s *Store) FileTicketOnce(ctx context.Context, n app.NewTicket, key string, photos []*app.Attachment) (*app.Ticket, bool, error) {
	var out *app.Ticket
	var replay bool
	err := s.Write(ctx, func(tx *Tx) error {
		t, again, err := tx.CreateTicketOnce(n, key)
		if err != nil || again {
			out, replay = t, again
			return err
		}
		if err := tx.attach(t.ID, app.AttachReport, photos); err != nil {
			return err
		}
		out, err = tx.ticketBy("t.id = ?", t.ID)
		return err
	})
	return out, replay, err
}

func (tx *Tx) attach(ticketID int64, kind string, list []*app.Attachment) error {
	tx.touch(ScopeTickets)
	if len(list) == 0 {
		return nil
	}
	var have int
	if err := tx.queryRow("SELECT count(*) FROM attachments WHERE ticket_id = ? AND kind = ?", ticketID, kind).Scan(&have); err != nil {
		return err
	}
	if have+len(list) > MaxAttachments {
		msg := fmt.Sprintf("К заявке можно приложить не больше %d фотографий (уже есть %d).", MaxAttachments, have)
		return &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"photos": msg}}
	}
	var uid any
	if tx.user != nil {
		uid = tx.user.ID
	}
	for _, a := range list {
		res, err := tx.exec("INSERT INTO attachments(ticket_id, kind, file, thumb, width, height, bytes, uploaded_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
			ticketID, kind, a.File, a.Thumb, a.Width, a.Height, a.Bytes, uid, unix(tx.now))
		if err != nil {
			return err
		}
		a.ID, a.TicketID, a.Kind, a.CreatedAt = mustID(res), ticketID, kind, tx.now
	}
	return nil
}

// MaxAttachments is how many photos of each kind a ticket holds.
const MaxAttachments = 6

func mustID(res sql.Result) int64 {
	id, _ := res.LastInsertId()
	return id
}

const attachmentCols = "a.id, a.ticket_id, a.kind, a.file, a.thumb, a.width, a.height, a.bytes, COALESCE(a.uploaded_by, 0), a.created_at"

func scanAttachment(sc interface{ Scan(...any) error }) (*app.Attachment, error) {
	a := &app.Attachment{}
	var at int64
	err := sc.Scan(&a.ID, &a.TicketID, &a.Kind, &a.File, &a.Thumb, &a.Width, &a.Height, &a.Bytes, &a.UploadedBy, &at)
	a.CreatedAt = time.Unix(at, 0).UTC()
	return a, err
}

// Attachments lists the photos of a ticket the user in ctx may see, oldest first.
func (s *Store) Attachments(ctx context.Context, number string) ([]*app.Attachment, error) {
	t, err := s.Ticket(ctx, number)
	if err != nil {
		return nil, err
	}
	rows, err := s.readQuery(ctx, "SELECT "+attachmentCols+" FROM attachments a WHERE a.ticket_id = ? ORDER BY a.id", t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachment returns one photo, if the user in ctx may see its ticket; else
// ENOTFOUND, as if it did not exist.
func (s *Store) Attachment(ctx context.Context, id int64) (*app.Attachment, error) {
	where, args := scope(app.UserFrom(ctx))
	a, err := scanAttachment(s.r.QueryRowContext(ctx, "SELECT "+attachmentCols+" FROM attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.id = ? AND "+where, append([]any{id}, args...)...))
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Фотография не найдена.")
	}
	return a, err
}
