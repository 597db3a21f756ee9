package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The weekly meeting report and the dashboard read the tickets' current state: they
// describe what is happening, for people to act on, not a score to be reproduced.
// Linked calls are left out of every count (one incident, one ticket) and so are
// cancelled tickets.

// Totals are the counts of one line of the report's tables.
type Totals struct {
	Key        string // organisation id or category
	Title      string
	Registered int
	Done       int     // reported done
	OnTime     int     // done by the deadline
	Overdue    int     // done late, or still open past the deadline
	Reopened   int     // rejected by the resident at least once
	AvgHours   float64 // mean hours from registration to done, of those done
}

// reportTotalsSQL groups the tickets registered in [?1, ?2) by %s; ?3 is now.
const reportTotalsSQL = `SELECT %s, count(*), count(t.done_at), COALESCE(sum(t.done_at <= t.due_at), 0),
  COALESCE(sum(t.done_at > t.due_at OR (t.done_at IS NULL AND t.due_at < ?3)), 0), COALESCE(sum(t.reopen_count > 0), 0),
  COALESCE(avg(t.done_at - t.created_at), 0) / 3600.0
FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.parent_id IS NULL AND t.status <> 'cancelled'
GROUP BY 1 ORDER BY 2 DESC, 1`

// WeekTotals counts the tickets registered in [from, to) by organisation and by
// category.
func (s *Store) WeekTotals(ctx context.Context, from, to time.Time) (byOrg, byCategory []Totals, err error) {
	names := map[string]string{}
	orgs, err := s.Organizations(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	for _, o := range orgs {
		names[strconv.FormatInt(o.ID, 10)] = o.Name
	}
	for _, g := range []struct {
		col string
		out *[]Totals
	}{{"COALESCE(t.organization_id, 0)", &byOrg}, {"t.category", &byCategory}} {
		q := strings.Replace(reportTotalsSQL, "%s", g.col, 1)
		err := s.each(ctx, q, []any{from.Unix(), to.Unix(), s.Now().Unix()}, func(sc func(...any) error) error {
			var r Totals
			if err := sc(&r.Key, &r.Registered, &r.Done, &r.OnTime, &r.Overdue, &r.Reopened, &r.AvgHours); err != nil {
				return err
			}
			r.Title = r.Key
			if g.out == &byOrg {
				r.Title = names[r.Key]
				if r.Key == "0" {
					r.Title = "Не направлена в организацию"
				}
			}
			*g.out = append(*g.out, r)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return byOrg, byCategory, nil
}

// ReportTicket is a ticket as the report's lists show it.
type ReportTicket struct {
	Number    string
	Address   string
	Category  string
	OrgName   string
	Status    string
	CreatedAt time.Time
	DueAt     time.Time
	DoneAt    time.Time // zero: not done
	Reopens   int
	Hours     float64 // overdue: hours late (to now when not done); slowest: hours to done
}

const reportTicketCols = `t.number, b.address, t.category, COALESCE(o.name, ''), t.status, t.created_at, t.due_at, t.done_at, t.reopen_count`

const reportTicketJoins = ` JOIN buildings b ON b.id = t.building_id LEFT JOIN organizations o ON o.id = t.organization_id`

func (s *Store) reportTickets(ctx context.Context, q string, args ...any) ([]ReportTicket, error) {
	out := []ReportTicket{}
	err := s.each(ctx, q, args, func(sc func(...any) error) error {
		var r ReportTicket
		var created, due int64
		var done sql.NullInt64
		if err := sc(&r.Number, &r.Address, &r.Category, &r.OrgName, &r.Status, &created, &due, &done, &r.Reopens, &r.Hours); err != nil {
			return err
		}
		r.CreatedAt, r.DueAt, r.DoneAt = time.Unix(created, 0).UTC(), deadlineFromUnix(due), fromUnix(done)
		out = append(out, r)
		return nil
	})
	return out, err
}

// OverdueInWeek lists the tickets due in [from, to) that missed the deadline
// (done late, or not done by now), the latest first, at most limit, and how many
// there are in all.
func (s *Store) OverdueInWeek(ctx context.Context, from, to time.Time, limit int) ([]ReportTicket, int, error) {
	const where = ` WHERE t.due_at >= ?1 AND t.due_at < ?2 AND t.parent_id IS NULL AND t.status <> 'cancelled'
  AND (t.done_at > t.due_at OR (t.done_at IS NULL AND t.due_at < ?3))`
	now := s.Now().Unix()
	list, err := s.reportTickets(ctx, `SELECT `+reportTicketCols+`, (COALESCE(t.done_at, ?3) - t.due_at) / 3600.0 AS late FROM tickets t`+reportTicketJoins+where+` ORDER BY late DESC, t.id LIMIT ?4`,
		from.Unix(), to.Unix(), now, limit)
	if err != nil {
		return nil, 0, err
	}
	var n int
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM tickets t`+where, from.Unix(), to.Unix(), now).Scan(&n)
	return list, n, err
}

// ReopenedInWeek lists the tickets a resident rejected in [from, to), at most
// limit, and how many there are in all.
func (s *Store) ReopenedInWeek(ctx context.Context, from, to time.Time, limit int) ([]ReportTicket, int, error) {
	const ids = `SELECT DISTINCT ticket_id FROM ticket_events WHERE action = 'reject' AND at >= ?1 AND at < ?2`
	list, err := s.reportTickets(ctx, `SELECT `+reportTicketCols+`, 0 FROM tickets t`+reportTicketJoins+` WHERE t.id IN (`+ids+`) AND t.parent_id IS NULL ORDER BY t.reopen_count DESC, t.id LIMIT ?3`,
		from.Unix(), to.Unix(), limit)
	if err != nil {
		return nil, 0, err
	}
	var n int
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM tickets t WHERE t.id IN (`+ids+`) AND t.parent_id IS NULL`, from.Unix(), to.Unix()).Scan(&n)
	return list, n, err
}

// SlowestInWeek lists the tickets reported done in [from, to) that took longest
// from registration to done.
func (s *Store) SlowestInWeek(ctx context.Context, from, to time.Time, limit int) ([]ReportTicket, error) {
	return s.reportTickets(ctx, `SELECT `+reportTicketCols+`, d.hours FROM
  (SELECT e.ticket_id AS id, max(e.at - t.created_at) / 3600.0 AS hours FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
   WHERE e.action = 'done' AND e.at >= ?1 AND e.at < ?2 AND t.parent_id IS NULL GROUP BY e.ticket_id ORDER BY hours DESC, e.ticket_id LIMIT ?3) d
  JOIN tickets t ON t.id = d.id`+reportTicketJoins+` ORDER BY d.hours DESC, t.id`, from.Unix(), to.Unix(), limit)
}

// WeakSpot is a building that draws requests: repeatedly about one category, or
// many for its size.
type WeakSpot struct {
	BuildingID int64
	Address    string
	OrgName    string
	Category   string // repeats only
	Requests   int
	Apartments int
	PerApt     float64 // requests per apartment
}

// RepeatSpots lists the buildings with at least min requests of the same category
// registered in [from, to), the most first, at most limit, and how many in all.
func (s *Store) RepeatSpots(ctx context.Context, from, to time.Time, min, limit int) ([]WeakSpot, int, error) {
	const grouped = `SELECT t.building_id AS bid, t.category AS cat, count(*) AS n FROM tickets t
  WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.parent_id IS NULL AND t.status <> 'cancelled'
  GROUP BY t.building_id, t.category HAVING count(*) >= ?3`
	out := []WeakSpot{}
	total := 0
	// count(*) OVER () is the number of all such pairs, counted before the LIMIT:
	// one pass over the month instead of two.
	err := s.each(ctx, `SELECT g.bid, b.address, COALESCE(o.name, ''), g.cat, g.n, b.apartments, count(*) OVER () FROM (`+grouped+`) g
  JOIN buildings b ON b.id = g.bid LEFT JOIN organizations o ON o.id = b.organization_id ORDER BY g.n DESC, b.address, g.cat LIMIT ?4`,
		[]any{from.Unix(), to.Unix(), min, limit}, func(sc func(...any) error) error {
			var w WeakSpot
			if err := sc(&w.BuildingID, &w.Address, &w.OrgName, &w.Category, &w.Requests, &w.Apartments, &total); err != nil {
				return err
			}
			out = append(out, w)
			return nil
		})
	return out, total, err
}

// BusiestSpots lists the buildings with the most requests per apartment registered
// in [from, to), at most limit (-1: all), and how many there are in all.
func (s *Store) BusiestSpots(ctx context.Context, from, to time.Time, limit int) ([]WeakSpot, int, error) {
	out := []WeakSpot{}
	total := 0
	err := s.each(ctx, `SELECT g.bid, b.address, COALESCE(o.name, ''), g.n, b.apartments, CAST(g.n AS REAL) / b.apartments AS per, count(*) OVER () FROM
  (SELECT t.building_id AS bid, count(*) AS n FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2
   AND t.parent_id IS NULL AND t.status <> 'cancelled' GROUP BY t.building_id) g
  JOIN buildings b ON b.id = g.bid LEFT JOIN organizations o ON o.id = b.organization_id
  WHERE b.apartments > 0 ORDER BY per DESC, b.address LIMIT ?3`, []any{from.Unix(), to.Unix(), limit}, func(sc func(...any) error) error {
		var w WeakSpot
		if err := sc(&w.BuildingID, &w.Address, &w.OrgName, &w.Requests, &w.Apartments, &w.PerApt, &total); err != nil {
			return err
		}
		out = append(out, w)
		return nil
	})
	return out, total, err
}

// CategoryCount is the number of requests of a category in one hour.
type CategoryCount struct {
	Hour     int64 // Unix seconds of the hour's start
	Category string
	N        int
}

// RequestsByHour counts the requests registered in [from, to) per hour and
// category; the caller folds hours into local days (whole-hour offsets, so a day
// boundary never splits an hour).
func (s *Store) RequestsByHour(ctx context.Context, from, to time.Time) ([]CategoryCount, error) {
	var out []CategoryCount
	err := s.each(ctx, `SELECT t.created_at / 3600 * 3600, t.category, count(*) FROM tickets t
  WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.parent_id IS NULL AND t.status <> 'cancelled' GROUP BY 1, 2`,
		[]any{from.Unix(), to.Unix()}, func(sc func(...any) error) error {
			var c CategoryCount
			if err := sc(&c.Hour, &c.Category, &c.N); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	return out, err
}

// AcceptBucket is one bar of the acceptance time distribution.
type AcceptBucket struct {
	UpToHours float64 // 0: the open-ended last bucket
	N         int
}

// AcceptDistribution counts the tickets registered in [from, to) and accepted, by
// hours from registration to acceptance, into the buckets with the given upper
// bounds (and one more for the rest).
func (s *Store) AcceptDistribution(ctx context.Context, from, to time.Time, bounds []float64) ([]AcceptBucket, error) {
	out := make([]AcceptBucket, len(bounds)+1)
	for i, b := range bounds {
		out[i].UpToHours = b
	}
	// The bucket is found in SQL: a month is tens of thousands of tickets, and
	// only a handful of counts need to come out.
	var cases strings.Builder
	cases.WriteString("CASE")
	for i, b := range bounds {
		fmt.Fprintf(&cases, " WHEN t.accepted_at - t.created_at <= %d THEN %d", int64(b*3600), i)
	}
	fmt.Fprintf(&cases, " ELSE %d END", len(bounds))
	err := s.each(ctx, `SELECT `+cases.String()+`, count(*) FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2
  AND t.accepted_at IS NOT NULL AND t.parent_id IS NULL GROUP BY 1`, []any{from.Unix(), to.Unix()}, func(sc func(...any) error) error {
		var i, n int
		if err := sc(&i, &n); err != nil {
			return err
		}
		out[i].N = n
		return nil
	})
	return out, err
}
