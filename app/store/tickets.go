package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit/sqlkit"
)

const ticketSelect = `SELECT t.id, t.number, t.status, t.source, t.work_type, w.name, t.category, t.emergency,
 t.building_id, b.address, t.apartment, t.description, t.reporter_name, t.reporter_phone,
 COALESCE(t.resident_id, 0), COALESCE(t.organization_id, 0), COALESCE(o.name, ''),
 COALESCE(t.parent_id, 0), COALESCE(p.number, ''), COALESCE(p.status, ''),
 t.created_at, t.accept_due_at, t.due_at, t.localize_due_at, t.accepted_at, t.done_at, t.closed_at, t.done_on_time,
 t.reopen_count, t.call_attempts, t.version, t.seq, t.updated_at, b.apartments, t.localized_at, w.handoff,
 t.last_call_at, t.callback_retry_at, COALESCE(t.callback_claimed_by, 0), COALESCE(NULLIF(cu.name, ''), cu.login, ''), t.callback_claimed_until, t.callback_failed_at,
 t.queue_key
FROM tickets t
JOIN work_types w ON w.code = t.work_type
JOIN buildings b ON b.id = t.building_id
LEFT JOIN organizations o ON o.id = t.organization_id
LEFT JOIN tickets p ON p.id = t.parent_id
LEFT JOIN users cu ON cu.id = t.callback_claimed_by`

// openStatusSQL must stay identical to the WHERE of the partial indexes in
// schema.sql, or SQLite will not use them.
var openStatusSQL = sqlkit.In("t.status", app.OpenStatuses)

// openStatusPlain is openStatusSQL without the table's alias, for subqueries.
var openStatusPlain = sqlkit.In("status", app.OpenStatuses)

// localizeRunningSQL selects the open tickets whose localisation clock runs and is
// not met, through their own index (not a walk over every open ticket); callers
// may add conditions on localize_due_at.
var localizeRunningSQL = "SELECT id FROM tickets INDEXED BY tickets_localize_open WHERE localize_due_at IS NOT NULL AND localized_at IS NULL AND " + openStatusPlain

// activeStatusSQL are the tickets not yet closed or cancelled.
var activeStatusSQL = sqlkit.In("t.status", app.ActiveStatuses())

