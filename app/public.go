package app

import "time"

// PublicTicket is a ticket as anyone may see it: what was wrong in which house and
// how fast it was fixed. It has no field for the reporter, the apartment or the
// description, so a public page cannot show them by mistake.
type PublicTicket struct {
	Number     string
	WorkType   string
	Category   string
	Emergency  bool
	Status     Status
	CreatedAt  time.Time
	DueAt      time.Time
	DoneAt     time.Time
	ClosedAt   time.Time
	DoneOnTime *bool
}

// Timeliness says whether the work was (or is being) done in time, as a public page
// shows it.
type Timeliness string

const (
	OnTime   Timeliness = "on_time"   // done before the deadline
	Late     Timeliness = "late"      // done after it
	Overdue  Timeliness = "overdue"   // not done, deadline passed
	Pending  Timeliness = "pending"   // not done, deadline ahead
	NotCount Timeliness = "not_count" // cancelled
	NoClock  Timeliness = "no_clock"  // a hand-off (a gas smell): no deadline in hours
)

// Timeliness of t at now.
func (t *PublicTicket) Timeliness(now time.Time) Timeliness {
	switch {
	case t.Status == StatusCancelled:
		return NotCount
	case t.DueAt.IsZero():
		return NoClock
	case t.DoneOnTime != nil && *t.DoneOnTime:
		return OnTime
	case t.DoneOnTime != nil:
		return Late
	case !t.DoneAt.IsZero() && !t.DoneAt.After(t.DueAt):
		return OnTime
	case !t.DoneAt.IsZero():
		return Late
	case now.After(t.DueAt):
		return Overdue
	}
	return Pending
}

// Title is the Russian word for a timeliness.
func (t Timeliness) Title() string {
	switch t {
	case OnTime:
		return "в срок"
	case Late:
		return "с опозданием"
	case Overdue:
		return "просрочена"
	case Pending:
		return "срок не истёк"
	case NoClock:
		return "без срока: передано в аварийную службу"
	}
	return "—"
}

// Figures are the public numbers of a period, for the whole municipality or one
// organisation.
type Figures struct {
	Registered   int           // tickets registered in the period
	Closed       int           // closed (confirmed by residents) in the period
	ClosedOnTime int           // of Closed, done before the deadline
	MedianFix    time.Duration // registration to done, over Closed; 0 when none
	Open         int           // work not finished now
	Overdue      int           // of Open, past the deadline now
}

// OnTimeShare is the share of closed tickets done in time, in per cent; -1 when
// nothing was closed.
func (f Figures) OnTimeShare() int {
	if f.Closed == 0 {
		return -1
	}
	return (f.ClosedOnTime*100 + f.Closed/2) / f.Closed
}

// Attachment is a photo attached to a ticket.
type Attachment struct {
	ID         int64
	TicketID   int64
	Kind       string // "report" (by the resident) or "done" (by the organisation)
	File       string // relative to the uploads folder
	Thumb      string
	Width      int
	Height     int
	Bytes      int
	UploadedBy int64
	CreatedAt  time.Time
}

// Attachment kinds.
const (
	AttachReport = "report"
	AttachDone   = "done"
)
