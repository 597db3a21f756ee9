package app

import "time"

// The working order of a queue (sort=clock): emergencies first, then the ticket
// whose nearest unmet clock runs out first. It is kept on the ticket as one
// integer, queue_key, written with every change, so that a queue page is a walk
// along one index however many tickets there are.

// NonEmergencyKey puts every ordinary ticket after every emergency: Unix seconds
// stay far below 2^40 for the next 30,000 years, so a key below it is an emergency's.
const NonEmergencyKey = int64(1) << 40

// ClockAt is the nearest clock of t that has not been met yet: for a ticket
// nobody could be routed to at filing, the centre's own routing norm; then
// localisation of an emergency, acceptance, resolution; for work reported done,
// the confirmation call (or the time the resident asked to be called back). A
// finished ticket has no clock: its registration time stands in.
func (t *Ticket) ClockAt(routeNorm time.Duration) time.Time {
	earliest := func(ts ...time.Time) time.Time {
		var m time.Time
		for _, x := range ts {
			if !x.IsZero() && (m.IsZero() || x.Before(m)) {
				m = x
			}
		}
		return m
	}
	localize := t.LocalizeDueAt
	if !t.LocalizedAt.IsZero() { // met
		localize = time.Time{}
	}
	switch t.Status {
	case StatusNew:
		return earliest(t.UpdatedAt.Add(routeNorm), localize, t.AcceptDueAt, t.DueAt)
	case StatusRouted, StatusReopened:
		return earliest(localize, t.AcceptDueAt, t.DueAt)
	case StatusAccepted:
		return earliest(localize, t.DueAt)
	case StatusDone:
		if !t.Callback.RetryAt.IsZero() {
			return t.Callback.RetryAt
		}
		return t.DoneAt
	}
	return t.CreatedAt
}

// WorkingOrderKey is t's place in the working order: emergencies first, then by ClockAt.
func (t *Ticket) WorkingOrderKey(routeNorm time.Duration) int64 {
	at := t.ClockAt(routeNorm)
	k := at.Unix()
	if at.IsZero() { // no clock at all (a hand-off): as the database holds it, never due
		k = NoDeadlineUnix
	}
	if !t.WorkType.Emergency {
		k += NonEmergencyKey
	}
	return k
}

// Sorts of a ticket list: by registration, newest first (the default), or in
// working order.
const (
	SortCreated = "created"
	SortClock   = "clock"
)
