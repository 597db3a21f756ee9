package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ecoz/ecoz/app"
)

const workTypeCols = "code, category, name, category_en, name_en, emergency, federal_hours, cold_hours, localize_minutes, clock_hours, responsible, handoff, note, source, keywords, retired, local_hours, accept_hours, route_override, local_keywords, active"

func scanWorkType(sc interface{ Scan(...any) error }) (*app.WorkType, error) {
	w := &app.WorkType{}
	var clock string
	err := sc.Scan(&w.Code, &w.Category, &w.Name, &w.CategoryEN, &w.NameEN, &w.Emergency, &w.FederalHours, &w.ColdHours, &w.LocalizeMinutes, &clock,
		&w.Responsible, &w.Handoff, &w.Note, &w.Source, &w.Keywords, &w.Retired, &w.LocalHours, &w.LocalAcceptHours, &w.RouteOverride, &w.LocalKeywords, &w.Active)
	if err != nil {
		return nil, err
	}
	// Written by ParseCatalogue, so it parses; a hand-edited row falls back to round the clock.
	w.ClockHours, _ = app.ParseClockWindow(clock)
	w.Active = w.Active && !w.Retired
	return w, nil
}

// WorkTypes returns the catalogue (inactive types included), deadlines resolved
// for now and the municipality's norms, in code order.
func (s *Store) WorkTypes(ctx context.Context) ([]*app.WorkType, error) {
	m, err := s.workTypeMap(ctx)
	if err != nil {
		return nil, err
	}
	now, norms := s.Now(), s.Norms(ctx)
	out := make([]*app.WorkType, 0, len(m))
	for _, w := range m {
		c := *w
		c.Resolve(now, norms)
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// Categories returns the catalogue's categories, each once, sorted: the queues'
// filter choices when their counts are not asked for. It reads the cached
// catalogue as it is, where WorkTypes copies and resolves every work type (on
// every queue page, a quarter of its allocations).
func (s *Store) Categories(ctx context.Context) ([]string, error) {
	m, err := s.workTypeMap(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, 16)
	out := make([]string, 0, 16)
	for _, w := range m {
		if !seen[w.Category] {
			seen[w.Category] = true
			out = append(out, w.Category)
		}
	}
	sort.Strings(out)
	return out, nil
}

// WorkType returns one work type by code.
func (s *Store) WorkType(ctx context.Context, code string) (*app.WorkType, error) {
	m, err := s.workTypeMap(ctx)
	if err != nil {
		return nil, err
	}
	w, ok := m[strings.ToUpper(code)]
	if !ok {
		return nil, app.Errorf(app.ENOTFOUND, "Вид работ %s не найден.", code)
	}
	c := *w
	c.Resolve(s.Now(), s.Norms(ctx))
	return &c, nil
}

func (s *Store) workTypeMap(ctx context.Context) (map[string]*app.WorkType, error) {
	s.mu.RLock()
	m, gen := s.workTypes, s.cacheGen
	s.mu.RUnlock()
	if m != nil {
		return m, nil
	}
	rows, err := s.r.QueryContext(ctx, "SELECT "+workTypeCols+" FROM work_types")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m = map[string]*app.WorkType{}
	for rows.Next() {
		w, err := scanWorkType(rows)
		if err != nil {
			return nil, err
		}
		m[w.Code] = w
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cacheGen == gen { // not dropped by a commit while we read
		s.workTypes = m
	}
	s.mu.Unlock()
	return m, nil
}

func (tx *Tx) workType(code string) (*app.WorkType, error) {
	w, err := scanWorkType(tx.queryRow("SELECT "+workTypeCols+" FROM work_types WHERE code = ?", strings.ToUpper(code)))
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Вид работ %s не найден.", code)
	} else if err != nil {
		return nil, err
	}
	w.Resolve(tx.now, tx.norms())
	return w, nil
}

// LoadWorkTypes brings the catalogue up to date with the CSV of shared/data (see
// app.ParseCatalogue): types not yet present are added; the catalogue's facts of
// the others (names, deadlines, localisation, clock window, responsible, hand-off,
// source, note, keywords, retirement) are updated, each change recorded in the type's
// history; what the municipality set itself (local norms, acceptance norm, routing
// override, its own keywords, whether it is used) is kept. A file with a bad row
// changes nothing. It returns how many types were added.
func (tx *Tx) LoadWorkTypes(r io.Reader) (int, error) {
	list, err := app.ParseCatalogue(r)
	if err != nil {
		return 0, &app.Error{Code: app.EINVALID, Message: err.Error()}
	}
	n := 0
	for i := range list {
		w := &list[i]
		old, err := scanWorkType(tx.queryRow("SELECT "+workTypeCols+" FROM work_types WHERE code = ?", w.Code))
		if err == sql.ErrNoRows {
			_, err = tx.exec(`INSERT INTO work_types(code, category, name, category_en, name_en, emergency, federal_hours, cold_hours, localize_minutes, clock_hours,
				responsible, handoff, note, source, keywords, retired, local_hours, active) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				w.Code, w.Category, w.Name, w.CategoryEN, w.NameEN, w.Emergency, w.FederalHours, w.ColdHours, w.LocalizeMinutes, w.ClockHours.String(),
				w.Responsible, w.Handoff, w.Note, w.Source, w.Keywords, w.Retired, w.LocalHours, !w.Retired)
			if err != nil {
				return n, err
			}
			n++
			continue
		} else if err != nil {
			return n, err
		}
		for _, c := range []struct {
			field    string
			old, new any
		}{
			{"category", old.Category, w.Category}, {"name", old.Name, w.Name}, {"category_en", old.CategoryEN, w.CategoryEN}, {"name_en", old.NameEN, w.NameEN},
			{"emergency", old.Emergency, w.Emergency}, {"federal_hours", old.FederalHours, w.FederalHours}, {"cold_hours", old.ColdHours, w.ColdHours},
			{"localize_minutes", old.LocalizeMinutes, w.LocalizeMinutes}, {"clock_hours", old.ClockHours.String(), w.ClockHours.String()},
			{"responsible", old.Responsible, w.Responsible}, {"handoff", old.Handoff, w.Handoff}, {"note", old.Note, w.Note}, {"source", old.Source, w.Source},
			{"keywords", old.Keywords, w.Keywords}, {"retired", old.Retired, w.Retired},
		} {
			if err := tx.workTypeChanged(w.Code, "каталог", c.field, c.old, c.new); err != nil {
				return n, err
			}
		}
		_, err = tx.exec(`UPDATE work_types SET category = ?, name = ?, category_en = ?, name_en = ?, emergency = ?, federal_hours = ?, cold_hours = ?,
			localize_minutes = ?, clock_hours = ?, responsible = ?, handoff = ?, note = ?, source = ?, keywords = ?, retired = ? WHERE code = ?`,
			w.Category, w.Name, w.CategoryEN, w.NameEN, w.Emergency, w.FederalHours, w.ColdHours, w.LocalizeMinutes, w.ClockHours.String(),
			w.Responsible, w.Handoff, w.Note, w.Source, w.Keywords, w.Retired, w.Code)
		if err != nil {
			return n, err
		}
	}
	tx.dropWorkTypes = true
	return n, nil
}

// workTypeChanged records one changed field of a work type in its history.
func (tx *Tx) workTypeChanged(code, actor, field string, a, b any) error {
	as, bs := fmt.Sprint(a), fmt.Sprint(b)
	if as == bs {
		return nil
	}
	_, err := tx.exec("INSERT INTO work_type_history(code, changed_at, actor, field, old_value, new_value) VALUES (?,?,?,?,?,?)", code, unix(tx.now), actor, field, as, bs)
	return err
}

// WorkTypeEdit is what the administrator may change of a work type: the
// municipality's own values, never the catalogue's facts.
type WorkTypeEdit struct {
	LocalHours    float64
	AcceptHours   float64
	RouteOverride app.OrgKind // "": as the catalogue says
	LocalKeywords string
	Active        bool
}

// UpdateWorkType changes a work type and records each changed field in its
// history. Tickets already registered keep their deadlines.
func (s *Store) UpdateWorkType(ctx context.Context, code string, e WorkTypeEdit) error {
	fe := app.FieldErrors{}
	if e.LocalHours < 0 || e.LocalHours > 24*365 {
		fe.Add("local_hours", "Местный норматив — от 0 до 8760 ч.")
	}
	if e.AcceptHours < 0 || e.AcceptHours > 720 {
		fe.Add("accept_hours", "Срок принятия — от 0 до 720 ч (0 — по правилам).")
	}
	if e.RouteOverride != "" && !e.RouteOverride.Responsible() {
		fe.Add("route_override", "Неизвестный тип организации.")
	}
	e.LocalKeywords = app.NormKeywords(e.LocalKeywords)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		old, err := scanWorkType(tx.queryRow("SELECT "+workTypeCols+" FROM work_types WHERE code = ?", strings.ToUpper(code)))
		if err == sql.ErrNoRows {
			return app.Errorf(app.ENOTFOUND, "Вид работ %s не найден.", code)
		} else if err != nil {
			return err
		}
		if old.Retired && e.Active {
			return &app.Error{Code: app.EINVALID, Message: "Этот вид работ выведен из каталога; включить его нельзя.", Fields: map[string]string{"active": "Выведен из каталога."}}
		}
		if old.Retired {
			e.Active = false
		}
		actor := "система"
		if tx.user != nil {
			actor = tx.user.Login
		}
		for _, h := range []struct {
			f    string
			a, b any
		}{{"local_hours", old.LocalHours, e.LocalHours}, {"accept_hours", old.LocalAcceptHours, e.AcceptHours}, {"route_override", old.RouteOverride, e.RouteOverride},
			{"local_keywords", old.LocalKeywords, e.LocalKeywords}, {"active", old.Active, e.Active}} {
			if err := tx.workTypeChanged(old.Code, actor, h.f, h.a, h.b); err != nil {
				return err
			}
		}
		tx.dropWorkTypes = true
		_, err = tx.exec("UPDATE work_types SET local_hours = ?, accept_hours = ?, route_override = ?, local_keywords = ?, active = ? WHERE code = ?",
			e.LocalHours, e.AcceptHours, e.RouteOverride, e.LocalKeywords, e.Active, old.Code)
		return err
	})
}

// WorkTypeChange is one entry of a work type's history.
type WorkTypeChange struct {
	At       int64
	Actor    string
	Field    string
	Old, New string
}

// WorkTypeHistory lists the changes of a work type, newest first.
func (s *Store) WorkTypeHistory(ctx context.Context, code string) ([]WorkTypeChange, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT changed_at, actor, field, old_value, new_value FROM work_type_history WHERE code = ? ORDER BY id DESC", code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WorkTypeChange
	for rows.Next() {
		var c WorkTypeChange
		if err := rows.Scan(&c.At, &c.Actor, &c.Field, &c.Old, &c.New); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SearchWorkTypes finds active work types by everyday words, best first (see
// app.RankWorkTypes).
func (s *Store) SearchWorkTypes(ctx context.Context, q string) ([]*app.WorkType, error) {
	ms, err := s.RankWorkTypes(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*app.WorkType, len(ms))
	for i, m := range ms {
		out[i] = m.Type
	}
	return out, nil
}

// RankWorkTypes is SearchWorkTypes with each suggestion's score and reason; an
// empty q lists every active type.
func (s *Store) RankWorkTypes(ctx context.Context, q string) ([]app.WorkTypeMatch, error) {
	all, err := s.WorkTypes(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(q) == "" {
		var out []app.WorkTypeMatch
		for _, w := range all {
			if w.Active {
				out = append(out, app.WorkTypeMatch{Type: w})
			}
		}
		return out, nil
	}
	return app.RankWorkTypes(all, q), nil
}

// WorkTypes lists the active work types inside the transaction, deadlines resolved.
func (tx *Tx) WorkTypes() ([]*app.WorkType, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT code FROM work_types WHERE active AND NOT retired ORDER BY code")
	if err != nil {
		return nil, err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		codes = append(codes, c)
	}
	rows.Close()
	out := make([]*app.WorkType, 0, len(codes))
	for _, c := range codes {
		w, err := tx.workType(c)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}
