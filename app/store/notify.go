package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Notifications (issue #16): the outbox rows are written here, inside the ticket's
// own transaction, so that a change and the messages about it are stored together
// or not at all. Texts are rendered when sending (app/notify), so the writer only
// inserts short rows.

// Channels of the outbox.
const (
	ChanSMS     = app.NotifySMS
	ChanEmail   = app.NotifyEmail
	ChanWebhook = "webhook"
	ChanNone    = app.NotifyNone
)

// Message kinds: what a message is about.
const (
	KindRegistered = "registered" // resident: number, work type, deadline
	KindDone       = "done"       // resident: «Проблема устранена?» with the yes/no link
	KindReopened   = "reopened"
	KindClosed     = "closed"
	KindCallback   = "callback"  // resident: the yes/no link after failed calls
	KindEmergency  = "emergency" // staff: a new emergency
	KindLocalize   = "localize"  // staff: the localisation clock is about to run out
	KindDue        = "due"       // staff: the resolution clock is about to run out
	KindUnrouted   = "unrouted"  // supervisor: a ticket the centre could not route
	KindEvent      = "event"     // webhook: any change of a ticket
)

// Kinds lists the message kinds whose texts are templates.
var Kinds = []string{KindRegistered, KindDone, KindReopened, KindClosed, KindCallback, KindEmergency, KindLocalize, KindDue, KindUnrouted, KindEvent}

// Notification settings.
const (
	SetSMTP            = "notify_smtp"
	SetMailFrom        = "notify_mail_from"
	SetSMSURL          = "notify_sms_url"
	SetSMSBody         = "notify_sms_body"
	SetWebhookURL      = "notify_webhook_url"
	SetWebhookSecret   = "notify_webhook_secret"
	SetBaseURL         = "notify_base_url"
	SetDutyPhone       = "notify_duty_phone"
	SetDutyEmail       = "notify_duty_email"
	SetSupervisorPhone = "notify_supervisor_phone"
	SetSupervisorEmail = "notify_supervisor_email"
	SetLinkSecret      = "notify_link_secret"
	// SetSMSInboundSecret authenticates the SMS gateway's posts of the residents'
	// replies (POST /api/v1/notify/sms-inbound); empty: the endpoint refuses all.
	SetSMSInboundSecret = "notify_sms_inbound_secret"
	SetTemplatePrefix   = "notify_tpl_" // + kind
)

// MinCallbackAttempts is the number of failed calls after which a resident with
// a channel gets the yes/no link instead of waiting for one more call.
const MinCallbackAttempts = 2

// historyLag: a change written with a clock this far behind the real one is
// history (the demo loader writes 60 days of it) and is never announced.
const historyLag = time.Hour

// validateNotifySetting checks the notification settings; ok is false for a key
// that is not one of them.
func validateNotifySetting(key, value string) (string, bool, error) {
	bad := func(msg string) (string, bool, error) {
		return "", true, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{key: msg}}
	}
	switch {
	case key == SetSMTP:
		if value != "" && !strings.HasPrefix(value, "smtp://") && !strings.HasPrefix(value, "smtps://") {
			return bad("Адрес почтового сервера: smtp://пользователь:пароль@сервер:587 или smtps://…:465.")
		}
	case key == SetSMSURL, key == SetWebhookURL, key == SetBaseURL:
		if value != "" && !strings.HasPrefix(value, "http://") && !strings.HasPrefix(value, "https://") {
			return bad("Адрес начинается с http:// или https://.")
		}
		if key == SetBaseURL {
			value = strings.TrimRight(value, "/")
		}
	case key == SetMailFrom, key == SetDutyEmail, key == SetSupervisorEmail:
		if value != "" {
			e, err := app.NormalizeEmail(value)
			if err != nil {
				return bad(err.Error())
			}
			value = e
		}
	case key == SetDutyPhone, key == SetSupervisorPhone:
		if value != "" {
			p, err := app.NormalizePhone(value)
			if err != nil {
				return bad(err.Error())
			}
			value = p
		}
	case key == SetSMSInboundSecret:
		if value != "" && len(value) < 16 {
			return bad("Секрет входящих SMS — не короче 16 символов (или пусто: приём выключен).")
		}
	case key == SetSMSBody, key == SetWebhookSecret, key == SetLinkSecret, strings.HasPrefix(key, SetTemplatePrefix):
	default:
		return "", false, nil
	}
	return value, true, nil
}

// Contact is how the resident of a ticket agreed to hear about it.
type Contact struct {
	Channel string // sms, email or none
	Phone   string
	Email   string
}

