package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// ratingFactsSQL reads, for the tickets chosen by %s (cancelled and linked ones
// left out), the facts method v2 needs as
// they stood at the cutoff ?2: the first times kept in ticket_facts, the
// organisation holding the ticket at ?2 (ticket_orgs), and — only for tickets the
// resident rejected before ?2, whose trail is not told by first times — the last
// «done» and whether it still stood at ?2, from the full trail. Localisation and a
// failed confirmation call are single moments kept on the ticket.
var ratingFactsSQL = `
SELECT x.ticket_id,
  CASE WHEN x.org_at IS NULL THEN 0 WHEN x.org_at < ?2 THEN COALESCE(x.org_id, 0)
    ELSE COALESCE((SELECT o.organization_id FROM ticket_orgs o WHERE o.ticket_id = x.ticket_id AND o.at < ?2
      ORDER BY o.at DESC, o.rowid DESC LIMIT 1), 0) END,
  t.building_id, t.category, x.created_at, x.accept_due_at, x.due_at, COALESCE(t.localize_due_at, 0),
  ` + agoPair("x.first_route", "x.first_accept") + `,
  ` + agoPair(`CASE WHEN NOT x.first_reject < ?2 IS TRUE THEN x.first_done
    ELSE (SELECT e.at FROM ticket_events e WHERE e.ticket_id = x.ticket_id AND e.at < ?2 AND e.to_status = 'done' AND e.from_status <> 'done'
      ORDER BY e.id DESC LIMIT 1) END`, "x.first_confirm") + `,
  ` + agoPair("x.first_reject", "t.localized_at") + `,
  (CASE WHEN NOT x.first_reject < ?2 IS TRUE THEN NOT x.first_done < ?2 IS TRUE
    ELSE COALESCE((SELECT e.to_status NOT IN ('done','closed') FROM ticket_events e WHERE e.ticket_id = x.ticket_id AND e.at < ?2
      ORDER BY e.id DESC LIMIT 1), 1) END)
  | 2 * (t.callback_failed_at < ?2 IS TRUE) | 4 * t.emergency
FROM ticket_facts x JOIN tickets t ON t.id = x.ticket_id
WHERE %s AND x.created_at < ?2 AND NOT x.first_cancel < ?2 IS TRUE AND NOT x.first_link < ?2 IS TRUE`

// ratingRepeatKeysSQL reads, for the tickets numbered in [?3, ?4) and registered
// since ?1, only what the search for repeated complaints needs: they are the 30
// days before the window, counted for nothing else. Tickets cancelled or linked
// before the cutoff ?2 are left out.
const ratingRepeatKeysSQL = `
SELECT x.ticket_id, t.building_id, t.category, x.created_at
FROM ticket_facts x JOIN tickets t ON t.id = x.ticket_id
WHERE x.ticket_id >= ?3 AND x.ticket_id < ?4 AND x.created_at >= ?1 AND x.created_at < ?2
  AND NOT x.first_cancel < ?2 IS TRUE AND NOT x.first_link < ?2 IS TRUE`

// RatingFacts returns the facts of every ticket that can matter to the rating of
// the window ending at cutoff under method v2: every one registered since
// ratingLookback before the window, and any older one due, to be accepted,
// answered, open or changed since (in full); and, for the search for repeated
// complaints, the others registered within from before the cutoff (rating.FactsFrom:
// the window and the 30 days before it) with only their building, category and
// time of registration (Org 0: they count for nobody). Tickets cancelled or linked
// before the cutoff are left out: the method ignores them.
func (s *Store) RatingFacts(ctx context.Context, cutoff time.Time, from time.Duration) ([]app.RatingFact, error) {
	w0, t := cutoff.Add(-app.RatingWindow).Unix(), cutoff.Unix()
	firstID := func(since time.Time) (int64, error) {
		var id int64
		err := s.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM tickets WHERE created_at >= ? ORDER BY created_at LIMIT 1),
			(SELECT COALESCE(max(id), 0) + 1 FROM tickets))`, since.Unix()).Scan(&id)
		return id, err
	}
	lo, err := firstID(cutoff.Add(-app.RatingWindow - ratingLookback))
	if err != nil {
		return nil, err
	}
	keysFrom, err := firstID(cutoff.Add(-from))
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
	if err == nil && keysFrom < lo {
		full := make(map[int64]bool, len(out))
		for _, f := range out {
			full[f.Ticket] = true
		}
		err = s.each(ctx, ratingRepeatKeysSQL, []any{cutoff.Add(-from).Unix(), t, keysFrom, lo}, func(sc func(...any) error) error {
			var f app.RatingFact
			if err := sc(&f.Ticket, &f.Building, &f.Category, &f.Created); err != nil {
				return err
			}
			if !full[f.Ticket] {
				out = append(out, f)
			}
			return nil
		})
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

// agoPair packs two moments before the cutoff ?2 into one integer, each as the
// seconds before the cutoff (0: never, or not before the cutoff), a in the high
// and b in the low 32 bits: the driver's cost is per column read, and a million
// tickets' rating reads tens of thousands of rows. 2^31 seconds is 68 years.
func agoPair(a, b string) string {
	ago := func(e string) string { return "COALESCE(CASE WHEN (" + e + ") < ?2 THEN ?2 - (" + e + ") END, 0)" }
	return "(" + ago(a) + " << 32) | " + ago(b)
}

// unpackAgo reads a pair packed by agoPair back into moments (0: never).
func unpackAgo(v, t int64) (a, b int64) {
	at := func(x int64) int64 {
		if x == 0 {
			return 0
		}
		return t - x
	}
	return at(v >> 32), at(v & 0xffffffff)
}

func (s *Store) ratingFacts(ctx context.Context, cond string, w0, t int64, arg any) ([]app.RatingFact, error) {
	var out []app.RatingFact
	err := s.each(ctx, strings.Replace(ratingFactsSQL, "%s", cond, 1), []any{w0, t, arg}, func(sc func(...any) error) error {
		var f app.RatingFact
		var flags int
		var ra, dc, rl int64
		if err := sc(&f.Ticket, &f.Org, &f.Building, &f.Category, &f.Created, &f.AcceptDue, &f.Due, &f.LocalizeDue, &ra, &dc, &rl, &flags); err != nil {
			return err
		}
		f.Routed, f.Accepted = unpackAgo(ra, t)
		f.LastDone, f.Confirmed = unpackAgo(dc, t)
		f.FirstReject, f.Localized = unpackAgo(rl, t)
		f.Open, f.Unreached, f.Emergency = flags&1 != 0, flags&2 != 0 && f.Confirmed == 0, flags&4 != 0
		out = append(out, f)
		return nil
	})
	return out, err
}
