package store

import (
	"context"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// DuplicateWindow is how far back a possible duplicate is looked for.
const DuplicateWindow = 7 * 24 * time.Hour

// duplicatesQuery is the query Duplicates runs ("" when nothing can match: an
// in-flat fault without a flat).
func (s *Store) duplicatesQuery(ctx context.Context, t *app.Ticket) (string, []any) {
	where, scopeArgs := scope(app.UserFrom(ctx))
	args := []any{t.BuildingID, t.WorkType.Category, t.CreatedAt.Add(-DuplicateWindow).Unix(), t.ID}
	flat := ""
	if app.InFlat(t.WorkType.Code) {
		apt := strings.TrimSpace(t.Apartment)
		if apt == "" {
			return "", nil
		}
		flat = " AND t.apartment = ?"
		args = append(args, apt)
	}
	q := ticketSelect + ` WHERE t.id IN (SELECT t.id FROM tickets t INDEXED BY tickets_dup
		WHERE t.building_id = ? AND t.category = ? AND t.created_at >= ? AND t.id <> ?` + flat + `
		AND t.status IN ('new','routed','accepted','done','reopened') AND ` + where + `
		ORDER BY t.created_at DESC LIMIT 10) ORDER BY t.created_at DESC, t.id DESC`
	return q, append(args, scopeArgs...)
}
