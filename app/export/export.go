// Package export sends a municipal centre's ticket changes to the republic
// registry: the records of the contract's "Registry export", a push job that
// resumes from the last acknowledged change sequence, and the export file.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

var (
	// A phone number: 7 or more digits, possibly with +, spaces, dashes and
	// brackets between them. Dates (dots) and flat numbers (few digits) stay.
	phoneRe = regexp.MustCompile(`\+?\(?\d[\d\s\-()]{5,}\d`)
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+`)
)

// Mask hides the phone numbers and e-mail addresses a resident or operator put
// into a description: the registry is public to the republic's officials, and
// the reporter's contacts never leave the municipality.
func Mask(s string) string {
	s = emailRe.ReplaceAllString(s, "[e-mail скрыт]")
	return phoneRe.ReplaceAllStringFunc(s, func(m string) string {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits < 7 {
			return m
		}
		return "[телефон скрыт]"
	})
}

// Record is t as the registry receives it: without the reporter, with the
// municipality, contacts in the description masked.
func Record(t *app.Ticket, code string, loc *time.Location, now time.Time) app.TicketJSON {
	j := t.JSON(loc, now, false)
	j.Municipality = code
	j.Description = Mask(j.Description)
	return j
}

// Source reads a centre's changes in change order and turns them into records.
type Source struct {
	Store *store.Store
}

// Next returns up to limit records changed after seq, and the change sequence of
// the last one (seq itself when there are none).
func (src Source) Next(ctx context.Context, seq int64, limit int) ([]app.TicketJSON, int64, error) {
	ts, err := src.Store.Changes(ctx, seq, limit)
	if err != nil || len(ts) == 0 {
		return nil, seq, err
	}
	m := src.Store.Municipality(ctx)
	now := src.Store.Now()
	out := make([]app.TicketJSON, len(ts))
	for i, t := range ts {
		out[i] = Record(t, m.Code, m.Location, now)
	}
	return out, ts[len(ts)-1].Seq, nil
}

// WriteFile writes every record changed after since to w, one JSON object per
// line, and returns how many and the last change sequence written.
func WriteFile(ctx context.Context, s *store.Store, w io.Writer, since int64) (int, int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	src := Source{Store: s}
	n, seq := 0, since
	for {
		recs, last, err := src.Next(ctx, seq, app.MaxBatch)
		if err != nil {
			return n, seq, err
		}
		if len(recs) == 0 {
			break
		}
		for i := range recs {
			if err := enc.Encode(&recs[i]); err != nil {
				return n, seq, err
			}
		}
		n += len(recs)
		seq = last
	}
	return n, seq, bw.Flush()
}

// cleanURL drops a trailing slash so that paths join cleanly.
func cleanURL(u string) string { return strings.TrimRight(strings.TrimSpace(u), "/") }
