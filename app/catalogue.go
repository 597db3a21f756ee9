package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ClockWindow is the part of the day in which a deadline's clock runs, in the
// municipality's time zone: a chute blockage gets 2 hours, but not before 8:00 nor
// after 23:00 (ПП № 416, п. 13). The zero value is «round the clock».
type ClockWindow struct {
	From, To int // hours of the day, 0 <= From < To <= 24
}

// Set reports whether the clock is limited to a window at all.
func (c ClockWindow) Set() bool { return c != ClockWindow{} }

// String is the catalogue's form, «08-23»; "" for round the clock.
func (c ClockWindow) String() string {
	if !c.Set() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d", c.From, c.To)
}

// ParseClockWindow reads «HH-HH»; "" is round the clock.
func ParseClockWindow(s string) (ClockWindow, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ClockWindow{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	from, err1 := strconv.Atoi(a)
	to, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || len(a) != 2 || len(b) != 2 || from < 0 || to > 24 || from >= to {
		return ClockWindow{}, fmt.Errorf("часы работы «%s»: нужен вид ЧЧ-ЧЧ, например 08-23, начало раньше конца", s)
	}
	return ClockWindow{from, to}, nil
}

// Responsible kinds: who a work type goes to. They are the organisation kinds.
var responsibleKinds = []OrgKind{OrgManagement, OrgSupplier, OrgLift, OrgWasteOperator, OrgGasService}

// catalogueColumns are the columns the catalogue must have; the rest are optional.
var catalogueColumns = []string{"code", "category_ru", "work_type_ru", "emergency", "deadline_hours", "local_default_hours"}

// ParseCatalogue reads the work-type catalogue (the CSV of shared/data, described
// in its README). A file with a bad row is refused as a whole: the error names the
// line and the column, so that whoever edits the catalogue can find it.
func ParseCatalogue(r io.Reader) ([]WorkType, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("каталог видов работ: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, need := range catalogueColumns {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("каталог видов работ: нет столбца %s", need)
		}
	}
	var out []WorkType
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("каталог видов работ, строка %d: %w", line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(column, format string, args ...any) error {
			return fmt.Errorf("каталог видов работ, строка %d, столбец %s: %s", line, column, fmt.Sprintf(format, args...))
		}
		num := func(name string) (float64, error) {
			s := get(name)
			if s == "" {
				return 0, nil
			}
			v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, bad(name, "«%s» — не число", s)
			}
			if v < 0 {
				return 0, bad(name, "отрицательное число %s", s)
			}
			return v, nil
		}
		flag := func(name string, def bool) (bool, error) {
			switch get(name) {
			case "":
				return def, nil
			case "0":
				return false, nil
			case "1":
				return true, nil
			}
			return false, bad(name, "«%s» — нужно 0 или 1", get(name))
		}
		w := WorkType{
			Code: strings.ToUpper(get("code")), Category: get("category_ru"), Name: get("work_type_ru"),
			CategoryEN: get("category_en"), NameEN: get("work_type_en"), Note: get("deadline_note_ru"), Source: get("source"),
			Handoff: get("handoff"), Keywords: normKeywords(get("keywords_ru")),
		}
		if w.Code == "" {
			return nil, bad("code", "пустой код")
		}
		if prev, ok := seen[w.Code]; ok {
			return nil, bad("code", "код %s уже был в строке %d", w.Code, prev)
		}
		seen[w.Code] = line
		if w.Name == "" {
			return nil, bad("work_type_ru", "пустое название")
		}
		var errs [4]error
		w.FederalHours, errs[0] = num("deadline_hours")
		w.LocalHours, errs[1] = num("local_default_hours")
		w.ColdHours, errs[2] = num("cold_deadline_hours")
		var loc float64
		loc, errs[3] = num("localize_minutes")
		for _, e := range errs {
			if e != nil {
				return nil, e
			}
		}
		if loc != math.Trunc(loc) {
			return nil, bad("localize_minutes", "«%s» — нужно целое число минут", get("localize_minutes"))
		}
		w.LocalizeMinutes = int(loc)
		if w.Emergency, err = flag("emergency", false); err != nil {
			return nil, err
		}
		active, err := flag("active", true)
		if err != nil {
			return nil, err
		}
		w.Active, w.Retired = active, !active
		if w.ClockHours, err = ParseClockWindow(get("clock_hours")); err != nil {
			return nil, bad("clock_hours", "%v", err)
		}
		w.Responsible = OrgKind(get("responsible"))
		if w.Responsible == "" {
			w.Responsible = OrgManagement
		}
		if !w.Responsible.Responsible() {
			return nil, bad("responsible", "неизвестное значение «%s»; допустимы %s", w.Responsible, joinKinds(responsibleKinds))
		}
		if w.Handoff != "" && strings.Trim(w.Handoff, "0123456789") != "" {
			return nil, bad("handoff", "«%s» — нужен номер телефона из цифр, например 104", w.Handoff)
		}
		if w.Handoff == "" && w.FederalHours == 0 && w.LocalHours == 0 {
			return nil, bad("deadline_hours", "нет ни федерального срока, ни local_default_hours")
		}
		out = append(out, w)
	}
	return out, nil
}

// normKeywords writes a list of phrases one way: «a; b; c», trimmed, no empties.
func normKeywords(s string) string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// NormKeywords is normKeywords for the administrator's own phrases.
func NormKeywords(s string) string { return normKeywords(s) }

func joinKinds(ks []OrgKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// TierGroup is a set of work types told apart by one question the operator asks:
// no heating is 16, 8 or 4 hours by the room's temperature (ПП № 354, прил. 1).
type TierGroup struct {
	Question string
	Codes    []string
}

// TierGroups are offered together wherever one of them is.
var TierGroups = []TierGroup{{Question: "Какая температура в квартире?", Codes: []string{"HEAT-02", "HEAT-04", "HEAT-05"}}}

// WithTiers returns list with every tier group one of its types belongs to
// complete and together, in the group's order, where its first member stood, and
// the question to ask for each type that opens a group.
func WithTiers(list []WorkTypeMatch, all func(code string) *WorkType) ([]WorkTypeMatch, map[string]string) {
	questions := map[string]string{}
	out := make([]WorkTypeMatch, 0, len(list)+2)
	placed := map[string]bool{}
	for _, m := range list {
		if placed[m.Type.Code] {
			continue
		}
		group := (*TierGroup)(nil)
		for i := range TierGroups {
			for _, c := range TierGroups[i].Codes {
				if c == m.Type.Code {
					group = &TierGroups[i]
				}
			}
		}
		if group == nil {
			out, placed[m.Type.Code] = append(out, m), true
			continue
		}
		first := true
		for _, c := range group.Codes {
			if w := all(c); w != nil && w.Active && !placed[c] {
				if first {
					questions[c], first = group.Question, false
				}
				tier := WorkTypeMatch{Type: w, Score: m.Score, Why: m.Why}
				if c != m.Type.Code {
					tier.Why = "ступень того же вида: " + group.Question
				}
				out, placed[c] = append(out, tier), true
			}
		}
	}
	return out, questions
}
