package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Default creation limits per user: staff file tickets for callers all day long,
// a resident files a few.
const (
	DefaultStaffCreateLimit    = 120 // a minute
	DefaultResidentCreateLimit = 10  // an hour
)

// createLimiter counts the tickets each user created in a sliding window: staff
// per minute, residents per hour. A limit of 0 is off. Kept in memory: a restart
// forgets the counts, which only ever lets a few more through.
type createLimiter struct {
	mu              sync.Mutex
	staff, resident int
	hits            map[int64][]time.Time
}

func newCreateLimiter(staff, resident int) *createLimiter {
	return &createLimiter{staff: staff, resident: resident, hits: map[int64][]time.Time{}}
}

func (l *createLimiter) set(staff, resident int) {
	l.mu.Lock()
	l.staff, l.resident = staff, resident
	l.mu.Unlock()
}

// take counts one creation by u at now, or refuses it with rate_limited and a
// message a person can act on.
func (l *createLimiter) take(u *app.User, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit, window, per := l.staff, time.Minute, "в минуту"
	if u.Role == app.RoleResident {
		limit, window, per = l.resident, time.Hour, "в час"
	}
	if limit <= 0 {
		return nil
	}
	h := l.hits[u.ID]
	i := 0
	for i < len(h) && !h[i].After(now.Add(-window)) {
		i++
	}
	h = h[i:]
	if len(h) >= limit {
		l.hits[u.ID] = h
		wait := h[0].Add(window).Sub(now).Round(time.Minute)
		if wait < time.Minute {
			wait = time.Minute
		}
		msg := fmt.Sprintf("Слишком много заявок подряд: с одной учётной записи можно подать не больше %d %s. Повторите через %d мин.", limit, per, int(wait.Minutes()))
		if u.Role == app.RoleResident {
			msg += " Если случилась авария, позвоните в единый центр."
		}
		return app.Errorf(app.ERATELIMITED, "%s", msg)
	}
	l.hits[u.ID] = append(h, now)
	if len(l.hits) > 10000 { // forget users who have gone quiet
		for id, hs := range l.hits {
			if len(hs) == 0 || !hs[len(hs)-1].After(now.Add(-time.Hour)) {
				delete(l.hits, id)
			}
		}
	}
	return nil
}

// undo gives back the last creation of u: a retry answered with the ticket it
// already created costs nothing.
func (l *createLimiter) undo(u *app.User) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := l.hits[u.ID]; len(h) > 0 {
		l.hits[u.ID] = h[:len(h)-1]
	}
}

// SetCreateLimits sets the tickets a staff user may create a minute and a
// resident an hour (--staff-create-limit, --resident-create-limit); 0 is no limit.
func (s *Server) SetCreateLimits(staff, resident int) { s.limiter.set(staff, resident) }

// newFormKey is the Idempotency-Key a creation form carries.
func newFormKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