func (c Contact) recipient() string {
	if c.Channel == ChanEmail {
		return c.Email
	}
	return c.Phone
}

// enqueue writes one message; a key already present is left alone, so that the
// same cause never queues the same message twice.
func (tx *Tx) enqueue(key string, ticketID int64, kind, channel, recipient string, urgent bool) error {
	if recipient == "" {
		return nil
	}
	_, err := tx.exec(`INSERT INTO outbox(key, ticket_id, kind, channel, recipient, urgent, next_at, created_at)
		VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
		key, nullID(ticketID), kind, channel, recipient, urgent, unix(tx.now), unix(tx.now))
	return err
}

// historic reports whether the transaction writes the past (the demo's history).
func (tx *Tx) historic() bool { return tx.now.Before(tx.s.Now().Add(-historyLag)) }

// notifyCreated records how the resident wants to hear about the new ticket t and
// queues what its registration announces: the resident's confirmation and the
// duty contacts' alert for an emergency. The webhook's event is not written here:
// QueueWebhookEvents reads it from the audit trail (below).
func (tx *Tx) notifyCreated(t *app.Ticket, n app.NewTicket) error {
	if tx.historic() {
		return nil
	}
	c, err := tx.contactAtIntake(t, n)
	if err != nil {
		return err
	}
	if c.Channel != ChanNone {
		if err := tx.enqueue(fmt.Sprintf("%s:%d:%s", KindRegistered, t.ID, c.Channel), t.ID, KindRegistered, c.Channel, c.recipient(), t.WorkType.Emergency); err != nil {
			return err
		}
	}
	if t.WorkType.Emergency {
		return tx.alertStaff(t, KindEmergency, fmt.Sprint(t.ID), t.OrganizationID)
	}
	return nil
}

// contactAtIntake stores the channel of t's resident: the operator's record of a
// caller's choice, or a portal resident's own preference.
func (tx *Tx) contactAtIntake(t *app.Ticket, n app.NewTicket) (Contact, error) {
	c := Contact{Channel: ChanNone}
	by := ""
	if t.ResidentID != 0 && n.Notify == "" {
		var ch, email string
		err := tx.queryRow("SELECT channel, email FROM notify_prefs WHERE user_id = ?", t.ResidentID).Scan(&ch, &email)
		if err == sql.ErrNoRows {
			return c, nil
		} else if err != nil {
			return c, err
		}
		c = Contact{Channel: ch, Phone: t.ReporterPhone, Email: email}
		by = "житель (настройка портала)"
	} else {
		c = Contact{Channel: n.Notify, Phone: t.ReporterPhone, Email: n.ReporterEmail}
		if c.Channel == "" {
			c.Channel = ChanNone
		}
		if c.Channel == ChanNone {
			return c, nil // nothing agreed to: no address is kept
		}
		_, by = tx.actor()
		if t.ResidentID == 0 {
			by = "оператор " + by + " со слов заявителя"
		}
	}
	_, err := tx.exec("INSERT INTO notify_contacts(ticket_id, channel, phone, email, consent_at, consent_by) VALUES (?,?,?,?,?,?)",
		t.ID, c.Channel, c.Phone, c.Email, unix(tx.now), by)
	return c, err
}

// notifyChange queues what a change of t announces; update calls it for every
// change, so actions, linked tickets moving with their parent and links all do.
func (tx *Tx) notifyChange(t *app.Ticket, a app.Action, from app.Status) error {
	if tx.historic() {
		return nil
	}
	kind := ""
	switch {
	case t.Status == app.StatusDone && from != app.StatusDone:
		kind = KindDone
	case t.Status == app.StatusReopened && from != app.StatusReopened:
		kind = KindReopened
	case t.Status == app.StatusClosed && from != app.StatusClosed:
		kind = KindClosed
	case a == app.ActionCallFailed && t.CallAttempts >= MinCallbackAttempts:
		kind = KindCallback
	}
	if kind != "" {
		c, ok, err := tx.contact(t.ID)
		if err != nil {
			return err
		}
		if ok && c.Channel != ChanNone {
			key := fmt.Sprintf("%s:%d:%d:%s", kind, t.ID, t.Version, c.Channel)
			if kind == KindCallback { // once per round of work, however many calls fail
				key = fmt.Sprintf("%s:%d:%d:%s", kind, t.ID, unix(t.DoneAt), c.Channel)
			}
			if err := tx.enqueue(key, t.ID, kind, c.Channel, c.recipient(), t.WorkType.Emergency); err != nil {
				return err
			}
		}
	}
	return nil
}

// contact returns the active contact of a ticket's resident.
func (tx *Tx) contact(ticketID int64) (Contact, bool, error) {
	var c Contact
	err := tx.queryRow("SELECT channel, phone, email FROM notify_contacts WHERE ticket_id = ? AND stopped_at IS NULL", ticketID).Scan(&c.Channel, &c.Phone, &c.Email)
	if err == sql.ErrNoRows {
		return c, false, nil
	}
	return c, err == nil, err
}

// alertStaff queues kind about t to the duty contacts of organisation org (0:
// none) and of the centre; kind unrouted goes to the supervisor instead. cause
// makes the key: the same cause alerts each contact once.
func (tx *Tx) alertStaff(t *app.Ticket, kind, cause string, org int64) error {
	type to struct{ channel, addr string }
	var list []to
	if org != 0 {
		var phone, email string
		err := tx.queryRow("SELECT phone, email FROM org_duty_contacts WHERE organization_id = ?", org).Scan(&phone, &email)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		list = append(list, to{ChanSMS, phone}, to{ChanEmail, email})
	}
	phoneKey, emailKey := SetDutyPhone, SetDutyEmail
	if kind == KindUnrouted {
		phoneKey, emailKey = SetSupervisorPhone, SetSupervisorEmail
	}
	for _, k := range []struct{ key, channel string }{{phoneKey, ChanSMS}, {emailKey, ChanEmail}} {
		v, err := tx.cachedSetting(k.key)
		if err != nil {
			return err
		}
		list = append(list, to{k.channel, v})
	}
	for _, r := range list {
		key := fmt.Sprintf("%s:%s:%s:%s", kind, cause, r.channel, r.addr)
		if err := tx.enqueue(key, t.ID, kind, r.channel, r.addr, true); err != nil {
			return err
		}
	}
	return nil
}

// Clock alerts: how long before a clock runs out the people on duty hear of it.
const (
	LocalizeLead = 15 * time.Minute
	// The resolution clock: a quarter of the norm before it, at least 30 minutes
	// and at most 2 hours.
	DueLeadMin = 30 * time.Minute
	DueLeadMax = 2 * time.Hour
	// A new ticket nobody could route for this long goes to the supervisor.
	UnroutedAfter = 30 * time.Minute
)

// QueueClockAlerts queues the alerts of clocks about to run out and of tickets
// the centre has not routed, each once per clock. It returns how many tickets
// it looked at.
func (s *Store) QueueClockAlerts(ctx context.Context) (int, error) {
	now := s.Now().UTC().Unix()
	type hit struct {
		id, org, due int64
		kind         string
	}
	var hits []hit
	scan := func(kind, q string, args ...any) error {
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h := hit{kind: kind}
			if err := rows.Scan(&h.id, &h.org, &h.due); err != nil {
				return err
			}
			hits = append(hits, h)
		}
		return rows.Err()
	}
	// Localisation: not yet reported (localized_at), clock within the lead.
	if err := scan(KindLocalize, `SELECT t.id, COALESCE(t.organization_id, 0), t.localize_due_at FROM tickets t
		WHERE t.id IN (`+localizeRunningSQL+` AND localize_due_at > ? AND localize_due_at <= ?) ORDER BY t.id`,
		now, now+int64(LocalizeLead/time.Second)); err != nil {
		return 0, err
	}
	lo, hi := int64(DueLeadMin/time.Second), int64(DueLeadMax/time.Second)
	if err := scan(KindDue, `SELECT t.id, COALESCE(t.organization_id, 0), t.due_at FROM tickets t
		WHERE `+openStatusSQL+` AND t.due_at > ? AND t.due_at <= ? + ?
		AND t.due_at - ? <= MAX(?, MIN(?, (t.due_at - t.created_at) / 4)) ORDER BY t.id`,
		now, now, hi, now, lo, hi); err != nil {
		return 0, err
	}
	if err := scan(KindUnrouted, `SELECT t.id, 0, t.created_at FROM tickets t
		WHERE t.status = 'new' AND t.updated_at <= ? ORDER BY t.id`, now-int64(UnroutedAfter/time.Second)); err != nil {
		return 0, err
	}
	if len(hits) == 0 {
		return 0, nil
	}
	err := s.Write(ctx, func(tx *Tx) error {
		for _, h := range hits {
			t, err := tx.ticketBy("t.id = ?", h.id)
			if err != nil {
				return err
			}
			cause := fmt.Sprintf("%d:%d", h.id, h.due)
			if h.kind == KindUnrouted {
				cause = fmt.Sprintf("%d:%d", h.id, t.Version)
			}
			if err := tx.alertStaff(t, h.kind, cause, h.org); err != nil {
				return err
			}
		}
		return nil
	})
	return len(hits), err
}

// The webhook announces every change of status of any ticket (and every new
// ticket). Writing its outbox row inside the ticket's transaction cost ticket
// creation about 15 % more CPU (issue #16): one more row, index entry and WAL
// page per change. The change is already written durably in that transaction,
// as its audit event (ticket_events); QueueWebhookEvents turns the events after
// a cursor into outbox rows and moves the cursor in one transaction, so that no
// change is skipped and none is queued twice, and from there the outbox's own
// delivery (retries, the outbox screen, «resend», the idempotency key) applies.
// The cursor is the settings row webhookSeen («ID UNIXTIME»: the last event
// seen, when the cursor moved), written without going through SetSetting: it is
// the job's state, not something the administrator sets, and moving it must not
// drop the settings cache every round.
const webhookSeen = "notify_webhook_seen"

// webhookEventsSQL selects the audit events the webhook announces after a
// cursor: a registration, and a change of status, except the routing at
// registration (the event right after the ticket's create event, in the same
// transaction: writes are serialised, so it is the next id), which the
// registration's message already shows. The second argument is the oldest
// time announced.
const webhookEventsSQL = `SELECT e.id, e.ticket_id, t.emergency FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
	WHERE e.id > ? AND e.at >= ? AND (e.action = 'create' OR (e.from_status <> e.to_status AND e.from_status <> ''
	AND NOT (e.action = 'route' AND EXISTS (SELECT 1 FROM ticket_events c WHERE c.id = e.id - 1 AND c.ticket_id = e.ticket_id AND c.action = 'create'))))
	ORDER BY e.id LIMIT ?`

// QueueWebhookEvents queues up to limit webhook events of the changes written
// since the last call and returns how many. With on false (no webhook
// configured), and on the first call, it only moves the cursor to the latest
// change: a webhook announces what happens while it is configured, as the
// other channels' messages are only written while they are wanted.
func (s *Store) QueueWebhookEvents(ctx context.Context, on bool, limit int) (int, error) {
	// Nothing new (most rounds): no write transaction, which would queue behind
	// the ticket writers for nothing.
	var v string
	var head int64
	if err := s.r.QueryRowContext(ctx, "SELECT COALESCE((SELECT value FROM settings WHERE key = ?), ''), COALESCE((SELECT MAX(id) FROM ticket_events), 0)", webhookSeen).Scan(&v, &head); err != nil {
		return 0, err
	}
	if seen, _, ok := parseWebhookSeen(v); ok && seen >= head {
		return 0, nil
	}
	n := 0
	err := s.Write(ctx, func(tx *Tx) error {
		var v string
		err := tx.queryRow("SELECT value FROM settings WHERE key = ?", webhookSeen).Scan(&v)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		seen, seenAt, ok := parseWebhookSeen(v)
		var head int64
		if err := tx.queryRow("SELECT COALESCE(MAX(id), 0) FROM ticket_events").Scan(&head); err != nil {
			return err
		}
		next := head
		if on && ok {
			// History is what was written with a clock well behind the cursor's
			// last move (the demo's 60 days); a change written live, even just
			// before a crash and announced hours later, is not.
			rows, err := tx.tx.QueryContext(tx.ctx, webhookEventsSQL, seen, seenAt-int64(historyLag/time.Second), limit)
			if err != nil {
				return err
			}
			type ev struct {
				id, ticket int64
				urgent     bool
			}
			var evs []ev
			for rows.Next() {
				var e ev
				if err := rows.Scan(&e.id, &e.ticket, &e.urgent); err != nil {
					rows.Close()
					return err
				}
				evs = append(evs, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, e := range evs {
				if err := tx.enqueue(fmt.Sprintf("%s:%d:%d", KindEvent, e.ticket, e.id), e.ticket, KindEvent, ChanWebhook, "webhook", e.urgent); err != nil {
					return err
				}
			}
			if len(evs) == limit { // more may follow: resume after the last one queued
				next = evs[len(evs)-1].id
			}
			n = len(evs)
		}
		if ok && next == seen {
			return nil
		}
		_, err = tx.exec("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			webhookSeen, fmt.Sprintf("%d %d", next, unix(tx.now)))
		return err
	})
	return n, err
}

// parseWebhookSeen reads the webhook's cursor: the last audit event seen and
// when the cursor last moved; ok is false before the first call.
func parseWebhookSeen(v string) (seen, at int64, ok bool) {
	_, err := fmt.Sscan(v, &seen, &at)
	return seen, at, err == nil
}

// Message is one row of the outbox.
type Message struct {
	ID        int64
	Key       string
	TicketID  int64
	Number    string
	Kind      string
	Channel   string
	Recipient string
	Urgent    bool
	Status    string
	Attempts  int
	NextAt    time.Time
	CreatedAt time.Time
	SentAt    time.Time
	Answer    string // the channel's last answer
}

const messageSelect = `SELECT m.id, m.key, COALESCE(m.ticket_id, 0), COALESCE(t.number, ''), m.kind, m.channel, m.recipient, m.urgent,
 m.status, m.attempts, m.next_at, m.created_at, m.sent_at, m.answer FROM outbox m LEFT JOIN tickets t ON t.id = m.ticket_id`

func scanMessages(rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var next, created int64
		var sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.Key, &m.TicketID, &m.Number, &m.Kind, &m.Channel, &m.Recipient, &m.Urgent,
			&m.Status, &m.Attempts, &next, &created, &sent, &m.Answer); err != nil {
			return nil, err
		}
		m.NextAt, m.CreatedAt, m.SentAt = time.Unix(next, 0).UTC(), time.Unix(created, 0).UTC(), fromUnix(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DueMessages returns up to limit pending messages of the given channels whose
// time has come, oldest first. A channel not configured is not asked for: its
// messages wait, untouched, until it is.
func (s *Store) DueMessages(ctx context.Context, channels []string, limit int) ([]Message, error) {
	if len(channels) == 0 {
		return nil, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(channels)), ",")
	args := []any{s.Now().UTC().Unix()}
	for _, c := range channels {
		args = append(args, c)
	}
	rows, err := s.r.QueryContext(ctx, messageSelect+" WHERE m.status = 'pending' AND m.next_at <= ? AND m.channel IN ("+in+") ORDER BY m.next_at, m.id LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return scanMessages(rows)
}

// OutboxFilter selects rows for the administrator's screen.
type OutboxFilter struct {
	Status string // pending, sent, failed; "" all
	Limit  int
}

// Outbox lists messages, newest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]Message, error) {
	q, args := messageSelect, []any{}
	if f.Status != "" {
		q, args = q+" WHERE m.status = ?", append(args, f.Status)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY m.id DESC LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	return scanMessages(rows)
}

// OutboxCounts counts the messages by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT status, count(*) FROM outbox GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{"pending": 0, "sent": 0, "failed": 0}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// MarkSent records that the channel accepted message id.
func (s *Store) MarkSent(ctx context.Context, id int64, answer string) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, answer = ? WHERE id = ?", unix(tx.now), clip(answer), id)
		return err
	})
}

// MarkRetry records a failed attempt and when to try again.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, answer string) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("UPDATE outbox SET attempts = attempts + 1, next_at = ?, answer = ? WHERE id = ? AND status = 'pending'", unix(next), clip(answer), id)
		return err
	})
}

// MarkFailed gives message id up: the channel refused it for good.
func (s *Store) MarkFailed(ctx context.Context, id int64, answer string) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("UPDATE outbox SET status = 'failed', attempts = attempts + 1, answer = ? WHERE id = ? AND status = 'pending'", clip(answer), id)
		return err
	})
}

// Defer moves a pending message to a later time without counting an attempt
// (the night's quiet hours).
func (s *Store) Defer(ctx context.Context, id int64, next time.Time, why string) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec("UPDATE outbox SET next_at = ?, answer = ? WHERE id = ? AND status = 'pending'", unix(next), why, id)
		return err
	})
}

// Resend queues a failed or sent message again, now.
func (s *Store) Resend(ctx context.Context, id int64) error {
	return s.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec("UPDATE outbox SET status = 'pending', next_at = ?, answer = 'повторная отправка по запросу администратора' WHERE id = ? AND status <> 'pending'", unix(tx.now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.ECONFLICT, "Сообщение уже ждёт отправки или не найдено.")
		}
		return nil
	})
}

// OutboxKeep is how long sent and failed messages stay on the outbox screen:
// they name a phone or an address, kept no longer than needed (152-ФЗ).
const OutboxKeep = 90 * 24 * time.Hour

// PurgeOutbox deletes the sent and failed messages older than OutboxKeep and
// returns how many.
func (s *Store) PurgeOutbox(ctx context.Context) (int64, error) {
	var n int64
	err := s.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec("DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?", unix(tx.now.Add(-OutboxKeep)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func clip(s string) string {
	if r := []rune(s); len(r) > 500 {
		return string(r[:500]) + "…"
	}
	return s
}

// NotifyTicket reads a ticket for a message about it, whoever may see it.
func (s *Store) NotifyTicket(ctx context.Context, id int64) (*app.Ticket, error) {
	t, err := scanTicket(s.readRow(ctx, ticketSelect+" WHERE t.id = ?", id))
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Заявка не найдена.")
	}
	return t, err
}

// StopNotifications honours a resident's «stop» for a ticket: nothing more is
// sent about it, and what was waiting is not sent either.
func (s *Store) StopNotifications(ctx context.Context, ticketID int64) error {
	return s.Write(ctx, func(tx *Tx) error {
		if _, err := tx.exec("UPDATE notify_contacts SET stopped_at = ? WHERE ticket_id = ? AND stopped_at IS NULL", unix(tx.now), ticketID); err != nil {
			return err
		}
		_, err := tx.exec("UPDATE outbox SET status = 'failed', answer = 'житель отказался от уведомлений' WHERE ticket_id = ? AND status = 'pending' AND channel <> 'webhook'", ticketID)
		return err
	})
}

// SMSStop is what a resident's «СТОП» by SMS changed.
type SMSStop struct {
	Tickets   int // tickets whose SMS stopped
	Residents int // portal accounts whose preference went from SMS to none
	Cancelled int // messages that were waiting and will not be sent
}

// StopSMS honours a resident's reply «СТОП» from phone (E.164), which the SMS
// gateway passed on from source (its address): consent to SMS is withdrawn for
// that phone. Every ticket with SMS to it stops (the audit trail records when
// and how, without the number), a portal resident with that phone gets «не
// уведомлять» with the withdrawal in their consent records (152-ФЗ: time,
// address, text), and the residents' messages still waiting for it are not
// sent. Alerts to a duty phone are the centre's work, not a resident's
// consent: they are changed on the notification settings, not here.
func (s *Store) StopSMS(ctx context.Context, phone, source string) (SMSStop, error) {
	var out SMSStop
	err := s.Write(ctx, func(tx *Tx) error {
		tx.user, tx.as = nil, "SMS-шлюз (ответ жителя «СТОП»)"
		rows, err := tx.tx.QueryContext(tx.ctx, `SELECT c.ticket_id, t.status FROM notify_contacts c JOIN tickets t ON t.id = c.ticket_id
			WHERE c.phone = ? AND c.channel = 'sms' AND c.stopped_at IS NULL`, phone)
		if err != nil {
			return err
		}
		type stopped struct {
			id     int64
			status app.Status
		}
		var list []stopped
		for rows.Next() {
			var st stopped
			if err := rows.Scan(&st.id, &st.status); err != nil {
				rows.Close()
				return err
			}
			list = append(list, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, st := range list {
			if _, err := tx.exec("UPDATE notify_contacts SET stopped_at = ? WHERE ticket_id = ?", unix(tx.now), st.id); err != nil {
				return err
			}
			if err := tx.event(st.id, app.ActionComment, st.status, st.status, "Житель отказался от SMS-уведомлений: ответ «СТОП» на SMS.", false); err != nil {
				return err
			}
		}
		out.Tickets = len(list)
		res, err := tx.exec(`UPDATE notify_prefs SET channel = 'none', updated_at = ? WHERE channel = 'sms'
			AND user_id IN (SELECT id FROM users WHERE role = 'resident' AND phone = ?)`, unix(tx.now), phone)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		out.Residents = int(n)
		if _, err := tx.exec(`INSERT INTO consents(user_id, at, ip, text) SELECT id, ?, ?, ? FROM users WHERE role = 'resident' AND phone = ?`,
			unix(tx.now), source, SMSStopText, phone); err != nil {
			return err
		}
		res, err = tx.exec(`UPDATE outbox SET status = 'failed', answer = 'житель ответил «СТОП»: согласие на SMS отозвано'
			WHERE status = 'pending' AND channel = 'sms' AND recipient = ? AND kind IN (?,?,?,?,?)`,
			phone, KindRegistered, KindDone, KindReopened, KindClosed, KindCallback)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		out.Cancelled = int(n)
		return nil
	})
	return out, err
}

// SMSStopText is the consent record of a resident's «СТОП» by SMS.
const SMSStopText = "Отзыв согласия на SMS-уведомления (152-ФЗ): ответ «СТОП» на SMS единого центра, принят через SMS-шлюз."

// TicketContact returns the contact of a ticket's resident (ok false: none).
func (s *Store) TicketContact(ctx context.Context, ticketID int64) (Contact, bool, error) {
	var c Contact
	var stopped sql.NullInt64
	err := s.r.QueryRowContext(ctx, "SELECT channel, phone, email, stopped_at FROM notify_contacts WHERE ticket_id = ?", ticketID).Scan(&c.Channel, &c.Phone, &c.Email, &stopped)
	if err == sql.ErrNoRows {
		return c, false, nil
	}
	if stopped.Valid {
		c.Channel = ChanNone
	}
	return c, err == nil, err
}

// AnswerByLink records the resident's answer from the yes/no link of a message:
// yes confirms, no reopens with their words. doneAt ties the link to one round of
// work: a link for an earlier round, or for a ticket no longer done, is refused
// with ECONFLICT and nothing changes.
func (s *Store) AnswerByLink(ctx context.Context, ticketID, doneAt int64, yes bool, words string) (*app.Ticket, error) {
	var out *app.Ticket
	err := s.Write(ctx, func(tx *Tx) error {
		t, err := tx.ticketBy("t.id = ?", ticketID)
		if err == sql.ErrNoRows {
			return app.Errorf(app.ENOTFOUND, "Заявка не найдена.")
		} else if err != nil {
			return err
		}
		if t.Status != app.StatusDone || unix(t.DoneAt) != doneAt {
			return app.Errorf(app.ECONFLICT, "Ответ по заявке %s уже получен или она больше не ждёт подтверждения (сейчас: «%s»).", t.Number, t.Status.Title())
		}
		words = strings.TrimSpace(words)
		a, note := app.ActionConfirm, "Житель подтвердил по ссылке из сообщения"
		if !yes {
			if words == "" {
				return &app.Error{Code: app.EINVALID, Message: "Напишите, что не так: организация увидит ваш ответ.", Fields: map[string]string{"words": "Опишите, что не устранено."}}
			}
			if len([]rune(words)) > app.MaxNote {
				return &app.Error{Code: app.EINVALID, Message: "Ответ слишком длинный.", Fields: map[string]string{"words": "Не длиннее 2000 символов."}}
			}
			a, note = app.ActionReject, "Житель по ссылке из сообщения: "+words
		}
		// The resident answers as themself: their account when they have one, else
		// the audit names the link.
		tx.user = nil
		if t.ResidentID != 0 {
			tx.user = &app.User{ID: t.ResidentID, Role: app.RoleResident, Login: "житель (по ссылке)"}
			tx.queryRow("SELECT login FROM users WHERE id = ?", t.ResidentID).Scan(&tx.user.Login)
			if _, err := app.Check(tx.user, t, a, note); err != nil {
				return err
			}
		} else {
			tx.as = "житель (по ссылке из сообщения)"
		}
		from := t.Status
		if yes {
			t.ClosedAt = tx.now
			onTime := !t.DoneAt.After(t.DueAt)
			t.DoneOnTime = &onTime
			t.Status = app.StatusClosed
		} else {
			t.ReopenCount++
			t.Status = app.StatusReopened
		}
		if err := tx.update(t, a, from, note, true); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// NotifyPref is a registered resident's choice for their own tickets.
type NotifyPref struct {
	Channel   string
	Email     string
	UpdatedAt time.Time
}

// NotifyPrefOf returns the preference of user id (channel none when never set).
func (s *Store) NotifyPrefOf(ctx context.Context, userID int64) (NotifyPref, error) {
	p := NotifyPref{Channel: ChanNone}
	var at int64
	err := s.r.QueryRowContext(ctx, "SELECT channel, email, updated_at FROM notify_prefs WHERE user_id = ?", userID).Scan(&p.Channel, &p.Email, &at)
	if err == sql.ErrNoRows {
		return p, nil
	}
	p.UpdatedAt = time.Unix(at, 0).UTC()
	return p, err
}

// NotifyConsentText is what a resident agrees to by choosing a channel.
const NotifyConsentText = "Я согласен(на) на обработку моего номера телефона и адреса электронной почты единым центром для уведомлений о ходе моих заявок (152-ФЗ «О персональных данных»). Согласие можно отозвать, выбрав «не уведомлять»."

// SaveNotifyPref stores a resident's choice; a channel other than none needs
// consent, recorded with its text, the time and the address it came from. The
// choice applies to the resident's open tickets as well; «none» stops them.
func (s *Store) SaveNotifyPref(ctx context.Context, userID int64, channel, email string, consent bool, ip string) error {
	return s.Write(ctx, func(tx *Tx) error {
		var phone string
		if err := tx.queryRow("SELECT phone FROM users WHERE id = ? AND role = 'resident'", userID).Scan(&phone); err != nil {
			if err == sql.ErrNoRows {
				return app.Errorf(app.ENOTFOUND, "Житель не найден.")
			}
			return err
		}
		n := app.NewTicket{Notify: channel, ReporterEmail: email, ReporterPhone: phone}
		fe := app.FieldErrors{}
		for f, m := range n.Normalize() {
			switch f {
			case "reporter_email":
				fe.Add("email", m)
			case "notify":
				fe.Add("channel", m)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		c := Contact{Channel: n.Notify, Phone: phone, Email: n.ReporterEmail}
		if c.Channel == "" {
			c.Channel = ChanNone
		}
		if c.Channel != ChanNone && !consent {
			return &app.Error{Code: app.EINVALID, Message: "Без согласия на обработку данных уведомления не отправляются.", Fields: map[string]string{"consent": "Отметьте согласие."}}
		}
		if _, err := tx.exec(`INSERT INTO notify_prefs(user_id, channel, email, updated_at) VALUES (?,?,?,?)
			ON CONFLICT(user_id) DO UPDATE SET channel = excluded.channel, email = excluded.email, updated_at = excluded.updated_at`,
			userID, c.Channel, c.Email, unix(tx.now)); err != nil {
			return err
		}
		if c.Channel != ChanNone {
			if _, err := tx.exec("INSERT INTO consents(user_id, at, ip, text) VALUES (?,?,?,?)", userID, unix(tx.now), ip, NotifyConsentText); err != nil {
				return err
			}
		}
		// The resident's open tickets follow the new choice.
		rows, err := tx.tx.QueryContext(tx.ctx, "SELECT t.id FROM tickets t WHERE t.resident_id = ? AND "+strings.ReplaceAll(openStatusSQL, "'reopened'", "'reopened','done'"), userID)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if _, err := tx.exec(`INSERT INTO notify_contacts(ticket_id, channel, phone, email, consent_at, consent_by) VALUES (?,?,?,?,?,?)
				ON CONFLICT(ticket_id) DO UPDATE SET channel = excluded.channel, phone = excluded.phone, email = excluded.email,
				consent_at = excluded.consent_at, consent_by = excluded.consent_by, stopped_at = NULL`,
				id, c.Channel, phone, c.Email, unix(tx.now), "житель (настройка портала)"); err != nil {
				return err
			}
		}
		return nil
	})
}

// DutyContact is who is on duty at an organisation.
type DutyContact struct {
	OrganizationID int64
	Phone, Email   string
}

// DutyContacts returns every organisation's duty contacts, by organisation id.
func (s *Store) DutyContacts(ctx context.Context) (map[int64]DutyContact, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT organization_id, phone, email FROM org_duty_contacts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]DutyContact{}
	for rows.Next() {
		var d DutyContact
		if err := rows.Scan(&d.OrganizationID, &d.Phone, &d.Email); err != nil {
			return nil, err
		}
		out[d.OrganizationID] = d
	}
	return out, rows.Err()
}

// SetDutyContact stores an organisation's duty phone and e-mail (both may be empty).
func (s *Store) SetDutyContact(ctx context.Context, d DutyContact) error {
	fe := app.FieldErrors{}
	if strings.TrimSpace(d.Phone) != "" {
		p, err := app.NormalizePhone(d.Phone)
		if err != nil {
			fe.Add("duty_phone", err.Error())
		}
		d.Phone = p
	} else {
		d.Phone = ""
	}
	if strings.TrimSpace(d.Email) != "" {
		e, err := app.NormalizeEmail(d.Email)
		if err != nil {
			fe.Add("duty_email", err.Error())
		}
		d.Email = e
	} else {
		d.Email = ""
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`INSERT INTO org_duty_contacts(organization_id, phone, email) VALUES (?,?,?)
			ON CONFLICT(organization_id) DO UPDATE SET phone = excluded.phone, email = excluded.email`, d.OrganizationID, d.Phone, d.Email)
		return err
	})
}

// LinkSecret returns the key that signs the yes/no links, making one the first time.
func (s *Store) LinkSecret(ctx context.Context, fresh func() string) (string, error) {
	if v := s.Setting(ctx, SetLinkSecret); v != "" {
		return v, nil
	}
	var out string
	err := s.Write(ctx, func(tx *Tx) error {
		v, err := tx.setting(SetLinkSecret)
		if err != nil {
			return err
		}
		if v == "" {
			v = fresh()
			if err := tx.SetSetting(SetLinkSecret, v); err != nil {
				return err
			}
		}
		out = v
		return nil
	})
	return out, err
}
