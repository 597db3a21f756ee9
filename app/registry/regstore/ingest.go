package regstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	jsonv2 "github.com/go-json-experiment/json"
)

// Result is the registry's answer to a batch.
type Result struct {
	Accepted int `json:"accepted"`
	Ignored  int `json:"ignored"`
}

// ParseBatch decodes a pushed batch strictly: unknown fields, wrong types and
// trailing data are refused, and every record is checked (Validate).
func ParseBatch(body []byte) (*app.Batch, error) {
	// The sound batch, the usual case, is decoded in one pass; only a batch that
	// fails is taken apart record by record, to name every bad one.
	var b app.Batch
	if jsonv2.Unmarshal(body, &b, jsonv2.RejectUnknownMembers(true)) == nil && b.Records != nil && len(b.Records) <= app.MaxBatch && strings.TrimSpace(b.BatchID) != "" && len(b.BatchID) <= 200 {
		return &b, nil
	}
	var raw struct {
		Municipality string            `json:"municipality"`
		BatchID      string            `json:"batch_id"`
		Records      []json.RawMessage `json:"records"`
	}
	if err := strict(body, &raw); err != nil {
		return nil, err
	}
	fe := app.FieldErrors{}
	if strings.TrimSpace(raw.BatchID) == "" || len(raw.BatchID) > 200 {
		fe.Add("batch_id", "Нужен идентификатор пакета (batch_id) длиной до 200 символов.")
	}
	if raw.Records == nil {
		fe.Add("records", "Нет массива records.")
	}
	if len(raw.Records) > app.MaxBatch {
		fe.Add("records", fmt.Sprintf("В пакете %d записей; допускается не больше %d.", len(raw.Records), app.MaxBatch))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	b = app.Batch{Municipality: raw.Municipality, BatchID: raw.BatchID, Records: make([]app.TicketJSON, len(raw.Records))}
	for i, r := range raw.Records {
		if err := strict(r, &b.Records[i]); err != nil {
			fe.Add(recordKey(i, ""), app.ErrorMessage(err))
		}
	}
	if err := fe.Err(); err != nil {
		return nil, badRecords(fe)
	}
	return &b, nil
}

// strict is the kit's strict decoder, the centre's.
var strict = kit.Strict

func recordKey(i int, number string) string {
	if number == "" {
		return fmt.Sprintf("records[%d]", i)
	}
	return fmt.Sprintf("records[%d] %s", i, number)
}

// badRecords is the 400 answer naming every refused record and why.
func badRecords(fe app.FieldErrors) error {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	shown := keys
	if len(shown) > 5 {
		shown = shown[:5]
	}
	parts := make([]string, len(shown))
	for i, k := range shown {
		parts[i] = k + ": " + fe[k]
	}
	msg := fmt.Sprintf("Пакет отклонён целиком, ничего не сохранено: %d записей с ошибками. %s", len(keys), strings.Join(parts, "; "))
	if len(keys) > len(shown) {
		msg += fmt.Sprintf("; и ещё %d", len(keys)-len(shown))
	}
	return &app.Error{Code: app.EINVALID, Message: msg, Fields: fe}
}

var numberRe = regexp.MustCompile(`^[A-Z0-9]{1,16}-[0-9]{1,12}$`)

// row is a validated record with the columns the registry files it by.
type row struct {
	rec                                   *app.TicketJSON
	created, acceptDue, due               int64
	accepted, done, closed, onTime, orgID sql.NullInt64
	orgName, parent                       string
}

func parseTime(fe app.FieldErrors, key, field, v string, required bool) sql.NullInt64 {
	if v == "" {
		if required {
			fe.Add(key, "нет поля "+field)
		}
		return sql.NullInt64{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		fe.Add(key, field+": время не в формате RFC 3339")
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func optTime(fe app.FieldErrors, key, field string, v *string) sql.NullInt64 {
	if v == nil {
		return sql.NullInt64{}
	}
	if *v == "" {
		fe.Add(key, field+": пустая строка вместо null")
		return sql.NullInt64{}
	}
	return parseTime(fe, key, field, *v, true)
}

// Validate checks every record of b as pushed with the token of municipality
// code: all must be sound and all of that municipality, or the batch is refused
// whole. A record of another municipality is forbidden (403), the rest invalid (400).
func Validate(code string, b *app.Batch) ([]row, error) {
	if b.Municipality != code {
		return nil, app.Errorf(app.EFORBIDDEN, "Пакет подписан токеном муниципалитета %s, а заявлен как «%s»; ничего не сохранено.", code, b.Municipality)
	}
	fe, foreign := app.FieldErrors{}, app.FieldErrors{}
	rows := make([]row, len(b.Records))
	for i := range b.Records {
		r := &b.Records[i]
		key := recordKey(i, r.Number)
		if r.Municipality != code {
			foreign.Add(key, fmt.Sprintf("запись муниципалитета «%s», а токен — %s", r.Municipality, code))
			continue
		}
		var why []string
		bad := func(msg string) { why = append(why, msg) }
		if !numberRe.MatchString(r.Number) {
			bad("неверный номер заявки")
		}
		if r.Version < 1 {
			bad("версия должна быть не меньше 1")
		}
		if !r.Status.Valid() {
			bad(fmt.Sprintf("неизвестный статус «%s»", r.Status))
		}
		if r.Source != app.SourcePhone && r.Source != app.SourcePortal {
			bad(fmt.Sprintf("неизвестный источник «%s»", r.Source))
		}
		if strings.TrimSpace(r.WorkType.Code) == "" {
			bad("нет вида работ")
		}
		if r.Building.ID <= 0 || strings.TrimSpace(r.Building.Address) == "" {
			bad("нет дома или адреса")
		}
		if r.Building.Apartments < 0 || r.Building.Apartments > 10000 {
			bad("число квартир дома — от 0 до 10000")
		}
		if r.Reporter != nil {
			bad("в записи есть данные заявителя: реестр их не принимает")
		}
		if len(r.Description) > 20000 {
			bad("описание длиннее 20000 символов")
		}
		if r.Organization != nil && r.Organization.ID <= 0 {
			bad("неверная организация")
		}
		tf := app.FieldErrors{}
		w := row{rec: r}
		w.created = parseTime(tf, key, "created_at", r.CreatedAt, true).Int64
		w.acceptDue = parseTime(tf, key, "accept_due_at", r.AcceptDueAt, true).Int64
		w.due = parseTime(tf, key, "due_at", r.DueAt, true).Int64
		parseTime(tf, key, "updated_at", r.UpdatedAt, true)
		optTime(tf, key, "localize_due_at", r.LocalizeDueAt)
		w.accepted = optTime(tf, key, "accepted_at", r.AcceptedAt)
		w.done = optTime(tf, key, "done_at", r.DoneAt)
		w.closed = optTime(tf, key, "closed_at", r.ClosedAt)
		if tf[key] != "" {
			bad(tf[key])
		}
		if len(why) > 0 {
			fe.Add(key, strings.Join(why, "; "))
			continue
		}
		if r.DoneOnTime != nil {
			w.onTime = sql.NullInt64{Valid: true}
			if *r.DoneOnTime {
				w.onTime.Int64 = 1
			}
		}
		if r.Organization != nil {
			w.orgID = sql.NullInt64{Int64: r.Organization.ID, Valid: true}
			w.orgName = r.Organization.Name
		}
		if r.Parent != nil {
			w.parent = *r.Parent
		}
		rows[i] = w
	}
	if len(foreign) > 0 {
		msg := fmt.Sprintf("Пакет отклонён целиком: %d записей другого муниципалитета, токен — %s.", len(foreign), code)
		return nil, &app.Error{Code: app.EFORBIDDEN, Message: msg, Fields: foreign}
	}
	if len(fe) > 0 {
		return nil, badRecords(fe)
	}
	return rows, nil
}

const upsertSQL = `INSERT INTO tickets(municipality, number, version, status, organization_id, organization, building_id, address, category,
 parent, created_at, accept_due_at, due_at, accepted_at, done_at, closed_at, done_on_time, reopen_count, search, record, received_at, apartments)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT(municipality, number) DO UPDATE SET version = excluded.version, status = excluded.status,
 organization_id = excluded.organization_id, organization = excluded.organization, building_id = excluded.building_id,
 address = excluded.address, apartments = excluded.apartments, category = excluded.category, parent = excluded.parent, created_at = excluded.created_at,
 accept_due_at = excluded.accept_due_at, due_at = excluded.due_at, accepted_at = excluded.accepted_at, done_at = excluded.done_at,
 closed_at = excluded.closed_at, done_on_time = excluded.done_on_time, reopen_count = excluded.reopen_count,
 search = excluded.search, record = excluded.record, received_at = excluded.received_at
WHERE excluded.version > tickets.version`

// Apply files a validated batch in one transaction: each record replaces the one
// held only when its version is higher, so a replay or a late, older copy changes
// nothing.
func (db *DB) Apply(ctx context.Context, code string, b *app.Batch, rows []row) (Result, error) {
	var res Result
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = db.applyTx(ctx, tx, code, b.BatchID, rows, "push")
		return err
	})
	return res, err
}

// applyTx files rows inside tx; source is "push" or "import" (an import does not
// count as a push for the staleness warning: it came by hand, not by the link).
func (db *DB) applyTx(ctx context.Context, tx *sql.Tx, code, batchID string, rows []row, source string) (Result, error) {
	var res Result
	st, err := tx.PrepareContext(ctx, upsertSQL)
	if err != nil {
		return res, err
	}
	defer st.Close()
	now := db.Now().Unix()
	for _, w := range rows {
		r := w.rec
		rec, err := jsonv2.Marshal(r)
		if err != nil {
			return res, err
		}
		search := strings.ToLower(r.Number + " " + r.Building.Address + " " + r.WorkType.Name + " " + w.orgName + " " + r.Description)
		out, err := st.ExecContext(ctx, code, r.Number, r.Version, r.Status, w.orgID.Int64, w.orgName, r.Building.ID, r.Building.Address,
			r.WorkType.Category, w.parent, w.created, w.acceptDue, w.due, w.accepted, w.done, w.closed, w.onTime, r.ReopenCount,
			search, string(rec), now, r.Building.Apartments)
		if err != nil {
			return res, err
		}
		if n, _ := out.RowsAffected(); n > 0 {
			res.Accepted++
		} else {
			res.Ignored++
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO batches(municipality, batch_id, source, received_at, records, accepted, ignored) VALUES (?,?,?,?,?,?,?)",
		code, batchID, source, now, len(rows), res.Accepted, res.Ignored); err != nil {
		return res, err
	}
	if source == "push" {
		_, err = tx.ExecContext(ctx, "UPDATE municipalities SET last_push_at = ? WHERE code = ?", now, code)
	}
	return res, err
}

// Ingest parses, validates and applies one pushed batch as municipality code.
func (db *DB) Ingest(ctx context.Context, code string, body []byte) (Result, error) {
	b, err := ParseBatch(body)
	if err != nil {
		return Result{}, err
	}
	rows, err := Validate(code, b)
	if err != nil {
		return Result{}, err
	}
	return db.Apply(ctx, code, b, rows)
}
