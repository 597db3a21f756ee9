package app

import "time"

// The confirmation call (обзвон): an operator claims a ticket done by its
// organisation, calls the resident and records a confirmation, a rejection or a
// failed attempt. These rules keep two operators off the same resident and make a
// failed call come back when the resident asked to be called.

const (
	// ClaimFor is how long a claimed callback stays the operator's own.
	ClaimFor = 10 * time.Minute
	// MaxRetryAhead is how far ahead «перезвонить в …» may be set.
	MaxRetryAhead = 30 * 24 * time.Hour
	// DefaultCallbackAttempts is the number of failed calls (spread over at least
	// two days) after which the supervisor sees «Не удалось связаться».
	DefaultCallbackAttempts = 3
	// callbackDays is over how many different days those calls must be made.
	callbackDays = 2
)

// Callback is where a ticket's confirmation call stands.
type Callback struct {
	ClaimedBy     int64     // the operator calling now (0: nobody)
	ClaimedByName string    // their name as colleagues know it
	ClaimedUntil  time.Time // the claim lapses then
	RetryAt       time.Time // call again at (zero: as soon as possible)
	LastCallAt    time.Time // the last failed attempt
	FailedAt      time.Time // set when the attempts ran out: «Не удалось связаться»
}

// ClaimedByOther reports whether another operator holds t's callback at now.
func (t *Ticket) ClaimedByOther(u *User, now time.Time) bool {
	return t.Callback.ClaimedBy != 0 && (u == nil || t.Callback.ClaimedBy != u.ID) && now.Before(t.Callback.ClaimedUntil)
}

// ClaimConflict is the error for an operator reaching for a callback a colleague holds.
func ClaimConflict(t *Ticket, loc *time.Location) error {
	return Errorf(ECONFLICT, "Жителю по заявке %s уже звонит %s (до %s). Возьмите другую заявку.",
		t.Number, t.Callback.ClaimedByName, t.Callback.ClaimedUntil.In(loc).Format("15:04"))
}

// CheckRetryAt validates a «перезвонить в …» time: not in the past and at most 30
// days ahead. The zero time means «as soon as possible».
func CheckRetryAt(at, now time.Time) error {
	if at.IsZero() {
		return nil
	}
	bad := func(msg string) error {
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"retry_at": msg}}
	}
	if at.Before(now.Add(-time.Minute)) {
		return bad("Время повторного звонка уже прошло; укажите время в будущем.")
	}
	if at.After(now.Add(MaxRetryAhead)) {
		return bad("Повторный звонок можно назначить не дальше чем через 30 дней.")
	}
	return nil
}

// CallbackGivenUp reports whether the failed attempts (their times, since the work
// was last reported done) exhaust the municipality's number n: at least n calls,
// made on at least two different days in loc, so that one bad afternoon does not
// give up on a resident.
func CallbackGivenUp(attempts []time.Time, n int, loc *time.Location) bool {
	if n <= 0 {
		n = DefaultCallbackAttempts
	}
	if len(attempts) < n {
		return false
	}
	days := map[string]bool{}
	for _, a := range attempts {
		days[a.In(loc).Format("2006-01-02")] = true
	}
	return len(days) >= callbackDays
}

// CallbackJSON is the callback as the API shows it to the centre.
type CallbackJSON struct {
	ClaimedBy    *string `json:"claimed_by"`
	ClaimedUntil *string `json:"claimed_until"`
	RetryAt      *string `json:"retry_at"`
	LastCallAt   *string `json:"last_call_at"`
	FailedAt     *string `json:"failed_at"`
}

// CallbackJSON shows t's callback as of now in loc; a lapsed claim shows as none.
func (t *Ticket) CallbackJSON(loc *time.Location, now time.Time) *CallbackJSON {
	cb := &CallbackJSON{RetryAt: optTime(t.Callback.RetryAt, loc), LastCallAt: optTime(t.Callback.LastCallAt, loc), FailedAt: optTime(t.Callback.FailedAt, loc)}
	if t.Callback.ClaimedBy != 0 && now.Before(t.Callback.ClaimedUntil) {
		name := t.Callback.ClaimedByName
		cb.ClaimedBy, cb.ClaimedUntil = &name, optTime(t.Callback.ClaimedUntil, loc)
	}
	return cb
}
