package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
)

const workTypeCols = "code, category, name, category_en, name_en, emergency, federal_hours, local_hours, accept_hours, note, source, supplier, keywords, active"

func scanWorkType(sc interface{ Scan(...any) error }) (*app.WorkType, error) {
	w := &app.WorkType{}
	err := sc.Scan(&w.Code, &w.Category, &w.Name, &w.CategoryEN, &w.NameEN, &w.Emergency, &w.FederalHours, &w.LocalHours, &w.AcceptHours, &w.Note, &w.Source, &w.Supplier, &w.Keywords, &w.Active)
	return w, err
}

// WorkTypes returns the catalogue (inactive types included), deadlines resolved,
// in code order within category order.
func (s *Store) WorkTypes(ctx context.Context) ([]*app.WorkType, error) {
	m, err := s.workTypeMap(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*app.WorkType, 0, len(m))
	for _, w := range m {
		c := *w
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
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
	return &c, nil
}

func (s *Store) workTypeMap(ctx context.Context) (map[string]*app.WorkType, error) {
	s.mu.RLock()
	m, gen := s.workTypes, s.cacheGen
	s.mu.RUnlock()
	if m != nil {
		return m, nil
	}
	accept := s.AcceptHours(ctx)
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
		w.Resolve(accept)
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
	accept := float64(app.DefaultAcceptHours)
	if v, err := tx.setting(SetAcceptHours); err == nil {
		if h, err := strconv.ParseFloat(v, 64); err == nil && h > 0 {
			accept = h
		}
	}
	w.Resolve(accept)
	return w, nil
}

// supplierCodes are the work types that, in the default catalogue, belong to the
// building's resource supplier rather than to its management organisation.
var supplierCodes = map[string]bool{"HW-02": true, "HW-03": true}

// everyday words residents use, so that «течёт» or «нет горячей воды» finds the type.
var defaultKeywords = map[string]string{
	"ROOF-01":  "течёт крыша протекает потолок капает с потолка заливает сверху",
	"CW-01":    "прорвало трубу течёт стояк холодная вода потоп заливает",
	"CW-02":    "нет холодной воды отключили воду",
	"CW-05":    "течёт кран капает",
	"CW-06":    "течёт унитаз бачок",
	"HW-01":    "прорвало трубу течёт стояк горячая вода полотенцесушитель потоп заливает",
	"HW-02":    "нет горячей воды отключили горячую",
	"HW-04":    "холодная горячая вода еле тёплая",
	"HEAT-01":  "течёт батарея прорвало отопление радиатор",
	"HEAT-02":  "холодные батареи нет отопления не греют",
	"HEAT-03":  "холодно в квартире",
	"SEW-01":   "засор канализации не уходит вода унитаз засорился",
	"SEW-03":   "затопило подвал вода в подвале",
	"CHUTE-01": "мусоропровод забит засор",
	"EL-01":    "нет света отключили электричество",
	"EL-04":    "искрит пахнет гарью проводка",
	"EL-05":    "темно в подъезде не горит лампочка свет",
	"LIFT-01":  "лифт не работает стоит сломался",
	"LIFT-02":  "застрял в лифте застряли",
	"GAS-01":   "пахнет газом запах газа утечка",
	"INT-01":   "домофон не открывается дверь",
	"YARD-02":  "снег не чистят сугробы двор",
	"YARD-03":  "гололёд скользко лёд",
	"ROOF-03":  "сосульки наледь",
	"ENT-01":   "грязно в подъезде не моют",
	"WASTE-01": "мусор не вывозят контейнеры",
	"PEST-01":  "крысы тараканы мыши",
	"VENT-01":  "вентиляция нет тяги",
	// More everyday words (workspace intake, issue #4).
	"ROOF-02":  "водосток водосточная труба воронка",
	"ROOF-04":  "снег на крыше",
	"WALL-01":  "кирпич выпадает стена разрушается",
	"WALL-03":  "штукатурка отваливается сыплется потолок",
	"WALL-05":  "швы текут межпанельные стена мокрая дует",
	"WIN-01":   "стекло разбито окно в подъезде",
	"DOOR-01":  "дверь подъезда не закрывается сломана",
	"DOOR-02":  "доводчик дверь хлопает",
	"DOOR-03":  "подвал открыт замок",
	"CW-03":    "слабый напор вода еле идет",
	"CW-04":    "ржавая вода мутная грязная вода",
	"SEW-02":   "течёт канализация прорвало канализацию",
	"SEW-05":   "воняет запах канализации",
	"CHUTE-02": "мусоропровод сломан клапан",
	"WASTE-02": "крупногабаритный мусор кго мебель",
	"EL-03":    "выбивает автомат щиток",
	"EL-06":    "фонарь над подъездом не горит",
	"EL-07":    "плита конфорка духовка",
	"EL-08":    "плита не работает",
	"EL-09":    "мигает свет напряжение скачет",
	"LIFT-03":  "кнопки лифта двери лифта свет в лифте",
	"GAS-02":   "нет газа плита газовая",
	"ENT-02":   "перила сломаны",
	"ENT-03":   "почтовые ящики сломаны",
	"ENT-04":   "козырёк над подъездом",
	"YARD-01":  "мусор во дворе грязно",
	"YARD-04":  "детская площадка качели",
}

// LoadWorkTypes reads the catalogue CSV of shared/data (columns: code, category_ru,
// work_type_ru, category_en, work_type_en, emergency, deadline_hours,
// deadline_note_ru, source, local_default_hours) and inserts the types not yet
// present; an existing type is left as the administrator edited it.
func (tx *Tx) LoadWorkTypes(r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("каталог видов работ: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, need := range []string{"code", "category_ru", "work_type_ru", "emergency", "deadline_hours", "local_default_hours"} {
		if _, ok := col[need]; !ok {
			return 0, fmt.Errorf("каталог видов работ: нет столбца %s", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	num := func(s string) (float64, error) {
		if s == "" {
			return 0, nil
		}
		return strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	}
	n := 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return n, fmt.Errorf("каталог видов работ, строка %d: %w", line, err)
		}
		fed, err1 := num(get(rec, "deadline_hours"))
		loc, err2 := num(get(rec, "local_default_hours"))
		if err1 != nil || err2 != nil {
			return n, fmt.Errorf("каталог видов работ, строка %d: срок не число", line)
		}
		code := strings.ToUpper(get(rec, "code"))
		res, err := tx.exec(`INSERT INTO work_types(code, category, name, category_en, name_en, emergency, federal_hours, local_hours, note, source, supplier, keywords)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(code) DO NOTHING`,
			code, get(rec, "category_ru"), get(rec, "work_type_ru"), get(rec, "category_en"), get(rec, "work_type_en"),
			get(rec, "emergency") == "1", fed, loc, get(rec, "deadline_note_ru"), get(rec, "source"), supplierCodes[code], defaultKeywords[code])
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	tx.dropWorkTypes = true
	return n, nil
}

// WorkTypeEdit is what the administrator may change of a work type.
type WorkTypeEdit struct {
	LocalHours  float64
	AcceptHours float64
	Supplier    bool
	Keywords    string
	Active      bool
}

// UpdateWorkType changes a work type and records each changed field in its
// history. Tickets already registered keep their deadlines.
func (s *Store) UpdateWorkType(ctx context.Context, code string, e WorkTypeEdit) error {
	fe := app.FieldErrors{}
	if e.LocalHours < 0 || e.LocalHours > 24*365 {
		fe.Add("local_hours", "Местный норматив — от 0 до 8760 ч.")
	}
	if e.AcceptHours < 0 || e.AcceptHours > 720 {
		fe.Add("accept_hours", "Срок принятия — от 0 до 720 ч (0 — по умолчанию).")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		old, err := tx.workType(code)
		if err != nil {
			return err
		}
		var rawAccept float64
		if err := tx.queryRow("SELECT accept_hours FROM work_types WHERE code = ?", old.Code).Scan(&rawAccept); err != nil {
			return err
		}
		old.AcceptHours = rawAccept
		actor := "система"
		if tx.user != nil {
			actor = tx.user.Login
		}
		hist := func(field string, a, b any) error {
			as, bs := fmt.Sprint(a), fmt.Sprint(b)
			if as == bs {
				return nil
			}
			_, err := tx.exec("INSERT INTO work_type_history(code, changed_at, actor, field, old_value, new_value) VALUES (?,?,?,?,?,?)", old.Code, unix(tx.now), actor, field, as, bs)
			return err
		}
		for _, h := range []struct {
			f    string
			a, b any
		}{{"local_hours", old.LocalHours, e.LocalHours}, {"accept_hours", old.AcceptHours, e.AcceptHours}, {"supplier", old.Supplier, e.Supplier}, {"keywords", old.Keywords, e.Keywords}, {"active", old.Active, e.Active}} {
			if err := hist(h.f, h.a, h.b); err != nil {
				return err
			}
		}
		tx.dropWorkTypes = true
		_, err = tx.exec("UPDATE work_types SET local_hours = ?, accept_hours = ?, supplier = ?, keywords = ?, active = ? WHERE code = ?",
			e.LocalHours, e.AcceptHours, e.Supplier, strings.TrimSpace(e.Keywords), e.Active, old.Code)
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

// SearchWorkTypes finds active work types by everyday words: every word of q must
// start a word of the type's name, category or keywords.
func (s *Store) SearchWorkTypes(ctx context.Context, q string) ([]*app.WorkType, error) {
	all, err := s.WorkTypes(ctx)
	if err != nil {
		return nil, err
	}
	words := searchWords(q)
	type hit struct {
		w     *app.WorkType
		score int
	}
	var hits []hit
	for _, w := range all {
		if !w.Active {
			continue
		}
		if len(words) == 0 {
			hits = append(hits, hit{w, 0})
			continue
		}
		hay := searchWords(w.Name + " " + w.Category + " " + w.Keywords + " " + w.Code)
		score := 0
		for _, q := range words {
			best := 0
			for _, h := range hay {
				switch {
				case h == q:
					best = max(best, 3)
				case strings.HasPrefix(h, q):
					best = max(best, 2)
				case len([]rune(q)) >= 4 && strings.HasPrefix(h, string([]rune(q)[:len([]rune(q))-1])):
					best = max(best, 1) // «течёт» finds «течь», «протечка» … by its stem
				}
			}
			if best == 0 {
				score = -1
				break
			}
			score += best
		}
		if score > 0 {
			if w.Emergency {
				score++
			}
			hits = append(hits, hit{w, score})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	out := make([]*app.WorkType, len(hits))
	for i, h := range hits {
		out[i] = h.w
	}
	return out, nil
}

func searchWords(s string) []string {
	s = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, "ё", "е"), "Ё", "е"))
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'а' && r <= 'я' || r == '-')
	})
}

// WorkTypes lists the active work types inside the transaction, deadlines resolved.
func (tx *Tx) WorkTypes() ([]*app.WorkType, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT code FROM work_types WHERE active ORDER BY code")
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
