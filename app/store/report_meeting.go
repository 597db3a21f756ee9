package store

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"time"
)

// EmergencyLine is one organisation's emergencies whose localisation fell due in
// a period: localised by the deadline, localised late, not localised yet.
type EmergencyLine struct {
	Key, Title           string
	Due                  int
	OnTime, Late, NotYet int
}

// EmergencyTicket is an emergency of the report's list (late or not localised).
type EmergencyTicket struct {
	ReportTicket
	LocalizeDueAt time.Time
	LocalizedAt   time.Time // zero: not localised yet
	Minutes       float64   // from registration to localisation, or to now
}

// emergencyWhere chooses the emergencies whose localisation fell due in [?1, ?2),
// neither cancelled nor linked. A localisation deadline lies within
// localizeLookback of registration (minutes to hours), so the tickets are found
// by registration date (an index) and then by the deadline itself.
const emergencyWhere = ` WHERE t.created_at >= ?1 - ` + localizeLookback + ` AND t.created_at < ?2
  AND t.emergency = 1 AND t.localize_due_at >= ?1 AND t.localize_due_at < ?2
  AND t.parent_id IS NULL AND t.status <> 'cancelled'`

// localizeLookback is 7 days in seconds: far more than any localisation norm.
const localizeLookback = "604800"

// EmergenciesInWeek counts, per organisation holding them, the emergencies whose
// localisation fell due in [from, to), and lists every one localised late or not
// yet (the latest deadline last), computed at now.
func (s *Store) EmergenciesInWeek(ctx context.Context, from, to time.Time) ([]EmergencyLine, []EmergencyTicket, error) {
	var lines []EmergencyLine
	err := s.each(ctx, `SELECT COALESCE(t.organization_id, 0), COALESCE(o.name, ''), count(*),
  COALESCE(sum(t.localized_at <= t.localize_due_at), 0), COALESCE(sum(t.localized_at > t.localize_due_at), 0), COALESCE(sum(t.localized_at IS NULL), 0)
  FROM tickets t LEFT JOIN organizations o ON o.id = t.organization_id`+emergencyWhere+` GROUP BY 1 ORDER BY 3 DESC, 2`,
		[]any{from.Unix(), to.Unix()}, func(sc func(...any) error) error {
			var l EmergencyLine
			var id int64
			if err := sc(&id, &l.Title, &l.Due, &l.OnTime, &l.Late, &l.NotYet); err != nil {
				return err
			}
			l.Key = strconv.FormatInt(id, 10)
			if id == 0 {
				l.Title = "Не направлена в организацию"
			}
			lines = append(lines, l)
			return nil
		})
	if err != nil {
		return nil, nil, err
	}
	var list []EmergencyTicket
	now := s.Now().Unix()
	err = s.each(ctx, `SELECT `+reportTicketCols+`, t.localize_due_at, t.localized_at, (COALESCE(t.localized_at, ?3) - t.created_at) / 60.0
  FROM tickets t`+reportTicketJoins+emergencyWhere+` AND (t.localized_at IS NULL OR t.localized_at > t.localize_due_at)
  ORDER BY t.localize_due_at, t.id`, []any{from.Unix(), to.Unix(), now}, func(sc func(...any) error) error {
		var e EmergencyTicket
		var created, due, ldue int64
		var done, loc sql.NullInt64
		if err := sc(&e.Number, &e.Address, &e.Category, &e.OrgName, &e.Status, &created, &due, &done, &e.Reopens, &ldue, &loc, &e.Minutes); err != nil {
			return err
		}
		e.CreatedAt, e.DueAt, e.DoneAt = time.Unix(created, 0).UTC(), time.Unix(due, 0).UTC(), fromUnix(done)
		e.LocalizeDueAt, e.LocalizedAt = time.Unix(ldue, 0).UTC(), fromUnix(loc)
		list = append(list, e)
		return nil
	})
	return lines, list, err
}

