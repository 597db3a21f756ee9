package app

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a ticket stands in its lifecycle.
type Status string

const (
	StatusNew       Status = "new"       // registered, not yet sent to an organisation
	StatusRouted    Status = "routed"    // sent, awaiting acceptance
	StatusAccepted  Status = "accepted"  // in work
	StatusDone      Status = "done"      // reported done, awaiting the resident's confirmation
	StatusClosed    Status = "closed"    // confirmed by the resident
	StatusReopened  Status = "reopened"  // confirmation rejected, back with the organisation
	StatusCancelled Status = "cancelled" // duplicate, not a housing matter, withdrawn
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusNew, StatusRouted, StatusAccepted, StatusDone, StatusReopened, StatusClosed, StatusCancelled}

// OpenStatuses are the statuses of tickets whose work is not finished: the ones a
// deadline can be missed in.
var OpenStatuses = []Status{StatusNew, StatusRouted, StatusAccepted, StatusReopened}

// ActiveStatuses are the statuses that are not final: work open, or done and
// awaiting the resident's confirmation.
func ActiveStatuses() []Status {
	var out []Status
	for _, s := range Statuses {
		if !s.Final() {
			out = append(out, s)
		}
	}
	return out
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Final reports whether no action but a comment can follow.
func (s Status) Final() bool { return s == StatusClosed || s == StatusCancelled }

// WorkOpen reports whether the work is not yet reported done.
func (s Status) WorkOpen() bool {
	for _, x := range OpenStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Title is the Russian name of the status.
func (s Status) Title() string {
	switch s {
	case StatusNew:
		return "Новая"
	case StatusRouted:
		return "Направлена в УО"
	case StatusAccepted:
		return "В работе"
	case StatusDone:
		return "Выполнена, ждёт подтверждения"
	case StatusClosed:
		return "Закрыта"
	case StatusReopened:
		return "Открыта повторно"
	case StatusCancelled:
		return "Отменена"
	}
	return string(s)
}

// Action is something a person does to a ticket.
type Action string

const (
	ActionCreate     Action = "create"
	ActionRoute      Action = "route"
	ActionAccept     Action = "accept"
	ActionReturn     Action = "return"
	ActionDone       Action = "done"
	ActionConfirm    Action = "confirm"
	ActionReject     Action = "reject"
	ActionCallFailed Action = "call-failed"
	ActionClaim      Action = "claim" // I am calling this resident
	ActionCancel     Action = "cancel"
	ActionLink       Action = "link"
	ActionComment    Action = "comment"
	ActionFollow     Action = "follow" // a linked ticket moving with its parent
	ActionLocalize   Action = "localize"
	ActionHandoff    Action = "handoff" // the operator handed the call to the emergency number
)

// Title is the Russian name of the action, as shown on its button and in the timeline.
func (a Action) Title() string {
	switch a {
	case ActionCreate:
		return "Зарегистрирована"
	case ActionRoute:
		return "Направить в УО"
	case ActionAccept:
		return "Принять в работу"
	case ActionReturn:
		return "Вернуть в центр (не наша)"
	case ActionDone:
		return "Выполнено"
	case ActionConfirm:
		return "Житель подтвердил"
	case ActionReject:
		return "Житель не подтвердил"
	case ActionCallFailed:
		return "Не дозвонились"
	case ActionClaim:
		return "Звоню"
	case ActionCancel:
		return "Отменить"
	case ActionLink:
		return "Связать с заявкой"
	case ActionComment:
		return "Комментарий"
	case ActionAnonymize:
		return "Персональные данные обезличены"
	case ActionFollow:
		return "Вместе с основной заявкой"
	case ActionLocalize:
		return "Авария локализована"
	case ActionHandoff:
		return "Звонок передан"
	}
	return string(a)
}

// Transition is one row of the lifecycle table: who may do Action from which
// statuses, and where it leads. To == "" means the status does not change (or, for
// link, becomes the parent's).
type Transition struct {
	Action       Action
	From         []Status
	To           Status
	Roles        []Role
	NoteRequired bool
}

var anyOpen = []Status{StatusNew, StatusRouted, StatusAccepted, StatusDone, StatusReopened}

// Transitions is the lifecycle of a ticket: status × action × role → new status.
// Both the JSON API and the web UI act through it.
var Transitions = []Transition{
	{Action: ActionRoute, From: []Status{StatusNew}, To: StatusRouted, Roles: []Role{RoleOperator, RoleSupervisor}},
	{Action: ActionAccept, From: []Status{StatusRouted, StatusReopened}, To: StatusAccepted, Roles: []Role{RoleOrg}},
	{Action: ActionReturn, From: []Status{StatusRouted}, To: StatusNew, Roles: []Role{RoleOrg}, NoteRequired: true},
	{Action: ActionDone, From: []Status{StatusAccepted}, To: StatusDone, Roles: []Role{RoleOrg}},
	{Action: ActionConfirm, From: []Status{StatusDone}, To: StatusClosed, Roles: []Role{RoleOperator, RoleResident}},
	{Action: ActionReject, From: []Status{StatusDone}, To: StatusReopened, Roles: []Role{RoleOperator, RoleResident}, NoteRequired: true},
	{Action: ActionCallFailed, From: []Status{StatusDone}, To: StatusDone, Roles: []Role{RoleOperator}},
	{Action: ActionClaim, From: []Status{StatusDone}, To: StatusDone, Roles: []Role{RoleOperator}},
	{Action: ActionCancel, From: anyOpen, To: StatusCancelled, Roles: []Role{RoleOperator, RoleSupervisor}, NoteRequired: true},
	{Action: ActionLink, From: anyOpen, Roles: []Role{RoleOperator, RoleSupervisor}},
	{Action: ActionComment, From: Statuses, Roles: Roles},
	// localize records that the emergency was localised (water shut off, power
	// isolated, area fenced): by the organisation, or by the operator taking its
	// report by phone. The status does not change.
	{Action: ActionLocalize, From: []Status{StatusRouted, StatusAccepted, StatusReopened}, Roles: []Role{RoleOrg, RoleOperator}, NoteRequired: true},
}

// TicketActions lists the actions of the API, in the order the UI offers them.
var TicketActions = []Action{ActionLocalize, ActionRoute, ActionAccept, ActionReturn, ActionDone, ActionConfirm, ActionReject, ActionClaim, ActionCallFailed, ActionCancel, ActionLink, ActionComment}

// FindTransition returns the row for action, or nil for an unknown action.
func FindTransition(a Action) *Transition {
	for i := range Transitions {
		if Transitions[i].Action == a {
			return &Transitions[i]
		}
	}
	return nil
}

func hasStatus(list []Status, s Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasRole(list []Role, r Role) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

// CanSee reports whether u may see t at all. A ticket the user may not see must
// look to them as if it did not exist.
func CanSee(u *User, t *Ticket) bool {
	switch {
	case u == nil:
		return false
	case u.SeesAllTickets():
		return true
	case u.Role == RoleOrg:
		return t.OrganizationID != 0 && t.OrganizationID == u.OrganizationID
	case u.Role == RoleResident:
		return t.ResidentID != 0 && t.ResidentID == u.ID
	}
	return false
}

// Check says whether u may take action a on t now. It returns ENOTFOUND when u may
// not see t, EFORBIDDEN when u's role may never take a, ECONFLICT when a is not
// allowed in t's current status (or, for localize, when t has no localisation
// clock or was localised already), EINVALID when a required note is missing, and
// the status the ticket moves to otherwise (for link: "" — the parent's status;
// for localize and comment: "" — no change).
func Check(u *User, t *Ticket, a Action, note string) (Status, error) {
	if !CanSee(u, t) {
		return "", Errorf(ENOTFOUND, "Заявка %s не найдена.", t.Number)
	}
	tr := FindTransition(a)
	if tr == nil {
		return "", Errorf(ENOTFOUND, "Неизвестное действие «%s».", a)
	}
	if !hasRole(tr.Roles, u.Role) {
		return "", Errorf(EFORBIDDEN, "Действие «%s» недоступно для роли «%s».", a.Title(), u.Role.Title())
	}
	if !hasStatus(tr.From, t.Status) {
		return "", Errorf(ECONFLICT, "Действие «%s» невозможно: заявка %s в статусе «%s».", a.Title(), t.Number, t.Status.Title())
	}
	if a == ActionLocalize {
		if t.LocalizeDueAt.IsZero() {
			return "", Errorf(ECONFLICT, "У заявки %s нет срока локализации: вид работ «%s» не аварийный в смысле ПП № 416.", t.Number, t.WorkType.Name)
		}
		if !t.LocalizedAt.IsZero() {
			return "", Errorf(ECONFLICT, "Авария по заявке %s уже локализована.", t.Number)
		}
	}
	if t.FollowsParent() && a != ActionComment && a != ActionCancel && a != ActionLink && a != ActionLocalize {
		return "", Errorf(ECONFLICT, "Заявка %s связана с заявкой %s и меняет статус вместе с ней.", t.Number, t.ParentNumber)
	}
	if tr.NoteRequired && strings.TrimSpace(note) == "" {
		if a == ActionLocalize {
			return "", &Error{Code: EINVALID, Message: "Напишите, что сделано для локализации.", Fields: map[string]string{"note": "Например: перекрыт стояк ХВС в подвале."}}
		}
		return "", &Error{Code: EINVALID, Message: "Для этого действия нужен комментарий.", Fields: map[string]string{"note": "Укажите причину."}}
	}
	if a == ActionComment && strings.TrimSpace(note) == "" {
		return "", &Error{Code: EINVALID, Message: "Комментарий пуст.", Fields: map[string]string{"note": "Напишите комментарий."}}
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return "", &Error{Code: EINVALID, Message: "Комментарий слишком длинный.", Fields: map[string]string{"note": "Не длиннее 2000 символов."}}
	}
	return tr.To, nil
}

// Allowed lists the actions u may take on t now, for the UI's buttons.
func Allowed(u *User, t *Ticket) []Action {
	var out []Action
	for _, a := range TicketActions {
		if _, err := Check(u, t, a, "x"); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// Limits on free text.
const (
	MaxDescription = 4000
	MaxNote        = 2000
)

// Source is how a ticket reached the centre.
type Source string

const (
	SourcePhone  Source = "phone"
	SourcePortal Source = "portal"
)

// Ticket is a resident's request.
type Ticket struct {
	ID         int64
	Number     string
	Status     Status
	Source     Source
	WorkType   WorkType
	BuildingID int64
	Address    string
	// BuildingApartments is the building's flat count (not the reporter's flat).
	BuildingApartments int
	Apartment          string
	Description        string
	ReporterName       string
	ReporterPhone      string
	ResidentID         int64
	OrganizationID     int64
	OrgName            string
	ParentID           int64
	ParentNumber       string
	ParentStatus       Status
	CreatedAt          time.Time
	AcceptDueAt        time.Time
	DueAt              time.Time
	LocalizeDueAt      time.Time // zero unless the work type has a localisation clock
	LocalizedAt        time.Time // zero until the emergency is localised
	AcceptedAt         time.Time
	DoneAt             time.Time
	ClosedAt           time.Time
	DoneOnTime         *bool // set at closure: whether the final done came before DueAt
	ReopenCount        int
	CallAttempts       int
	Callback           Callback // the confirmation call, while done
	QueueKey           int64    // its place in the working order, as stored (WorkingOrderKey)
	Version            int64
	Seq                int64
	UpdatedAt          time.Time
}

// NoDeadlineUnix is what the database holds as the deadline of a hand-off ticket,
// which has none: 3000-01-01, never reached, so that every «overdue» query is
// false for it without knowing about hand-offs. The store reads it back as the
// zero time.
const NoDeadlineUnix int64 = 32503680000

// Overdue reports whether the work is unfinished past its deadline at now.
func (t *Ticket) Overdue(now time.Time) bool {
	return t.Status.WorkOpen() && !t.DueAt.IsZero() && now.After(t.DueAt)
}

// LocalizeOverdue reports whether an emergency waits for localisation past its clock.
func (t *Ticket) LocalizeOverdue(now time.Time) bool {
	return t.LocalizePending() && now.After(t.LocalizeDueAt)
}

// NextClock is the nearest clock of t not yet met: localisation, then acceptance,
// then resolution; "" when none runs (finished work, a hand-off ticket).
func (t *Ticket) NextClock() (string, time.Time) {
	switch {
	case !t.Status.WorkOpen():
		return "", time.Time{}
	case t.LocalizePending():
		return ClockLocalize, t.LocalizeDueAt
	case (t.Status == StatusNew || t.Status == StatusRouted || t.Status == StatusReopened) && t.AcceptedAt.IsZero() && !t.AcceptDueAt.IsZero():
		return ClockAccept, t.AcceptDueAt
	case !t.DueAt.IsZero():
		return ClockResolve, t.DueAt
	}
	return "", time.Time{}
}

// SortByClock orders tickets as staff work them: a pending localisation first,
// then by the nearest unmet clock; tickets with no clock (a hand-off) last.
func SortByClock(list []*Ticket) {
	key := func(t *Ticket) (int, time.Time) {
		k, at := t.NextClock()
		switch {
		case k == ClockLocalize:
			return 0, at
		case k == "":
			return 2, t.CreatedAt
		}
		return 1, at
	}
	sort.SliceStable(list, func(i, j int) bool {
		ri, ai := key(list[i])
		rj, aj := key(list[j])
		if ri != rj {
			return ri < rj
		}
		return ai.Before(aj)
	})
}

// The clocks of a ticket, as the queues name them.
const (
	ClockLocalize = "локализовать"
	ClockAccept   = "принять"
	ClockResolve  = "устранить"
)

// LocalizedLate reports whether the emergency was localised after its clock.
func (t *Ticket) LocalizedLate() bool {
	return !t.LocalizedAt.IsZero() && !t.LocalizeDueAt.IsZero() && t.LocalizedAt.After(t.LocalizeDueAt)
}

// LocalizePending reports whether t has a localisation clock not yet met and the
// work is still open.
func (t *Ticket) LocalizePending() bool {
	return !t.LocalizeDueAt.IsZero() && t.LocalizedAt.IsZero() && t.Status.WorkOpen()
}

// FollowsParent reports whether t is linked to a parent whose status it shares
// while the work is open: then it moves with the parent and not on its own. A linked
// ticket whose resident rejected the fix parts ways and is handled by itself.
func (t *Ticket) FollowsParent() bool {
	return t.ParentID != 0 && t.Status == t.ParentStatus && t.Status.WorkOpen()
}

// Propagates reports whether a parent's action carries its linked tickets along.
func (a Action) Propagates() bool {
	return a == ActionRoute || a == ActionAccept || a == ActionReturn || a == ActionDone
}

// AcceptOverdue reports whether the ticket waits for acceptance past its deadline.
func (t *Ticket) AcceptOverdue(now time.Time) bool {
	return (t.Status == StatusRouted || t.Status == StatusNew) && !t.AcceptDueAt.IsZero() && now.After(t.AcceptDueAt)
}

// Event is one entry of a ticket's audit trail.
type Event struct {
	ID        int64
	TicketID  int64
	At        time.Time
	ActorID   int64
	Actor     string // the login (or «система»), as the audit trail records it
	ActorName string // the person's name as colleagues know it (the login when none)
	Action    Action
	From      Status
	To        Status
	Note      string
	Public    bool // shown to the resident
}

// NewTicket is what a caller files.
type NewTicket struct {
	BuildingID    int64  `json:"building_id"`
	Apartment     string `json:"apartment"`
	WorkType      string `json:"work_type"`
	Description   string `json:"description"`
	ReporterName  string `json:"reporter_name"`
	ReporterPhone string `json:"reporter_phone"`
	// Notifications (#16): the channel the resident agreed to (sms, email, none;
	// "" — a portal resident's own preference) and their e-mail.
	ReporterEmail string `json:"reporter_email,omitempty"`
	Notify        string `json:"notify,omitempty"`
	// HandedOff: for a hand-off type (a gas smell), the operator confirms the call
	// was transferred to the emergency number; the time is recorded.
	HandedOff bool `json:"handed_off,omitempty"`
}

// Normalize trims the fields and checks what can be checked without the
// catalogues; the phone is returned in E.164.
func (n *NewTicket) Normalize() FieldErrors {
	fe := FieldErrors{}
	n.Apartment = strings.TrimSpace(n.Apartment)
	n.WorkType = strings.ToUpper(strings.TrimSpace(n.WorkType))
	n.Description = strings.TrimSpace(n.Description)
	n.ReporterName = strings.TrimSpace(n.ReporterName)
	n.ReporterPhone = strings.TrimSpace(n.ReporterPhone)
	if n.BuildingID <= 0 {
		fe.Add("building_id", "Выберите дом.")
	}
	if n.WorkType == "" {
		fe.Add("work_type", "Выберите вид работ.")
	}
	if utf8.RuneCountInString(n.Apartment) > 20 {
		fe.Add("apartment", "Номер квартиры — не длиннее 20 символов.")
	}
	switch l := utf8.RuneCountInString(n.Description); {
	case l == 0:
		fe.Add("description", "Опишите, что случилось.")
	case l > MaxDescription:
		fe.Add("description", "Описание — не длиннее 4000 символов.")
	}
	if utf8.RuneCountInString(n.ReporterName) > 200 {
		fe.Add("reporter_name", "Имя — не длиннее 200 символов.")
	}
	if n.ReporterPhone == "" {
		fe.Add("reporter_phone", "Укажите телефон заявителя.")
	} else if p, err := NormalizePhone(n.ReporterPhone); err != nil {
		fe.Add("reporter_phone", err.Error())
	} else {
		n.ReporterPhone = p
	}
	checkContact(fe, &n.Notify, n.ReporterPhone, &n.ReporterEmail)
	return fe
}
