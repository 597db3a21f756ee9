package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Settings of the rating. They are kept in the settings table but written only
// through SaveRatingSettings, which validates them together (the weights must add
// up to 100).
const (
	SetRatingWeights = "rating_weights" // JSON of app.RatingWeights
	SetRatingTime    = "rating_time"    // HH:MM local: when the day just ended is computed
)

// DefaultRatingTime is when the nightly rating runs unless the administrator says otherwise.
const DefaultRatingTime = "00:05"

// RatingSettings returns the weights and the nightly time, defaults filled in.
func (s *Store) RatingSettings(ctx context.Context) (app.RatingWeights, string) {
	w, err := app.ParseRatingWeights(s.Setting(ctx, SetRatingWeights))
	if err != nil || w.Load != 0 { // v1's weights (with «нагрузка») are not the current method's
		w = app.DefaultRatingWeights
	}
	t := s.Setting(ctx, SetRatingTime)
	if _, err := app.ParseClock(t); err != nil {
		t = DefaultRatingTime
	}
	return w, t
}

// SaveRatingSettings validates and stores the weights and the nightly time; a
// change of the weights is recorded with who made it (u) and when.
func (s *Store) SaveRatingSettings(ctx context.Context, u *app.User, w app.RatingWeights, at string) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if w.Load != 0 {
		return &app.Error{Code: app.EINVALID, Message: "«Нагрузка» больше не входит в методику рейтинга: её вес — 0.", Fields: map[string]string{"load": "Вес — 0."}}
	}
	if _, err := app.ParseClock(at); err != nil {
		return err
	}
	old, _ := s.RatingSettings(ctx)
	return s.Write(ctx, func(tx *Tx) error {
		tx.SetUser(u)
		tx.dropSettings = true
		if old != w {
			_, actor := tx.actor()
			if _, err := tx.exec("INSERT INTO rating_weight_changes(at, actor, weights) VALUES (?,?,?)", unix(tx.now), actor, w.String()); err != nil {
				return err
			}
		}
		for k, v := range map[string]string{SetRatingWeights: w.String(), SetRatingTime: at} {
			if _, err := tx.exec("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// The rating of the window [?1, ?2) is counted in two parts, both through
// indexes only. Tickets are numbered in order of registration, so the recent ones
// — everything registered since ratingLookback before the window, which covers
// nearly every ticket that can matter — form one range of ids (from ?3). The few
// lower-numbered tickets that can still matter (registered, due, to be accepted,
// confirmed or rejected within the window; open now; or changed since the cutoff,
// so maybe open at it) are found by their own indexes and passed as a list. Tickets in neither part
// cannot matter to the day, however the tickets were numbered.
const ratingLookback = 14 * 24 * time.Hour

// ratingOlderSQL finds the older tickets that can matter, below the range from ?3.
// UNION ALL, not UNION: a compound UNION sorts every part to merge them, which
// took 30 times longer than the parts; the few duplicates are dropped in Go.
var ratingOlderSQL = `
SELECT id FROM tickets WHERE created_at >= ?1 AND created_at < ?2 AND id < ?3
UNION ALL SELECT id FROM tickets WHERE due_at >= ?1 AND due_at < ?2 AND id < ?3
UNION ALL SELECT id FROM tickets WHERE accept_due_at >= ?1 AND accept_due_at < ?2 AND id < ?3
UNION ALL SELECT ticket_id FROM ticket_events WHERE action IN ('confirm','reject') AND at >= ?1 AND at < ?2 AND ticket_id < ?3
UNION ALL SELECT id FROM tickets t WHERE ` + openStatusSQL + ` AND id < ?3
UNION ALL SELECT ticket_id FROM ticket_facts WHERE last_at >= ?2 AND ticket_id < ?3`

// ratingCountsSQL counts the components per organisation from ticket_facts (the
// first time of each step, kept by triggers from the audit trail). A ticket counts
// for the organisation that held it at the cutoff; cancelled and linked tickets
// (a linked call is its parent's incident: counted once, there) are left out.
// Only a ticket reopened before the cutoff (r) needs its full trail: which "done"
// was the last, and whether it still stood at the cutoff; those few are looked up
// once each (MATERIALIZED), the rest are counted from their first times alone.
// The condition choosing the tickets replaces %s.
const ratingCountsSQL = `
WITH f AS (
  SELECT x.*,
    CASE WHEN x.org_at IS NULL THEN 0 WHEN x.org_at < ?2 THEN COALESCE(x.org_id, 0)
      ELSE COALESCE((SELECT o.organization_id FROM ticket_orgs o WHERE o.ticket_id = x.ticket_id AND o.at < ?2
        ORDER BY o.at DESC, o.rowid DESC LIMIT 1), 0) END AS org,
    x.first_reject < ?2 IS TRUE AS reopened
  FROM ticket_facts x
  WHERE %s AND x.created_at < ?2 AND NOT x.first_cancel < ?2 IS TRUE AND NOT x.first_link < ?2 IS TRUE
),
r AS MATERIALIZED (
  SELECT f.org, f.due_at,
    (SELECT e.to_status IN ('done','closed') FROM ticket_events e WHERE e.ticket_id = f.ticket_id AND e.at < ?2
      ORDER BY e.id DESC LIMIT 1) AS finished,
    (SELECT e.at FROM ticket_events e WHERE e.ticket_id = f.ticket_id AND e.at < ?2 AND e.to_status = 'done' AND e.from_status <> 'done'
      ORDER BY e.id DESC LIMIT 1) AS last_done
  FROM f WHERE f.org <> 0 AND f.reopened
),
a AS (
  SELECT org,
    sum(created_at >= ?1) AS requests,
    sum(NOT reopened AND due_at >= ?1 AND due_at < ?2 AND first_done < ?2 AND first_done <= due_at) AS on_num,
    sum(NOT reopened AND due_at >= ?1 AND due_at < ?2) AS on_den,
    sum(accept_due_at >= ?1 AND accept_due_at < ?2 AND first_route <= accept_due_at AND first_accept <= accept_due_at) AS acc_num,
    sum(accept_due_at >= ?1 AND accept_due_at < ?2 AND first_route <= accept_due_at) AS acc_den,
    sum(NOT reopened AND first_confirm >= ?1 AND first_confirm < ?2) AS fix_num,
    sum(CASE WHEN reopened THEN first_reject >= ?1 ELSE first_confirm >= ?1 AND first_confirm < ?2 END) AS fix_den,
    sum(NOT reopened AND NOT first_done < ?2 IS TRUE AND due_at < ?2) AS overdue,
    sum(NOT reopened AND NOT first_done < ?2 IS TRUE) AS open
  FROM f WHERE org <> 0 GROUP BY org
),
b AS (
  SELECT org,
    sum(due_at >= ?1 AND due_at < ?2 AND finished AND last_done <= due_at) AS on_num,
    sum(due_at >= ?1 AND due_at < ?2) AS on_den,
    sum(NOT finished AND due_at < ?2) AS overdue,
    sum(NOT finished) AS open
  FROM r GROUP BY org
)
SELECT a.org, a.requests, COALESCE(a.on_num, 0) + COALESCE(b.on_num, 0), a.on_den + COALESCE(b.on_den, 0),
  COALESCE(a.acc_num, 0), COALESCE(a.acc_den, 0), COALESCE(a.fix_num, 0), COALESCE(a.fix_den, 0),
  a.overdue + COALESCE(b.overdue, 0), a.open + COALESCE(b.open, 0)
FROM a LEFT JOIN b ON b.org = a.org`

// RatingCounts counts, per organisation, the components of the rating of the
// window of app.RatingWindow ending at cutoff, as the tickets stood at cutoff.
func (s *Store) RatingCounts(ctx context.Context, cutoff time.Time) (map[int64]app.RatingCounts, error) {
	w0, t := cutoff.Add(-app.RatingWindow).Unix(), cutoff.Unix()
	var lo int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM tickets WHERE created_at >= ? ORDER BY created_at LIMIT 1),
		(SELECT COALESCE(max(id), 0) + 1 FROM tickets))`, cutoff.Add(-app.RatingWindow-ratingLookback).Unix()).Scan(&lo)
	if err != nil {
		return nil, err
	}
	// The two parts are independent reads: the recent range is counted on one
	// pooled connection while the older tickets are found and counted on another.
	type part struct {
		counts map[int64]app.RatingCounts
		err    error
	}
	recent := make(chan part, 1)
	go func() {
		c, err := s.countRatingPart(ctx, "x.ticket_id >= ?3", w0, t, lo)
		recent <- part{c, err}
	}()
	older, err := s.ids(ctx, ratingOlderSQL, w0, t, lo)
	var out map[int64]app.RatingCounts
	if err == nil {
		var list []byte
		if list, err = json.Marshal(older); err == nil {
			out, err = s.countRatingPart(ctx, "x.ticket_id IN (SELECT value FROM json_each(?3))", w0, t, string(list))
		}
	}
	r := <-recent
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, r.err
	}
	for org, c := range r.counts {
		out[org] = out[org].Add(c)
	}
	return out, nil
}

// countRatingPart runs ratingCountsSQL for the tickets chosen by cond.
func (s *Store) countRatingPart(ctx context.Context, cond string, w0, t int64, arg any) (map[int64]app.RatingCounts, error) {
	out := map[int64]app.RatingCounts{}
	err := s.each(ctx, strings.Replace(ratingCountsSQL, "%s", cond, 1), []any{w0, t, arg}, func(sc func(...any) error) error {
		var org int64
		var c app.RatingCounts
		if err := sc(&org, &c.Requests, &c.OnTimeNum, &c.OnTimeDen, &c.AcceptNum, &c.AcceptDen, &c.FixNum, &c.FixDen, &c.Overdue, &c.Open); err != nil {
			return err
		}
		out[org] = c
		return nil
	})
	return out, err
}

// each runs a read query and hands every row to fn.
func (s *Store) each(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ids returns the distinct ids a query lists.
func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	out := []int64{}
	seen := map[int64]bool{}
	err := s.each(ctx, q, args, func(sc func(...any) error) error {
		var id int64
		if err := sc(&id); err != nil {
			return err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
		return nil
	})
	return out, err
}

// RatedOrg is an organisation as the rating sees it.
type RatedOrg = app.RatedOrg

// RatedOrgs lists the active organisations the method rates (v1: management
// organisations only; v2: every kind) with the apartments they serve: a management
// organisation's buildings, a supplier's supplied buildings. The building stock
// has no history: it is taken as it is now.
func (s *Store) RatedOrgs(ctx context.Context, method int) ([]RatedOrg, error) {
	kinds := "o.kind = 'management'"
	if method >= app.RatingMethodV2 {
		kinds = "1"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT o.id, o.name, o.kind, COALESCE((SELECT sum(b.apartments) FROM buildings b WHERE b.organization_id = o.id), 0)
		+ CASE WHEN o.kind = 'management' THEN 0 ELSE COALESCE((SELECT sum(b.apartments) FROM buildings b WHERE b.supplier_id = o.id), 0) END
		FROM organizations o WHERE `+kinds+` AND o.active = 1 ORDER BY o.name, o.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RatedOrg
	for rows.Next() {
		var o RatedOrg
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Apartments); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SaveRating stores a computed day, replacing an earlier computation of it.
func (s *Store) SaveRating(ctx context.Context, d *app.RatingDay) error {
	return s.Write(ctx, func(tx *Tx) error {
		tx.touch(ScopeRating)
		if _, err := tx.exec("DELETE FROM rating_rows WHERE day = ?", d.Day); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO ratings(day, cutoff, computed_at, weights, median_load, method) VALUES (?,?,?,?,?,?)
			ON CONFLICT(day) DO UPDATE SET cutoff = excluded.cutoff, computed_at = excluded.computed_at, weights = excluded.weights,
				median_load = excluded.median_load, method = excluded.method`,
			d.Day, unix(d.Cutoff), unix(d.ComputedAt), d.Weights.String(), d.MedianLoad, d.Method); err != nil {
			return err
		}
		for _, r := range d.Rows {
			m, err := json.Marshal(r.Metrics)
			if err != nil {
				return err
			}
			var rank, score any
			if r.Rank > 0 {
				rank = r.Rank
			}
			if r.Score != nil {
				score = *r.Score
			}
			if _, err := tx.exec("INSERT INTO rating_rows(day, organization_id, rank, score, tickets, metrics) VALUES (?,?,?,?,?,?)",
				d.Day, r.OrgID, rank, score, r.Tickets, string(m)); err != nil {
				return err
			}
		}
		return nil
	})
}