// CentreFigures are the centre's own figures for a period: how fast it routes,
// and how it follows up the residents' confirmations.
type CentreFigures struct {
	Registered              int     // registered in the period (not linked)
	Routed                  int     // of them routed to an organisation by now
	WithinNorm              int     // of them routed within the norm
	Waiting                 int     // of them not routed yet (and not cancelled)
	Queued                  int     // of them not routed at registration: they waited in the centre's queue
	MedianRouteMin          float64 // minutes from registration to the first routing, of the queued ones routed
	MeanRouteMin            float64
	Backlog                 int     // done, awaiting the centre's call to the resident, now
	BacklogMedianH          float64 // their age, hours since the last «done»
	BacklogOldestH          float64
	Answers                 int // confirmations and rejections by the centre's operators in the period
	Confirmations           int // of them confirmations
	FailedCalls             int // calls that did not reach the resident in the period
	NeverReached            int // tickets the centre gave up on («не удалось связаться») in the period
	CallbacksEnded          int // answers + gave up: callbacks concluded in the period
	AttemptsPerConfirmation float64
}

// Centre computes the centre's figures for [from, to) at now, with the norm for
// routing.
func (s *Store) Centre(ctx context.Context, from, to time.Time, norm time.Duration) (CentreFigures, error) {
	var c CentreFigures
	now := s.Now().Unix()
	f, t := from.Unix(), to.Unix()
	var mins []float64
	err := s.each(ctx, `SELECT x.first_route - t.created_at, x.first_cancel IS NOT NULL AND x.first_route IS NULL FROM tickets t JOIN ticket_facts x ON x.ticket_id = t.id
  WHERE t.created_at >= ?1 AND t.created_at < ?2 AND NOT x.first_link IS NOT NULL`, []any{f, t}, func(sc func(...any) error) error {
		var d sql.NullInt64
		var cancelled bool
		if err := sc(&d, &cancelled); err != nil {
			return err
		}
		if cancelled {
			return nil
		}
		c.Registered++
		if !d.Valid {
			c.Waiting++
			c.Queued++
			return nil
		}
		c.Routed++
		if time.Duration(d.Int64)*time.Second <= norm {
			c.WithinNorm++
		}
		if d.Int64 > 0 { // routed at registration (an operator's call) did not wait
			c.Queued++
			mins = append(mins, float64(d.Int64)/60)
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	c.MedianRouteMin, c.MeanRouteMin = median(mins), mean(mins)
	var ages []float64
	err = s.each(ctx, `SELECT ?1 - COALESCE(t.done_at, t.updated_at) FROM tickets t
  WHERE t.status = 'done' AND t.callback_failed_at IS NULL AND t.parent_id IS NULL`, []any{now}, func(sc func(...any) error) error {
		var age int64
		if err := sc(&age); err != nil {
			return err
		}
		ages = append(ages, float64(age)/3600)
		return nil
	})
	if err != nil {
		return c, err
	}
	c.Backlog = len(ages)
	c.BacklogMedianH = median(ages)
	for _, a := range ages {
		if a > c.BacklogOldestH {
			c.BacklogOldestH = a
		}
	}
	err = s.r.QueryRowContext(ctx, `SELECT COALESCE(sum(e.action IN ('confirm','reject') AND u.role = 'operator'), 0),
  COALESCE(sum(e.action = 'confirm' AND u.role = 'operator'), 0), COALESCE(sum(e.action = 'call-failed'), 0)
  FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id
  WHERE e.action IN ('confirm','reject','call-failed') AND e.at >= ?1 AND e.at < ?2`, f, t).Scan(&c.Answers, &c.Confirmations, &c.FailedCalls)
	if err != nil {
		return c, err
	}
	// The centre gives up on a ticket with its last failed call: the tickets whose
	// «не удалось связаться» falls in the period are among those with a failed call
	// in it (found by the events' index, not by a scan of every ticket).
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM tickets t WHERE t.id IN (SELECT e.ticket_id FROM ticket_events e
  WHERE e.action = 'call-failed' AND e.at >= ?1 AND e.at < ?2) AND t.callback_failed_at >= ?1 AND t.callback_failed_at < ?2`, f, t).Scan(&c.NeverReached); err != nil {
		return c, err
	}
	c.CallbacksEnded = c.Answers + c.NeverReached
	if c.Confirmations > 0 {
		c.AttemptsPerConfirmation = float64(c.Answers+c.FailedCalls) / float64(c.Confirmations)
	}
	return c, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
