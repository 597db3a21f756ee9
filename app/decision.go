package app

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Decisions (поручения) of the weekly meeting (issue #13): the supervisor records
// them during the meeting; the responsible organisation reports each done with a
// note; the next week's report lists every one with its state.

// DecisionState is where a decision stands.
type DecisionState string

const (
	DecisionOpen     DecisionState = "open"      // not done, the due date not passed
	DecisionOverdue  DecisionState = "overdue"   // not done, the due date passed
	DecisionDone     DecisionState = "done"      // done by the due date
	DecisionDoneLate DecisionState = "done_late" // done after the due date
)

// Title is the state in Russian.
func (s DecisionState) Title() string {
	switch s {
	case DecisionOpen:
		return "в работе"
	case DecisionOverdue:
		return "просрочено"
	case DecisionDone:
		return "выполнено"
	case DecisionDoneLate:
		return "выполнено с опозданием"
	}
	return string(s)
}

// DecisionLayout is how a decision's due date is written: a local day.
const DecisionLayout = "2006-01-02"

// Decision is one decision of a meeting.
type Decision struct {
	ID          int64
	MeetingWeek string // the ISO week of the report the meeting discussed, 2026-W46
	Text        string
	OrgID       int64
	OrgName     string
	BuildingID  int64 // 0: none
	Address     string
	Tickets     []string // ticket numbers
	DueOn       string   // YYYY-MM-DD, local: done by the end of that day
	CreatedAt   time.Time
	CreatedBy   string
	DoneAt      time.Time // zero: not done
	DoneBy      string
	DoneNote    string
}

// State is the decision's state at now, in the municipality's time zone loc.
func (d *Decision) State(now time.Time, loc *time.Location) DecisionState {
	due, err := time.ParseInLocation(DecisionLayout, d.DueOn, loc)
	if err != nil {
		return DecisionOpen
	}
	end := due.AddDate(0, 0, 1)
	if !d.DoneAt.IsZero() {
		if d.DoneAt.Before(end) {
			return DecisionDone
		}
		return DecisionDoneLate
	}
	if !now.Before(end) {
		return DecisionOverdue
	}
	return DecisionOpen
}

// NewDecision is a decision as the supervisor records it.
type NewDecision struct {
	MeetingWeek string
	Text        string
	OrgID       int64
	DueOn       string
	BuildingID  int64
	Tickets     []string
}

// DecisionTextMax is the longest text of a decision, in characters.
const DecisionTextMax = 2000

// Validate checks what needs no database: a text, an organisation, a due date
// that is a date and not in the past (today, in loc, is allowed).
func (n *NewDecision) Validate(now time.Time, loc *time.Location) error {
	fe := FieldErrors{}
	n.Text = strings.TrimSpace(n.Text)
	n.DueOn = strings.TrimSpace(n.DueOn)
	switch {
	case n.Text == "":
		fe.Add("text", "Напишите, что поручено.")
	case utf8.RuneCountInString(n.Text) > DecisionTextMax:
		fe.Add("text", "Текст поручения — не длиннее 2000 знаков.")
	}
	if n.OrgID <= 0 {
		fe.Add("organization_id", "Выберите ответственную организацию.")
	}
	if n.DueOn == "" {
		fe.Add("due_on", "Укажите срок исполнения.")
	} else if due, err := time.ParseInLocation(DecisionLayout, n.DueOn, loc); err != nil {
		fe.Add("due_on", "Срок — дата в виде ГГГГ-ММ-ДД.")
	} else {
		l := now.In(loc)
		today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		if due.Before(today) {
			fe.Add("due_on", "Срок уже прошёл: укажите сегодняшний день или позже.")
		}
	}
	var tickets []string
	seen := map[string]bool{}
	for _, t := range n.Tickets {
		if t = strings.TrimSpace(t); t != "" && !seen[t] {
			seen[t] = true
			tickets = append(tickets, t)
		}
	}
	n.Tickets = tickets
	if len(n.Tickets) > 200 {
		fe.Add("tickets", "Не больше 200 заявок в одном поручении.")
	}
	return fe.Err()
}

// CheckMarkDone says whether u may report the decision d done with note: the
// responsible organisation's user or the housing department, once, with a note.
func (d *Decision) CheckMarkDone(u *User, note string) error {
	if u == nil {
		return Errorf(EUNAUTHORIZED, "Войдите в систему.")
	}
	if u.Role != RoleOrg && u.Role != RoleSupervisor && u.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "Отмечать поручения выполненными могут ответственная организация и Управление ЖКХ.")
	}
	fe := FieldErrors{}
	if u.Role == RoleOrg && u.OrganizationID != d.OrgID {
		fe.Add("organization_id", "Это поручение дано другой организации: отметить его может только она или Управление ЖКХ.")
	}
	if !d.DoneAt.IsZero() {
		fe.Add("id", "Поручение уже отмечено выполненным.")
	}
	note = strings.TrimSpace(note)
	if note == "" {
		fe.Add("note", "Напишите, что сделано.")
	} else if utf8.RuneCountInString(note) > DecisionTextMax {
		fe.Add("note", "Отметка — не длиннее 2000 знаков.")
	}
	return fe.Err()
}
