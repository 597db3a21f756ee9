package app

import (
	"os"
	"strings"
	"testing"
)

func TestParseCatalogueRefusesBadRows(t *testing.T) {
	head := "code,category_ru,work_type_ru,emergency,deadline_hours,local_default_hours,cold_deadline_hours,localize_minutes,clock_hours,responsible,handoff,active,keywords_ru\n"
	good := "ROOF-01,Кровля,Протечка,0,24,,,,,management,,1,течёт крыша\n"
	for _, c := range []struct{ name, row, want string }{
		{"unknown responsible", "X-1,К,Имя,0,24,,,,,plumber,,1,", "строка 3, столбец responsible: неизвестное значение «plumber»"},
		{"malformed clock_hours", "X-1,К,Имя,1,2,,,,8-23,management,,1,", "строка 3, столбец clock_hours"},
		{"clock_hours backwards", "X-1,К,Имя,1,2,,,,23-08,management,,1,", "строка 3, столбец clock_hours"},
		{"negative deadline", "X-1,К,Имя,0,-24,,,,,management,,1,", "строка 3, столбец deadline_hours: отрицательное число -24"},
		{"negative cold deadline", "X-1,К,Имя,0,24,,-1,,,management,,1,", "строка 3, столбец cold_deadline_hours: отрицательное число"},
		{"negative localisation", "X-1,К,Имя,1,72,,,-30,,management,,1,", "строка 3, столбец localize_minutes: отрицательное число"},
		{"not a number", "X-1,К,Имя,0,сутки,,,,,management,,1,", "строка 3, столбец deadline_hours: «сутки» — не число"},
		{"bad active", "X-1,К,Имя,0,24,,,,,management,,да,", "строка 3, столбец active"},
		{"bad hand-off", "X-1,К,Имя,1,,,,,,gas_service,сто четыре,1,", "строка 3, столбец handoff"},
		{"duplicate code", "ROOF-01,К,Имя,0,24,,,,,management,,1,", "строка 3, столбец code: код ROOF-01 уже был в строке 2"},
		{"no deadline at all", "X-1,К,Имя,0,,,,,,management,,1,", "строка 3, столбец deadline_hours"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCatalogue(strings.NewReader(head + good + c.row + "\n"))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TestParseRepositoryCatalogue reads the catalogue the product embeds.
func TestParseRepositoryCatalogue(t *testing.T) {
	f, err := os.Open("../assets/data/work_types.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := ParseCatalogue(f)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]WorkType{}
	active := 0
	for _, w := range list {
		by[w.Code] = w
		if w.Active {
			active++
		}
	}
	if len(list) != 70 || active != 69 {
		t.Errorf("%d types, %d active; the README says 70 and 69", len(list), active)
	}
	gas := by["GAS-01"]
	if gas.Handoff != "104" || gas.Responsible != OrgGasService || gas.FederalHours != 0 || !gas.Emergency {
		t.Errorf("GAS-01: %+v", gas)
	}
	if w := by["WASTE-01"]; w.Responsible != OrgWasteOperator || w.FederalHours != 24 || w.ColdHours != 72 {
		t.Errorf("WASTE-01: %+v", w)
	}
	if w := by["CHUTE-01"]; w.ClockHours != (ClockWindow{8, 23}) || w.FederalHours != 2 {
		t.Errorf("CHUTE-01: %+v", w)
	}
	if w := by["SEW-02"]; w.LocalizeMinutes != 30 || w.FederalHours != 72 {
		t.Errorf("SEW-02: %+v", w)
	}
	if w := by["FLOOD-01"]; !strings.Contains(w.Keywords, "затопили соседи; топят соседи сверху") {
		t.Errorf("FLOOD-01 keywords %q", w.Keywords)
	}
	if w := by["WIN-02"]; w.Active || !w.Retired {
		t.Errorf("WIN-02 must be retired: %+v", w)
	}
}

func TestWithTiers(t *testing.T) {
	types := map[string]*WorkType{}
	for _, c := range []string{"HEAT-01", "HEAT-02", "HEAT-03", "HEAT-04", "HEAT-05", "CW-05"} {
		types[c] = &WorkType{Code: c, Active: true}
	}
	all := func(c string) *WorkType { return types[c] }
	var in []WorkTypeMatch
	for _, c := range []string{"HEAT-04", "HEAT-03", "HEAT-02", "CW-05"} {
		in = append(in, WorkTypeMatch{Type: types[c], Why: "слово"})
	}
	list, q := WithTiers(in, all)
	var got []string
	for _, m := range list {
		got = append(got, m.Type.Code)
	}
	if list[0].Why != "ступень того же вида: Какая температура в квартире?" || list[1].Why != "слово" {
		t.Errorf("why: %q, %q", list[0].Why, list[1].Why)
	}
	if strings.Join(got, " ") != "HEAT-02 HEAT-04 HEAT-05 HEAT-03 CW-05" || q["HEAT-02"] != "Какая температура в квартире?" || len(q) != 1 {
		t.Errorf("tiers: %v, questions %v", got, q)
	}
}
