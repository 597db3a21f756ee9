package web

import (
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// parseRetryAt reads «перезвонить в …»: RFC 3339 from the API, or the form's
// datetime-local («2026-11-30T18:30») in the municipality's time zone. "" is none.
func parseRetryAt(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", app.DateTimeLayout} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), nil
		}
	}
	msg := "Не понимаю время повторного звонка; пример: 30.11.2026 18:30."
	return time.Time{}, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"retry_at": msg}}
}

// callbackView is a done ticket's confirmation call as the queue and the call
// screen show it, in the municipality's time.
type callbackView struct {
	DoneWhen    string // when the organisation reported the work done
	LastCall    string // the last failed attempt
	RetryWhen   string // «перезвонить в …»
	GaveUp      string // when the attempts ran out
	CallerOther string // the colleague calling now
	CallerMe    string // until when the signed-in operator holds the call
}

func newCallbackView(t *app.Ticket, u *app.User, loc *time.Location, now time.Time) callbackView {
	f := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.In(loc).Format("02.01 15:04")
	}
	v := callbackView{DoneWhen: f(t.DoneAt), LastCall: f(t.Callback.LastCallAt), RetryWhen: f(t.Callback.RetryAt), GaveUp: f(t.Callback.FailedAt)}
	if t.Status != app.StatusDone {
		return v
	}
	if t.ClaimedByOther(u, now) {
		v.CallerOther = t.Callback.ClaimedByName
	} else if t.Callback.ClaimedBy != 0 && now.Before(t.Callback.ClaimedUntil) {
		v.CallerMe = t.Callback.ClaimedUntil.In(loc).Format("15:04")
	}
	return v
}