func scanTicket(sc interface{ Scan(...any) error }) (*app.Ticket, error) {
	t := &app.Ticket{}
	var created, acceptDue, due, updated int64
	var localize, localized, accepted, done, closed, onTime sql.NullInt64
	var lastCall, retry, claimedUntil, failed sql.NullInt64
	err := sc.Scan(&t.ID, &t.Number, &t.Status, &t.Source, &t.WorkType.Code, &t.WorkType.Name, &t.WorkType.Category, &t.WorkType.Emergency,
		&t.BuildingID, &t.Address, &t.Apartment, &t.Description, &t.ReporterName, &t.ReporterPhone,
		&t.ResidentID, &t.OrganizationID, &t.OrgName, &t.ParentID, &t.ParentNumber, &t.ParentStatus,
		&created, &acceptDue, &due, &localize, &accepted, &done, &closed, &onTime,
		&t.ReopenCount, &t.CallAttempts, &t.Version, &t.Seq, &updated, &t.BuildingApartments, &localized, &t.WorkType.Handoff,
		&lastCall, &retry, &t.Callback.ClaimedBy, &t.Callback.ClaimedByName, &claimedUntil, &failed, &t.QueueKey)
	if err != nil {
		return nil, err
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	t.AcceptDueAt, t.DueAt = deadlineFromUnix(acceptDue), deadlineFromUnix(due)
	t.UpdatedAt = time.Unix(updated, 0).UTC()
	t.LocalizeDueAt = fromUnix(localize)
	t.LocalizedAt = fromUnix(localized)
	t.AcceptedAt = fromUnix(accepted)
	t.DoneAt = fromUnix(done)
	t.ClosedAt = fromUnix(closed)
	t.Callback.LastCallAt, t.Callback.RetryAt = fromUnix(lastCall), fromUnix(retry)
	t.Callback.ClaimedUntil, t.Callback.FailedAt = fromUnix(claimedUntil), fromUnix(failed)
	if onTime.Valid {
		b := onTime.Int64 == 1
		t.DoneOnTime = &b
	}
	return t, nil
}

// deadlineUnix stores a deadline; a hand-off ticket's none is app.NoDeadlineUnix.
func deadlineUnix(t time.Time) int64 {
	if t.IsZero() {
		return app.NoDeadlineUnix
	}
	return unix(t)
}

func deadlineFromUnix(n int64) time.Time {
	if n >= app.NoDeadlineUnix {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// scope limits a ticket query to what u may see: an organisation its own tickets,
// a resident their own, nobody (nil) nothing.
func scope(u *app.User) (string, []any) {
	switch {
	case u == nil:
		return "0", nil
	case u.SeesAllTickets():
		return "1", nil
	case u.Role == app.RoleOrg:
		return "t.organization_id = ?", []any{u.OrganizationID}
	case u.Role == app.RoleResident:
		return "t.resident_id = ?", []any{u.ID}
	}
	return "0", nil
}

func notFound(number string) error {
	return app.Errorf(app.ENOTFOUND, "Заявка %s не найдена.", number)
}

// Ticket returns the ticket with number as the user in ctx may see it.
func (s *Store) Ticket(ctx context.Context, number string) (*app.Ticket, error) {
	where, args := scope(app.UserFrom(ctx))
	t, err := scanTicket(s.readRow(ctx, ticketSelect+" WHERE t.number = ? AND "+where, append([]any{strings.ToUpper(strings.TrimSpace(number))}, args...)...))
	if err == sql.ErrNoRows {
		return nil, notFound(number)
	}
	return t, err
}

func (tx *Tx) ticketBy(where string, args ...any) (*app.Ticket, error) {
	return scanTicket(tx.queryRow(ticketSelect+" WHERE "+where, args...))
}

// TicketFilter selects tickets for a list; zero fields do not filter.
type TicketFilter struct {
	Statuses       []app.Status
	OrganizationID int64
	BuildingID     int64
	WorkType       string
	Category       string
	Overdue        bool
	Phone          string // E.164
	CreatedFrom    time.Time
	CreatedTo      time.Time
	Limit          int
	After          string // cursor: list tickets older than this
	Emergency      bool   // emergencies only
	Sort           string // app.SortCreated (default: newest first) or app.SortClock (working order)
	// CallbackDue: done tickets to call now (not given up on, not scheduled later);
	// CallbackFailed: done tickets whose calls ran out («Не удалось связаться»).
	CallbackDue, CallbackFailed bool
}

// where builds the conditions of f, scoped to the user in ctx.
func (s *Store) where(ctx context.Context, f TicketFilter) (string, []any, error) {
	where, args := scope(app.UserFrom(ctx))
	conds := []string{where}
	in := func(col string, vals []app.Status) {
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = "?"
			args = append(args, v)
		}
		if len(vals) == 1 { // an equality lets the planner walk (status, queue_key, id) in order
			conds = append(conds, col+" = ?")
			return
		}
		conds = append(conds, col+" IN ("+strings.Join(ph, ",")+")")
	}
	if isOpenSet(f.Statuses) || f.Overdue {
		conds = append(conds, openStatusSQL)
		if !isOpenSet(f.Statuses) && len(f.Statuses) > 0 {
			in("t.status", f.Statuses)
		}
	} else if len(f.Statuses) > 0 {
		in("t.status", f.Statuses)
	}
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.Overdue {
		add("t.due_at < ?", s.Now().Unix())
	}
	if f.CallbackDue {
		conds = append(conds, "t.status = 'done'", "t.callback_failed_at IS NULL")
		add("COALESCE(t.callback_retry_at, 0) <= ?", s.Now().Unix())
	}
	if f.CallbackFailed {
		conds = append(conds, "t.status = 'done'", "t.callback_failed_at IS NOT NULL")
	}
	if f.OrganizationID != 0 {
		add("t.organization_id = ?", f.OrganizationID)
	}
	if f.BuildingID != 0 {
		add("t.building_id = ?", f.BuildingID)
	}
	if f.WorkType != "" {
		add("t.work_type = ?", strings.ToUpper(f.WorkType))
	}
	if f.Category != "" {
		add("t.category = ?", f.Category)
	}
	if f.Phone != "" {
		add("t.reporter_phone = ?", f.Phone)
	}
	if !f.CreatedFrom.IsZero() {
		add("t.created_at >= ?", f.CreatedFrom.Unix())
	}
	if !f.CreatedTo.IsZero() {
		add("t.created_at < ?", f.CreatedTo.Unix())
	}
	if f.Emergency {
		// The same set twice: an emergency's working-order key lies below 2^40
		// (app.WorkingOrderKey), which a queue index reads as a range.
		conds = append(conds, "t.emergency = 1")
		add("t.queue_key < ?", app.NonEmergencyKey)
	}
	badCursor := &app.Error{Code: app.EINVALID, Message: "Неверный курсор списка.", Fields: map[string]string{"after": "Неверное значение."}}
	switch f.Sort {
	case "", app.SortCreated:
		if f.After != "" {
			id, err := strconv.ParseInt(f.After, 10, 64)
			if err != nil || id <= 0 {
				return "", nil, badCursor
			}
			add("t.id < ?", id)
		}
	case app.SortClock:
		if f.After != "" {
			key, id, ok := strings.Cut(f.After, "-")
			k, err1 := strconv.ParseInt(key, 10, 64)
			n, err2 := strconv.ParseInt(id, 10, 64)
			if !ok || err1 != nil || err2 != nil || n <= 0 {
				return "", nil, badCursor
			}
			conds = append(conds, "(t.queue_key, t.id) > (?, ?)")
			args = append(args, k, n)
		}
	default:
		return "", nil, &app.Error{Code: app.EINVALID, Message: "Неизвестный порядок списка.", Fields: map[string]string{"sort": "Допустимо: created или clock."}}
	}
	return strings.Join(conds, " AND "), args, nil
}

// Tickets lists the tickets the user in ctx may see, newest first, with the cursor
// of the next page ("" on the last one).
func (s *Store) Tickets(ctx context.Context, f TicketFilter) ([]*app.Ticket, string, error) {
	q, args, limit, err := s.ticketsQuery(ctx, f)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.readQuery(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := make([]*app.Ticket, 0, limit)
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = strconv.FormatInt(last.ID, 10)
		if f.Sort == app.SortClock {
			next = strconv.FormatInt(last.QueueKey, 10) + "-" + next
		}
	}
	return out, next, nil
}

// ticketsQuery is the query Tickets runs: one row more than the page, to know
// whether there is a next one.
func (s *Store) ticketsQuery(ctx context.Context, f TicketFilter) (string, []any, int, error) {
	where, args, err := s.where(ctx, f)
	if err != nil {
		return "", nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	// The page's ids are chosen first, from the indexes alone, and only those rows
	// are joined and read: a queue of 20,000 overdue tickets then sorts 20,000
	// integers, not 20,000 joined rows, to show 50.
	order := "t.id DESC"
	if f.Sort == app.SortClock {
		order = "t.queue_key, t.id"
	}
	return ticketSelect + " WHERE t.id IN (SELECT t.id FROM tickets t" + queueIndex(ctx, f) + " WHERE " + where + " ORDER BY " + order + " LIMIT " + strconv.Itoa(limit+1) + ") ORDER BY " + order, args, limit, nil
}

// queueIndex names the index a queue page must walk where SQLite, which keeps no
// statistics here, would pick a shorter range and sort it all: the callbacks by
// (status, callback_failed_at, queue_key); one organisation's queues from
// tickets_org_queue; the centre's overdue queue in working order along the open
// tickets' clocks (tickets_open_clock), stopping at the page's end instead of
// sorting every overdue ticket (190 ms → a few on a million), and newest first
// along the open tickets' ids (tickets_open_newest).
func queueIndex(ctx context.Context, f TicketFilter) string {
	u := app.UserFrom(ctx)
	oneOrg := f.OrganizationID != 0 || u != nil && u.Role == app.RoleOrg
	narrowed := f.BuildingID != 0 || f.Phone != "" || !f.CreatedFrom.IsZero() || !f.CreatedTo.IsZero()
	openNewest := f.Sort != app.SortClock && (isOpenSet(f.Statuses) || f.Overdue && len(f.Statuses) == 0)
	switch {
	case f.CallbackDue && f.Sort != app.SortClock:
		// Newest first: most tickets done wait for their call, so walking the done
		// ones newest first fills the page at once (tickets_callback would sort
		// them all).
		return " INDEXED BY tickets_status"
	case f.CallbackDue || f.CallbackFailed:
		return " INDEXED BY tickets_callback"
	case f.Sort == app.SortClock && f.Overdue && len(f.Statuses) == 1 && oneOrg:
		// One organisation's overdue tickets of one status (its «Входящие» with
		// «просроченные»): its own tickets of that status in working order, deadline
		// read from the index, not every overdue ticket of the status in the
		// municipality (tickets_status_due), each read to check whose it is.
		return " INDEXED BY tickets_org_queue"
	case openNewest && oneOrg && !narrowed:
		// One organisation's open tickets, or its overdue ones, newest first: its
		// tickets of each open status with their deadlines (tickets_org_queue), their
		// ids sorted to show the page. As many as it has open, where a walk of its
		// tickets newest first (tickets_org) would read each row for its status.
		return " INDEXED BY tickets_org_queue"
	case f.OrganizationID != 0 || narrowed || u == nil || !u.SeesAllTickets():
	case f.Sort == app.SortClock && f.Overdue && len(f.Statuses) == 0:
		return " INDEXED BY tickets_open_clock"
	case openNewest:
		// Every open ticket, or every overdue one, newest first: the open
		// tickets walked newest first until the page is full, not all of them
		// sorted (SQLite, with no statistics, would take tickets_status_due).
		return " INDEXED BY tickets_open_newest"
	}
	return ""
}

// ExplainTickets returns SQLite's plan for the query Tickets would run, one step a
// line: benchmarks and tests check that the queues use their partial indexes.
func (s *Store) ExplainTickets(ctx context.Context, f TicketFilter) (string, error) {
	q, args, _, err := s.ticketsQuery(ctx, f)
	if err != nil {
		return "", err
	}
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		b.WriteString(detail + "\n")
	}
	return b.String(), rows.Err()
}

func isOpenSet(st []app.Status) bool {
	if len(st) != len(app.OpenStatuses) {
		return false
	}
	seen := map[app.Status]bool{}
	for _, s := range st {
		seen[s] = true
	}
	for _, s := range app.OpenStatuses {
		if !seen[s] {
			return false
		}
	}
	return true
}

// OpenEmergencies lists the emergencies the queues pin above ordinary tickets, for
// the user in ctx: every one whose localisation clock still runs (overdue or not),
// and the other open ones registered in the last day; the nearest unmet clock first,
// an overdue localisation first of all. Older open emergencies stay in their queues
// (and in «Просрочены»), with their countdowns, so that a forgotten one from last
// month does not bury tonight's.
//
// The list is kept like the queues' counts (countcache.go): every operator's
// page shows the same one, and it changes only with a ticket, or when one of its
// emergencies leaves the last day.
func (s *Store) OpenEmergencies(ctx context.Context, limit int) ([]*app.Ticket, error) {
	where, sargs := scope(app.UserFrom(ctx))
	return s.cachedPinned(ctx, fmt.Sprintf("pinned|%s|%v|%d", where, sargs, limit), func() ([]*app.Ticket, int64, error) {
		return s.openEmergencies(ctx, limit, where, sargs)
	})
}

func (s *Store) openEmergencies(ctx context.Context, limit int, where string, sargs []any) ([]*app.Ticket, int64, error) {
	since := s.Now().Add(-24 * time.Hour).Unix()
	until := int64(1<<63 - 1) // when the first of the day's emergencies leaves the day
	// A running localisation clock comes before anything else in the working order
	// (app.SortByClock), the earliest first and, at equal clocks, the higher id (as
	// the stable sort below leaves them): the list can show no other running clocks
	// than the first limit of them in that order. So the scope goes into that
	// lookup, which walks tickets_localize_open in order and stops there, instead
	// of reading every running clock to drop most of them after the join.
	args := append(append(append([]any{since}, sargs...), sargs...), limit)
	// Two index lookups (tickets_emergency_open, tickets_localize_open), not a walk
	// over every open ticket. Only the clocks of the candidates are read (a busy
	// day has hundreds of open emergencies); the page's few are then read whole.
	rows, err := s.readQuery(ctx, "SELECT t.id, t.status, t.created_at, t.accept_due_at, t.due_at, t.localize_due_at, t.localized_at, t.accepted_at FROM tickets t"+
		" WHERE t.id IN (SELECT t.id FROM tickets t INDEXED BY tickets_emergency_open WHERE t.emergency AND "+openStatusSQL+" AND t.created_at >= ? AND "+where+
		" UNION ALL SELECT id FROM (SELECT t.id FROM tickets t INDEXED BY tickets_localize_open WHERE t.localize_due_at IS NOT NULL AND t.localized_at IS NULL AND "+openStatusSQL+" AND "+where+
		" ORDER BY t.localize_due_at, t.id DESC LIMIT ?)) ORDER BY t.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var clocks []*app.Ticket
	for rows.Next() {
		t := &app.Ticket{}
		var created, acceptDue, due int64
		var localize, localized, accepted sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Status, &created, &acceptDue, &due, &localize, &localized, &accepted); err != nil {
			return nil, 0, err
		}
		t.CreatedAt = time.Unix(created, 0).UTC()
		if created >= since {
			until = min(until, created+24*60*60+1)
		}
		t.AcceptDueAt, t.DueAt = deadlineFromUnix(acceptDue), deadlineFromUnix(due)
		t.LocalizeDueAt, t.LocalizedAt, t.AcceptedAt = fromUnix(localize), fromUnix(localized), fromUnix(accepted)
		clocks = append(clocks, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	app.SortByClock(clocks)
	if len(clocks) > limit {
		clocks = clocks[:limit]
	}
	if len(clocks) == 0 {
		return nil, until, nil
	}
	// As many placeholders as the list's length, whatever it holds (id 0 matches
	// nothing): one prepared statement serves every page.
	ids := make([]any, max(limit, 1))
	for i := range ids {
		ids[i] = int64(0)
		if i < len(clocks) {
			ids[i] = clocks[i].ID
		}
	}
	rows, err = s.readQuery(ctx, ticketSelect+" WHERE t.id IN ("+strings.Repeat("?,", len(ids)-1)+"?)", ids...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	byID := make(map[int64]*app.Ticket, len(ids))
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, 0, err
		}
		byID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out := make([]*app.Ticket, 0, len(clocks))
	for _, c := range clocks {
		if t := byID[c.ID]; t != nil && t.Status.WorkOpen() { // done or gone between the two reads: not pinned
			out = append(out, t)
		}
	}
	app.SortByClock(out) // as it is now, should a clock have been met between the reads
	return out, until, nil
}

// CountTickets counts what Tickets would list, all pages together. The count is
// kept until a ticket changes or a clock it depends on passes (countcache.go).
func (s *Store) CountTickets(ctx context.Context, f TicketFilter) (int, error) {
	f.After = ""
	where, args, err := s.where(ctx, f)
	if err != nil {
		return 0, err
	}
	return s.cachedCount(ctx, countKey(ctx, "count", f), func() (int, error) {
		var n int
		err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM tickets t WHERE "+where, args...).Scan(&n)
		return n, err
	})
}

// Event actors: the system when no user acts.
func (tx *Tx) actor() (any, string) {
	if tx.user == nil {
		if tx.as != "" {
			return nil, tx.as
		}
		if tx.apiKey != nil {
			return nil, "приложение «" + tx.apiKey.Name + "»"
		}
		return nil, "система"
	}
	return tx.user.ID, tx.user.Login
}

func (tx *Tx) nextSeq() (int64, error) {
	var n int64
	err := tx.queryRow("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets").Scan(&n)
	return n, err
}

// CreateTicket registers a ticket filed by the user of the transaction and sends it
// at once, by the same rule whoever filed it, to the organisation responsible for
// that work type in that building; only when nobody is known does it wait as new in
// the centre's own queue.
func (tx *Tx) CreateTicket(n app.NewTicket) (*app.Ticket, error) {
	tx.touch(ScopeTickets)
	u := tx.user
	viaApp := tx.apiKey != nil // filed by a third-party application (Open311)
	if !viaApp && !u.Can(app.PermCreateTicket) {
		return nil, app.Errorf(app.EFORBIDDEN, "Регистрировать заявки могут оператор центра, Управление ЖКХ и зарегистрированные жители.")
	}
	resident := !viaApp && u.Role == app.RoleResident
	if resident {
		if strings.TrimSpace(n.ReporterName) == "" {
			n.ReporterName = u.Name
		}
		if strings.TrimSpace(n.ReporterPhone) == "" {
			n.ReporterPhone = u.Phone
		}
	}
	fe := n.Normalize()
	var b app.Building
	if n.BuildingID > 0 {
		var err error
		b, err = tx.building(n.BuildingID)
		if err == sql.ErrNoRows {
			fe.Add("building_id", "Дом не найден; выберите адрес из списка.")
		} else if err != nil {
			return nil, err
		}
	}
	var wt *app.WorkType
	if n.WorkType != "" {
		w, err := tx.cachedWorkType(n.WorkType)
		if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && !w.Active) {
			fe.Add("work_type", "Вид работ не найден; выберите из списка.")
		} else if err != nil {
			return nil, err
		}
		wt = w
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if wt.Handoff != "" {
		// A gas smell is not a ticket a resident files online: the call goes to the
		// emergency number now. The operator files it only once it was handed over;
		// a resident, or an application filing for one (Open311), is told to call.
		msg := app.HandoffMessage(wt)
		if resident || viaApp {
			return nil, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"work_type": msg}}
		}
		if !n.HandedOff {
			m := "Сначала передайте звонок в " + wt.Handoff + " и отметьте «Звонок передан»."
			return nil, &app.Error{Code: app.EINVALID, Message: m, Fields: map[string]string{"handed_off": m}}
		}
	}
	// The organisation is chosen before anything is written, so that a ticket that
	// cannot be routed leaves no row behind even inside a caller's larger transaction.
	rt, err := tx.routeAtFiling(b, wt)
	if err != nil {
		return nil, err
	}
	code, err := tx.cachedSetting(SetMunicipalityCode)
	if err != nil {
		return nil, err
	}
	// The id and the change sequence in one statement (nextSeq's, with the id's):
	// every statement on the single writer's path counts.
	var id, seq int64
	if err := tx.queryRow("SELECT COALESCE(MAX(id), 0) + 1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets) FROM tickets").Scan(&id, &seq); err != nil {
		return nil, err
	}
	t := &app.Ticket{
		ID: id, Number: fmt.Sprintf("%s-%06d", code, id), Status: app.StatusNew, WorkType: *wt,
		BuildingID: b.ID, Address: b.Address, Apartment: n.Apartment, Description: n.Description,
		ReporterName: n.ReporterName, ReporterPhone: n.ReporterPhone, CreatedAt: tx.now, Version: 1, Seq: seq, UpdatedAt: tx.now,
	}
	t.Source = app.SourcePhone
	if resident {
		t.Source, t.ResidentID = app.SourcePortal, u.ID
	} else if viaApp {
		// Filed over the internet like the portal's; ticket_apps says by which
		// application.
		t.Source = app.SourcePortal
	}
	if rt.ID != 0 {
		// Registered and routed at once: two changes, two events, one row written.
		t.OrganizationID, t.OrgName, t.Status, t.Version = rt.ID, rt.Name, app.StatusRouted, 2
	}
	d := app.DeadlinesFor(wt, tx.now, tx.norms())
	t.AcceptDueAt, t.DueAt, t.LocalizeDueAt = d.AcceptDueAt, d.DueAt, d.LocalizeDueAt
	key, err := tx.queueKey(t)
	if err != nil {
		return nil, err
	}
	t.QueueKey = key
	_, err = tx.exec(`INSERT INTO tickets(id, number, status, source, work_type, category, emergency, building_id, apartment, description,
		reporter_name, reporter_phone, resident_id, organization_id, created_at, accept_due_at, due_at, localize_due_at, version, seq, updated_at, queue_key)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		t.ID, t.Number, t.Status, t.Source, wt.Code, wt.Category, wt.Emergency, t.BuildingID, t.Apartment, t.Description,
		t.ReporterName, t.ReporterPhone, nullID(t.ResidentID), nullID(t.OrganizationID), unix(t.CreatedAt), deadlineUnix(t.AcceptDueAt), deadlineUnix(t.DueAt), nullUnix(t.LocalizeDueAt), t.Version, t.Seq, unix(t.UpdatedAt), key)
	if err != nil {
		return nil, err
	}
	evs := []eventRow{{app.ActionCreate, "", app.StatusNew, "", true}}
	if t.Status == app.StatusRouted {
		// Registered and routed: both events in one statement.
		evs = append(evs, eventRow{app.ActionRoute, app.StatusNew, app.StatusRouted, rt.Why, true})
	}
	if err := tx.events(t.ID, evs...); err != nil {
		return nil, err
	}
	if wt.Handoff != "" {
		loc := tx.norms().Loc
		note := "передано в " + wt.Handoff + " в " + tx.now.In(loc).Format("15:04")
		t.Version++
		if _, err := tx.exec("UPDATE tickets SET version = ? WHERE id = ?", t.Version, t.ID); err != nil {
			return nil, err
		}
		if err := tx.event(t.ID, app.ActionHandoff, t.Status, t.Status, note, true); err != nil {
			return nil, err
		}
	}
	if err := tx.notifyCreated(t, n); err != nil {
		return nil, err
	}
	return t, nil
}

// routeAtFiling is routeTarget for a ticket being filed: the organisation the rules
// name, or a zero route when they name nobody who can take it (the ticket then
// waits as new for an operator instead of being refused).
func (tx *Tx) routeAtFiling(b app.Building, wt *app.WorkType) (route, error) {
	r, err := tx.routeTarget(b, wt, 0)
	if app.ErrorCode(err) == app.EINVALID {
		return route{}, nil
	}
	return r, err
}

// route is where a ticket goes and, when that is not where its work type asks,
// why — written into the route event, so that the operator sees it.
type route struct {
	ID   int64
	Name string
	Why  string
}

// routeTarget picks the organisation a ticket goes to: the one given by hand, else
// by the work type's «responsible» (or the municipality's override): the building's
// management organisation, its resource supplier, its lift contractor, or the
// municipality's regional waste operator or gas service — each of these last two
// the single active organisation of that kind. Where the building or the
// catalogue has none (or several), the ticket goes to the management organisation
// and Why says so. A hand-off type (a gas smell) goes to the management
// organisation as information: the call itself went to the emergency number.
func (tx *Tx) routeTarget(b app.Building, wt *app.WorkType, orgID int64) (route, error) {
	r := route{ID: orgID}
	if orgID == 0 {
		r.ID = b.OrganizationID
		kind := wt.Routes()
		if wt.Handoff != "" {
			kind = app.OrgManagement
			r.Why = "Звонок передан в " + wt.Handoff + "; управляющей организации — для сведения и последующих работ."
		}
		fallback := func(why string) {
			r.Why = why + " Направлено в управляющую организацию дома."
		}
		switch kind {
		case app.OrgSupplier:
			if b.SupplierID != 0 {
				r.ID = b.SupplierID
			} else {
				fallback("У дома не указана ресурсоснабжающая организация.")
			}
		case app.OrgLift:
			if b.LiftOrgID != 0 {
				r.ID = b.LiftOrgID
			} else {
				fallback("У дома не указана лифтовая организация.")
			}
		case app.OrgWasteOperator, app.OrgGasService:
			var n, id int64
			if err := tx.queryRow("SELECT count(*), COALESCE(MIN(id), 0) FROM organizations WHERE kind = ? AND active", kind).Scan(&n, &id); err != nil {
				return route{}, err
			}
			switch n {
			case 1:
				r.ID = id
			case 0:
				fallback("В справочнике нет организации вида «" + kind.Title() + "».")
			default:
				fallback("В справочнике несколько действующих организаций вида «" + kind.Title() + "»: выберите вручную.")
			}
		}
	}
	var active bool
	err := tx.queryRow("SELECT name, active FROM organizations WHERE id = ?", r.ID).Scan(&r.Name, &active)
	if err == nil && !active && orgID == 0 && r.ID != b.OrganizationID {
		// The building's supplier or lift contractor no longer works: the management
		// organisation takes it, and the operator is told.
		r = route{ID: b.OrganizationID, Why: "«" + r.Name + "» не действует. Направлено в управляющую организацию дома."}
		err = tx.queryRow("SELECT name, active FROM organizations WHERE id = ?", r.ID).Scan(&r.Name, &active)
	}
	if err == sql.ErrNoRows || (err == nil && !active) {
		return route{}, &app.Error{Code: app.EINVALID, Message: "Организация для направления не найдена.", Fields: map[string]string{"organization_id": "Нет такой действующей организации."}}
	}
	return r, err
}

func (tx *Tx) event(ticketID int64, a app.Action, from, to app.Status, note string, public bool) error {
	return tx.events(ticketID, eventRow{a, from, to, note, public})
}

// eventRow is one step of a ticket's trail, for events.
type eventRow struct {
	action   app.Action
	from, to app.Status
	note     string
	public   bool
}

// events appends steps to ticket's trail in one statement, by the transaction's
// actor at its time.
func (tx *Tx) events(ticketID int64, evs ...eventRow) error {
	actorID, actor := tx.actor()
	at := unix(tx.now)
	args := make([]any, 0, 9*len(evs))
	for _, e := range evs {
		args = append(args, ticketID, at, actorID, actor, e.action, e.from, e.to, e.note, e.public)
	}
	_, err := tx.exec("INSERT INTO ticket_events(ticket_id, at, actor_id, actor, action, from_status, to_status, note, public) VALUES (?,?,?,?,?,?,?,?,?)"+
		strings.Repeat(", (?,?,?,?,?,?,?,?,?)", len(evs)-1), args...)
	return err
}

// update writes the mutable fields of t as one change (a new version and change
// sequence) and appends its audit event.
func (tx *Tx) update(t *app.Ticket, a app.Action, from app.Status, note string, public bool) error {
	seq, err := tx.nextSeq()
	if err != nil {
		return err
	}
	t.Version++
	t.Seq = seq
	t.UpdatedAt = tx.now
	var onTime any
	if t.DoneOnTime != nil {
		onTime = *t.DoneOnTime
	}
	cb := t.Callback
	key, err := tx.queueKey(t)
	if err != nil {
		return err
	}
	t.QueueKey = key
	_, err = tx.exec(`UPDATE tickets SET status = ?, organization_id = ?, parent_id = ?, accepted_at = ?, done_at = ?, closed_at = ?,
		done_on_time = ?, reopen_count = ?, call_attempts = ?, version = ?, seq = ?, updated_at = ?, localized_at = ?,
		last_call_at = ?, callback_retry_at = ?, callback_claimed_by = ?, callback_claimed_until = ?, callback_failed_at = ?, queue_key = ? WHERE id = ?`,
		t.Status, nullID(t.OrganizationID), nullID(t.ParentID), nullUnix(t.AcceptedAt), nullUnix(t.DoneAt), nullUnix(t.ClosedAt),
		onTime, t.ReopenCount, t.CallAttempts, t.Version, t.Seq, unix(t.UpdatedAt), nullUnix(t.LocalizedAt),
		nullUnix(cb.LastCallAt), nullUnix(cb.RetryAt), nullID(cb.ClaimedBy), nullUnix(cb.ClaimedUntil), nullUnix(cb.FailedAt), key, t.ID)
	if err != nil {
		return err
	}
	if err := tx.notifyChange(t, a, from); err != nil {
		return err
	}
	return tx.event(t.ID, a, from, t.Status, note, public)
}

// ActInput is what comes with an action.
type ActInput struct {
	Note           string
	OrganizationID int64     // route: where to (0: by the routing rules)
	Parent         string    // link: the ticket this call is about
	Version        int64     // the version the person saw; 0: do not check
	Public         bool      // comment: meant for the resident
	RetryAt        time.Time // call-failed: call the resident again then (zero: as soon as possible)
}

// Act takes action a on the ticket with number, as the user of the transaction.
func (tx *Tx) Act(number string, a app.Action, in ActInput) (*app.Ticket, error) {
	tx.touch(ScopeTickets)
	number = strings.ToUpper(strings.TrimSpace(number))
	t, err := tx.ticketBy("t.number = ?", number)
	if err == sql.ErrNoRows {
		return nil, notFound(number)
	} else if err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	to, err := app.Check(tx.user, t, a, in.Note)
	if err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != t.Version {
		return nil, app.Errorf(app.ECONFLICT, "Заявка %s изменилась, пока вы её смотрели (сейчас: «%s»). Обновите страницу и проверьте.", t.Number, t.Status.Title())
	}
	from := t.Status
	public := true
	switch a {
	case app.ActionComment:
		if err := tx.event(t.ID, a, from, from, in.Note, in.Public || tx.user.Role == app.RoleResident); err != nil {
			return nil, err
		}
		return t, nil
	case app.ActionLink:
		return t, tx.link(t, in)
	case app.ActionClaim:
		return t, tx.claim(t)
	case app.ActionLocalize:
		t.LocalizedAt = tx.now
		if tx.user.Role == app.RoleOperator { // taken by phone: whose word it is
			in.Note = "Со слов организации «" + t.OrgName + "»: " + in.Note
		}
		if err := tx.update(t, a, from, in.Note, true); err != nil {
			return nil, err
		}
		return t, nil
	case app.ActionRoute:
		b, err := tx.building(t.BuildingID)
		if err != nil {
			return nil, err
		}
		wt, err := tx.workType(t.WorkType.Code)
		if err != nil {
			return nil, err
		}
		rt, err := tx.routeTarget(b, wt, in.OrganizationID)
		if err != nil {
			return nil, err
		}
		t.OrganizationID, t.OrgName = rt.ID, rt.Name
		if rt.Why != "" {
			in.Note = strings.TrimSpace(rt.Why + " " + in.Note)
		}
	case app.ActionAccept:
		if t.AcceptedAt.IsZero() {
			t.AcceptedAt = tx.now
		}
	case app.ActionReturn:
		t.OrganizationID, t.OrgName = 0, ""
		public = false
	case app.ActionDone:
		t.DoneAt = tx.now
		t.Callback = app.Callback{} // a new piece of work: a new round of calls
	case app.ActionConfirm, app.ActionReject:
		if tx.user.Role == app.RoleOperator && t.ClaimedByOther(tx.user, tx.now) {
			return nil, app.ClaimConflict(t, tx.loc())
		}
		if a == app.ActionConfirm {
			t.ClosedAt = tx.now
			onTime := !t.DoneAt.After(t.DueAt)
			t.DoneOnTime = &onTime
		} else {
			t.ReopenCount++
		}
		t.Callback.ClaimedBy, t.Callback.ClaimedUntil, t.Callback.RetryAt = 0, time.Time{}, time.Time{}
	case app.ActionCallFailed:
		if err := tx.callFailed(t, in.RetryAt); err != nil {
			return nil, err
		}
	}
	t.Status = to
	if err := tx.update(t, a, from, in.Note, public); err != nil {
		return nil, err
	}
	if a.Propagates() {
		if err := tx.carryChildren(t, a, from); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// carryChildren moves the tickets linked to parent that stood where it stood along
// with it: one outage, many calls, one piece of work.
func (tx *Tx) carryChildren(parent *app.Ticket, a app.Action, from app.Status) error {
	numbers, err := tx.childNumbers(parent.ID, from)
	if err != nil {
		return err
	}
	for _, n := range numbers {
		c, err := tx.ticketBy("t.number = ?", n)
		if err != nil {
			return err
		}
		c.Status, c.OrganizationID = parent.Status, parent.OrganizationID
		switch a {
		case app.ActionAccept:
			if c.AcceptedAt.IsZero() {
				c.AcceptedAt = tx.now
			}
		case app.ActionDone:
			c.DoneAt = tx.now
		}
		if err := tx.update(c, app.ActionFollow, from, fmt.Sprintf("Вместе с заявкой %s: %s", parent.Number, strings.ToLower(a.Title())), true); err != nil {
			return err
		}
	}
	return nil
}

// link makes t one more call about the incident of in.Parent: it takes the parent's
// status and organisation and moves with it from then on.
func (tx *Tx) link(t *app.Ticket, in ActInput) error {
	pn := strings.ToUpper(strings.TrimSpace(in.Parent))
	bad := func(msg string) error {
		return &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"parent": msg}}
	}
	if pn == "" {
		return bad("Укажите номер основной заявки.")
	}
	p, err := tx.ticketBy("t.number = ?", pn)
	if err == sql.ErrNoRows || (err == nil && !app.CanSee(tx.user, p)) {
		return bad("Заявка " + pn + " не найдена.")
	} else if err != nil {
		return err
	}
	if p.ParentID != 0 { // link to the root: one incident, one parent
		if p, err = tx.ticketBy("t.id = ?", p.ParentID); err != nil {
			return err
		}
	}
	if p.ID == t.ID {
		return bad("Заявку нельзя связать с самой собой.")
	}
	if p.Status.Final() {
		return app.Errorf(app.ECONFLICT, "Основная заявка %s уже %s; зарегистрируйте новую.", p.Number, strings.ToLower(p.Status.Title()))
	}
	from := t.Status
	t.ParentID, t.ParentNumber, t.ParentStatus = p.ID, p.Number, p.Status
	t.Status, t.OrganizationID, t.OrgName = p.Status, p.OrganizationID, p.OrgName
	if t.AcceptedAt.IsZero() {
		t.AcceptedAt = p.AcceptedAt
	}
	if p.Status == app.StatusDone {
		t.DoneAt = p.DoneAt
	}
	note := "Связана с заявкой " + p.Number
	if in.Note != "" {
		note += ": " + in.Note
	}
	if err := tx.update(t, app.ActionLink, from, note, true); err != nil {
		return err
	}
	// Calls already linked to t now follow the same parent; those that moved with t
	// move on with it. Each is a change of that ticket: a new version for the export
	// and a line in its own audit trail.
	children, err := tx.childNumbers(t.ID, "")
	if err != nil {
		return err
	}
	for _, n := range children {
		c, err := tx.ticketBy("t.number = ?", n)
		if err != nil {
			return err
		}
		cfrom := c.Status
		if c.Status == from && from.WorkOpen() {
			c.Status, c.OrganizationID = t.Status, t.OrganizationID
			if c.AcceptedAt.IsZero() {
				c.AcceptedAt = t.AcceptedAt
			}
			if t.Status == app.StatusDone {
				c.DoneAt = t.DoneAt
			}
		}
		c.ParentID = p.ID
		if err := tx.update(c, app.ActionFollow, cfrom, note, true); err != nil {
			return err
		}
	}
	return nil
}

// childNumbers lists the tickets linked to parent, those in status only unless it is "".
func (tx *Tx) childNumbers(parent int64, status app.Status) ([]string, error) {
	q, args := "SELECT number FROM tickets WHERE parent_id = ?", []any{parent}
	if status != "" {
		q, args = q+" AND status = ?", append(args, status)
	}
	rows, err := tx.tx.QueryContext(tx.ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Act is Tx.Act in its own transaction, as the user in ctx.
func (s *Store) Act(ctx context.Context, number string, a app.Action, in ActInput) (*app.Ticket, error) {
	var out *app.Ticket
	err := s.Write(ctx, func(tx *Tx) error {
		t, err := tx.Act(number, a, in)
		if err != nil {
			return err
		}
		out, err = tx.ticketBy("t.id = ?", t.ID)
		return err
	})
	return out, err
}

// CreateTicket is Tx.CreateTicket in its own transaction, as the user in ctx; it
// also returns, in brief, the open tickets of the same building and category from
// the last 7 days (duplicateBriefs), so that the operator can link instead of
// filing twice. It is CreateTicketKeyed without a key.
func (s *Store) CreateTicket(ctx context.Context, n app.NewTicket) (*app.Ticket, []app.TicketBrief, error) {
	t, dups, _, err := s.CreateTicketKeyed(ctx, n, "")
	if err != nil {
		return nil, nil, err
	}
	return t, dups, nil
}

// Duplicates lists the open tickets of t's building and category from the 7 days
// before t, that the user in ctx may see — of the same flat only when t's fault
// lies inside a flat (app.InFlat). It reads that week of that building from the
// index tickets_building, and only the rows of its category (duplicateWalk).
func (s *Store) Duplicates(ctx context.Context, t *app.Ticket) ([]*app.Ticket, error) {
	q, args := s.duplicatesQuery(ctx, t)
	if q == "" {
		return []*app.Ticket{}, nil
	}
	return scanTickets(s.readQuery(ctx, q, args...))
}

// scanTickets reads every row of rows (a ticketSelect), closing it.
func scanTickets(rows *sql.Rows, err error) ([]*app.Ticket, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*app.Ticket{}
	for rows.Next() {
		d, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Events returns the audit trail of a ticket the user in ctx may see, oldest
// first. A resident sees the notes meant for them only.
func (s *Store) Events(ctx context.Context, number string) ([]app.Event, error) {
	t, err := s.Ticket(ctx, number)
	if err != nil {
		return nil, err
	}
	u := app.UserFrom(ctx)
	rows, err := s.readQuery(ctx, `SELECT e.id, e.ticket_id, e.at, COALESCE(e.actor_id, 0), e.actor, COALESCE(NULLIF(u.name, ''), e.actor), e.action, e.from_status, e.to_status, e.note, e.public
		FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.ticket_id = ? ORDER BY e.id`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []app.Event{}
	for rows.Next() {
		var e app.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &at, &e.ActorID, &e.Actor, &e.ActorName, &e.Action, &e.From, &e.To, &e.Note, &e.Public); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		if u != nil && u.Role == app.RoleResident {
			if !e.Public {
				if e.Action == app.ActionComment {
					continue
				}
				e.Note = ""
			}
			if e.ActorID != u.ID {
				e.Actor, e.ActorName = "центр", "центр"
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
