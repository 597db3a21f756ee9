package store

import (
	"context"
	"database/sql"
	"encoding/json"
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
	if err != nil {
		w = app.DefaultRatingWeights
	}
	t := s.Setting(ctx, SetRatingTime)
	if _, err := app.ParseClock(t); err != nil {
		t = DefaultRatingTime
	}
	return w, t
}

// SaveRatingSettings validates and stores the weights and the nightly time.
func (s *Store) SaveRatingSettings(ctx context.Context, w app.RatingWeights, at string) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if _, err := app.ParseClock(at); err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		tx.dropSettings = true
		for k, v := range map[string]string{SetRatingWeights: w.String(), SetRatingTime: at} {
			if _, err := tx.exec("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// ratingFactsSQL reads, for every ticket that can matter to the rating of the
// window [?1, ?2), what its audit trail says as of ?2. The candidates are found
// through indexes only: registered, due or to be accepted within the window;
// confirmed or rejected within it; open now; or changed since the cutoff (they may
// have been open at it). Everything after the cutoff is ignored, so later changes
// do not move a past day.
const ratingFactsSQL = `
WITH c(id) AS (
  SELECT id FROM tickets WHERE created_at >= ?1 AND created_at < ?2
  UNION SELECT id FROM tickets WHERE due_at >= ?1 AND due_at < ?2 AND created_at < ?2
  UNION SELECT id FROM tickets WHERE accept_due_at >= ?1 AND accept_due_at < ?2 AND created_at < ?2
  UNION SELECT ticket_id FROM ticket_events WHERE action IN ('confirm','reject') AND at >= ?1 AND at < ?2
  UNION SELECT id FROM tickets t WHERE ` + openStatusSQL + ` AND created_at < ?2
  UNION SELECT ticket_id FROM ticket_events WHERE at >= ?2
),
f AS (
  SELECT e.ticket_id AS id,
    min(CASE WHEN e.action = 'route' THEN e.at END) AS first_route,
    min(CASE WHEN e.action = 'accept' THEN e.at END) AS first_accept,
    max(CASE WHEN e.to_status = 'done' AND e.from_status <> 'done' THEN e.at END) AS last_done,
    min(CASE WHEN e.action = 'reject' THEN e.at END) AS first_reject,
    max(CASE WHEN e.action = 'confirm' THEN e.at END) AS confirmed,
    max(e.action = 'link') AS linked,
    -- the status after the last event before the cutoff: ids grow with time
    max(e.id * 8 + CASE e.to_status WHEN 'new' THEN 0 WHEN 'routed' THEN 1 WHEN 'accepted' THEN 2 WHEN 'done' THEN 3
      WHEN 'closed' THEN 4 WHEN 'reopened' THEN 5 WHEN 'cancelled' THEN 6 ELSE 7 END) AS last
  FROM c JOIN ticket_events e ON e.ticket_id = c.id AND e.at < ?2
  GROUP BY e.ticket_id
)
SELECT f.id, t.created_at, t.accept_due_at, t.due_at,
  COALESCE((SELECT o.organization_id FROM ticket_orgs o WHERE o.ticket_id = f.id AND o.at < ?2 ORDER BY o.at DESC, o.rowid DESC LIMIT 1), 0),
  COALESCE(f.first_route, 0), COALESCE(f.first_accept, 0), COALESCE(f.last_done, 0), COALESCE(f.first_reject, 0),
  COALESCE(f.confirmed, 0), f.linked, f.last % 8
FROM f JOIN tickets t ON t.id = f.id`

var statusByCode = []app.Status{app.StatusNew, app.StatusRouted, app.StatusAccepted, app.StatusDone, app.StatusClosed, app.StatusReopened, app.StatusCancelled, ""}

// RatingFacts returns the facts of every ticket that can matter to the rating of
// the window of app.RatingWindow ending at cutoff, as they stood at cutoff.
func (s *Store) RatingFacts(ctx context.Context, cutoff time.Time) ([]app.TicketFacts, error) {
	rows, err := s.r.QueryContext(ctx, ratingFactsSQL, cutoff.Add(-app.RatingWindow).Unix(), cutoff.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]app.TicketFacts, 0, 1024)
	for rows.Next() {
		var f app.TicketFacts
		var st int
		if err := rows.Scan(&f.ID, &f.CreatedAt, &f.AcceptDueAt, &f.DueAt, &f.OrgID, &f.FirstRoute, &f.FirstAccept,
			&f.LastDone, &f.FirstReject, &f.Confirm, &f.Linked, &st); err != nil {
			return nil, err
		}
		f.Status = statusByCode[st&7]
		out = append(out, f)
	}
	return out, rows.Err()
}

// RatedOrg is a management organisation as the rating sees it.
type RatedOrg struct {
	ID         int64
	Name       string
	Apartments int // in the buildings it manages
}

// RatedOrgs lists the active management organisations with the apartments they
// manage. The building stock has no history: it is taken as it is now.
func (s *Store) RatedOrgs(ctx context.Context) ([]RatedOrg, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT o.id, o.name, COALESCE((SELECT sum(b.apartments) FROM buildings b WHERE b.organization_id = o.id), 0)
		FROM organizations o WHERE o.kind = 'management' AND o.active = 1 ORDER BY o.name, o.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RatedOrg
	for rows.Next() {
		var o RatedOrg
		if err := rows.Scan(&o.ID, &o.Name, &o.Apartments); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SaveRating stores a computed day, replacing an earlier computation of it.
func (s *Store) SaveRating(ctx context.Context, d *app.RatingDay) error {
	return s.Write(ctx, func(tx *Tx) error {
		if _, err := tx.exec("DELETE FROM rating_rows WHERE day = ?", d.Day); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO ratings(day, cutoff, computed_at, weights, median_load) VALUES (?,?,?,?,?)
			ON CONFLICT(day) DO UPDATE SET cutoff = excluded.cutoff, computed_at = excluded.computed_at, weights = excluded.weights, median_load = excluded.median_load`,
			d.Day, unix(d.Cutoff), unix(d.ComputedAt), d.Weights.String(), d.MedianLoad); err != nil {
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
	err := s.r.QueryRowContext(ctx, "SELECT cutoff, computed_at, weights, median_load FROM ratings WHERE day = ?", day).Scan(&cutoff, &computed, &weights, &d.MedianLoad)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Рейтинг за %s не рассчитан.", day)
	} else if err != nil {
		return nil, err
	}
	d.Cutoff, d.ComputedAt = time.Unix(cutoff, 0).UTC(), time.Unix(computed, 0).UTC()
	if d.Weights, err = app.ParseRatingWeights(weights); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.organization_id, o.name, COALESCE(r.rank, 0), r.score, r.tickets, r.metrics
		FROM rating_rows r JOIN organizations o ON o.id = r.organization_id WHERE r.day = ?
		ORDER BY r.rank IS NULL, r.rank, o.name, o.id`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r app.RatingRow
		var score sql.NullFloat64
		var m string
		if err := rows.Scan(&r.OrgID, &r.OrgName, &r.Rank, &score, &r.Tickets, &m); err != nil {
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
