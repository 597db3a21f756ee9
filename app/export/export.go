// Package export sends a municipal centre's ticket changes to the republic
// registry: the records of the contract's "Registry export", a push job that
// resumes from the last acknowledged change sequence, and the export file.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Record is t as the registry receives it: the municipality's code and nothing
// personal (app.TicketRecord) — no reporter, no flat, no free text.
func Record(t *app.Ticket, code string, loc *time.Location, now time.Time) app.TicketRecord {
	r := t.Record(loc, now)
	r.Municipality = code
	return r
}

// Source reads a centre's changes in change order and turns them into records.
type Source struct {
	Store *store.Store
}

// Next returns up to limit records changed after seq, and the change sequence of
// the last one (seq itself when there are none).
func (src Source) Next(ctx context.Context, seq int64, limit int) ([]app.TicketRecord, int64, error) {
	ts, err := src.Store.Changes(ctx, seq, limit)
	if err != nil || len(ts) == 0 {
		return nil, seq, err
	}
	m := src.Store.Municipality(ctx)
	now := src.Store.Now()
	out := make([]app.TicketRecord, len(ts))
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
