package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// ratingFactsSQL reads, for the tickets chosen by %s, the facts method v2 needs as
// they stood at the cutoff ?2: the first times kept in ticket_facts, the
// organisation holding the ticket at ?2 (ticket_orgs), and — only for tickets the
// resident rejected before ?2, whose trail is not told by first times — the last
// «done» and whether it still stood at ?2, from the full trail. Localisation and a
// failed confirmation call are single moments kept on the ticket.
const ratingFactsSQL = `
SELECT x.ticket_id,
  CASE WHEN x.org_at IS NULL THEN 0 WHEN x.org_at < ?2 THEN COALESCE(x.org_id, 0)
    ELSE COALESCE((SELECT o.organization_id FROM ticket_orgs o WHERE o.ticket_id = x.ticket_id AND o.at < ?2
      ORDER BY o.at DESC, o.rowid DESC LIMIT 1), 0) END,
  t.building_id, t.category, t.emergency, x.created_at, x.accept_due_at, x.due_at,
  COALESCE(t.localize_due_at, 0), CASE WHEN t.localized_at < ?2 THEN t.localized_at ELSE 0 END,
  CASE WHEN x.first_route < ?2 THEN x.first_route ELSE 0 END,
  CASE WHEN x.first_accept < ?2 THEN x.first_accept ELSE 0 END,
  CASE WHEN NOT x.first_reject < ?2 IS TRUE THEN (CASE WHEN x.first_done < ?2 THEN x.first_done ELSE 0 END)
    ELSE COALESCE((SELECT e.at FROM ticket_events e WHERE e.ticket_id = x.ticket_id AND e.at < ?2 AND e.to_status = 'done' AND e.from_status <> 'done'
      ORDER BY e.id DESC LIMIT 1), 0) END,
  CASE WHEN x.first_confirm < ?2 THEN x.first_confirm ELSE 0 END,
  CASE WHEN x.first_reject < ?2 THEN x.first_reject ELSE 0 END,
  CASE WHEN NOT x.first_reject < ?2 IS TRUE THEN NOT x.first_done < ?2 IS TRUE
    ELSE COALESCE((SELECT e.to_status NOT IN ('done','closed') FROM ticket_events e WHERE e.ticket_id = x.ticket_id AND e.at < ?2
      ORDER BY e.id DESC LIMIT 1), 1) END,
  t.callback_failed_at < ?2 IS TRUE,
  x.first_cancel < ?2 IS TRUE OR x.first_link < ?2 IS TRUE
FROM ticket_facts x JOIN tickets t ON t.id = x.ticket_id
WHERE %s AND x.created_at < ?2`

// RatingFacts returns the facts of every ticket that can matter to the rating of
// the window ending at cutoff under method v2: registered within FactsFrom before
// it (rating.FactsFrom: the window and the 30 days before it, where the earlier
// complaint of a repeat lies), or older and due, to be accepted, answered, open or
// changed since. A fact's Open is only meaningful for a ticket held by an
// organisation at the cutoff.
func (s *Store) RatingFacts(ctx context.Context, cutoff time.Time, from time.Duration) ([]app.RatingFact, error) {
	w0, t := cutoff.Add(-app.RatingWindow).Unix(), cutoff.Unix()
	var lo int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM tickets WHERE created_at >= ? ORDER BY created_at LIMIT 1),
		(SELECT COALESCE(max(id), 0) + 1 FROM tickets))`, cutoff.Add(-from).Unix()).Scan(&lo)
	if err != nil {
		return nil, err
	}
	type part struct {
		facts []app.RatingFact
		err   error
	}
	recent := make(chan part, 1)
	go func() {
		f, err := s.ratingFacts(ctx, "x.ticket_id >= ?3", w0, t, lo)
		recent <- part{f, err}
	}()
	older, err := s.ids(ctx, ratingOlderSQL, w0, t, lo)
	var out []app.RatingFact
	if err == nil {
		var list []byte
		if list, err = json.Marshal(older); err == nil {
			out, err = s.ratingFacts(ctx, "x.ticket_id IN (SELECT value FROM json_each(?3))", w0, t, string(list))
		}
	}
	r := <-recent
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, r.err
	}
	return append(out, r.facts...), nil
}

func (s *Store) ratingFacts(ctx context.Context, cond string, w0, t int64, arg any) ([]app.RatingFact, error) {
	var out []app.RatingFact
	err := s.each(ctx, strings.Replace(ratingFactsSQL, "%s", cond, 1), []any{w0, t, arg}, func(sc func(...any) error) error {
		var f app.RatingFact
		if err := sc(&f.Ticket, &f.Org, &f.Building, &f.Category, &f.Emergency, &f.Created, &f.AcceptDue, &f.Due,
			&f.LocalizeDue, &f.Localized, &f.Routed, &f.Accepted, &f.LastDone, &f.Confirmed, &f.FirstReject,
			&f.Open, &f.Unreached, &f.Excluded); err != nil {
			return err
		}
		if f.Confirmed != 0 {
			f.Unreached = false
		}
		out = append(out, f)
		return nil
	})
	return out, err
}
