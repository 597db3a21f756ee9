package store

import (
	"strconv"
	"time"

	"github.com/ecoz/ecoz/app"
)

// loc is the municipality's time zone, for messages and for counting days.
func (tx *Tx) loc() *time.Location {
	name, err := tx.cachedSetting(SetTimeZone)
	if err != nil {
		return time.UTC
	}
	l, err := loadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// claim makes t's confirmation call the operator's own for app.ClaimFor. It is
// not a change of the ticket (no version, no event, nothing for the registry): it
// only keeps colleagues off the same resident. Writes are serialised, so of two
// operators claiming at once the second reads the first one's claim.
func (tx *Tx) claim(t *app.Ticket) error {
	if t.ClaimedByOther(tx.user, tx.now) {
		return app.ClaimConflict(t, tx.loc())
	}
	until := tx.now.Add(app.ClaimFor)
	if _, err := tx.exec("UPDATE tickets SET callback_claimed_by = ?, callback_claimed_until = ? WHERE id = ?", tx.user.ID, unix(until), t.ID); err != nil {
		return err
	}
	t.Callback.ClaimedBy, t.Callback.ClaimedUntil = tx.user.ID, until
	t.Callback.ClaimedByName = tx.user.Name
	if t.Callback.ClaimedByName == "" {
		t.Callback.ClaimedByName = tx.user.Login
	}
	return nil
}

// callFailed records a failed attempt on t: the claim is released, the ticket
// comes back to the queue at retryAt (or at once), and once the municipality's
// number of attempts, made on at least two days, is reached it moves to «Не
// удалось связаться» — still done, for only the resident's «да» closes it.
func (tx *Tx) callFailed(t *app.Ticket, retryAt time.Time) error {
	if t.ClaimedByOther(tx.user, tx.now) {
		return app.ClaimConflict(t, tx.loc())
	}
	if err := app.CheckRetryAt(retryAt, tx.now); err != nil {
		return err
	}
	t.CallAttempts++
	t.Callback.LastCallAt, t.Callback.RetryAt = tx.now, retryAt
	t.Callback.ClaimedBy, t.Callback.ClaimedUntil = 0, time.Time{}
	if !t.Callback.FailedAt.IsZero() {
		return nil
	}
	// The attempts since the work was last reported done, this one included.
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT at FROM ticket_events WHERE ticket_id = ? AND action = 'call-failed' AND at >= ?", t.ID, unix(t.DoneAt))
	if err != nil {
		return err
	}
	defer rows.Close()
	attempts := []time.Time{tx.now}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return err
		}
		attempts = append(attempts, time.Unix(at, 0))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	n, _ := tx.cachedSetting(SetCallbackAttempts)
	limit, _ := strconv.Atoi(n)
	if app.CallbackGivenUp(attempts, limit, tx.loc()) {
		t.Callback.FailedAt, t.Callback.RetryAt = tx.now, time.Time{}
	}
	return nil
}