// LatestRatingDay is the last computed day, "" when none is.
func (s *Store) LatestRatingDay(ctx context.Context) (string, error) {
	var d sql.NullString
	err := s.r.QueryRowContext(ctx, "SELECT max(day) FROM ratings").Scan(&d)
	return d.String, err
}

// Rating returns the stored rating of day (YYYY-MM-DD): ranked organisations by
// rank, then the unranked by name.
func (s *Store) Rating(ctx context.Context, day string) (*app.RatingDay, error) {
	d := &app.RatingDay{Day: day}
	var cutoff, computed int64
	var weights string
	err := s.r.QueryRowContext(ctx, "SELECT cutoff, computed_at, weights, median_load, method FROM ratings WHERE day = ?", day).Scan(&cutoff, &computed, &weights, &d.MedianLoad, &d.Method)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Рейтинг за %s не рассчитан.", day)
	} else if err != nil {
		return nil, err
	}
	d.Cutoff, d.ComputedAt = time.Unix(cutoff, 0).UTC(), time.Unix(computed, 0).UTC()
	if d.Weights, err = app.ParseRatingWeights(weights); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.organization_id, o.name, o.kind, COALESCE(r.rank, 0), r.score, r.tickets, r.metrics
		FROM rating_rows r JOIN organizations o ON o.id = r.organization_id WHERE r.day = ?
		ORDER BY o.kind <> 'management', r.rank IS NULL, r.rank, o.name, o.id`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r app.RatingRow
		var score sql.NullFloat64
		var m string
		if err := rows.Scan(&r.OrgID, &r.OrgName, &r.OrgKind, &r.Rank, &score, &r.Tickets, &m); err != nil {
			return nil, err
		}
		if score.Valid {
			v := score.Float64
			r.Score = &v
		}
		if err := json.Unmarshal([]byte(m), &r.Metrics); err != nil {
			return nil, err
		}
		d.Rows = append(d.Rows, r)
	}
	return d, rows.Err()
}

// ScorePoint is one organisation's score on one day.
type ScorePoint struct {
	Day   string
	OrgID int64
	Score *float64
	// OnTimeNum and OnTimeDen feed the municipality-wide on-time share.
	OnTimeNum, OnTimeDen int
}

// RatingHistory returns the stored scores of the days in [from, to], oldest first.
func (s *Store) RatingHistory(ctx context.Context, from, to string) ([]ScorePoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT day, organization_id, score, json_extract(metrics, '$.on_time.num'), json_extract(metrics, '$.on_time.den')
		FROM rating_rows WHERE day >= ? AND day <= ? ORDER BY day, organization_id`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScorePoint
	for rows.Next() {
		var p ScorePoint
		var score sql.NullFloat64
		if err := rows.Scan(&p.Day, &p.OrgID, &score, &p.OnTimeNum, &p.OnTimeDen); err != nil {
			return nil, err
		}
		if score.Valid {
			v := score.Float64
			p.Score = &v
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RatingWeightChanges lists the changes of the weights, newest first.
func (s *Store) RatingWeightChanges(ctx context.Context) ([]app.RatingWeightChange, error) {
	var out []app.RatingWeightChange
	err := s.each(ctx, "SELECT at, actor, weights FROM rating_weight_changes ORDER BY id DESC", nil, func(sc func(...any) error) error {
		var at int64
		var c app.RatingWeightChange
		var w string
		if err := sc(&at, &c.Actor, &w); err != nil {
			return err
		}
		c.At = time.Unix(at, 0).UTC()
		c.Weights, _ = app.ParseRatingWeights(w)
		out = append(out, c)
		return nil
	})
	return out, err
}
