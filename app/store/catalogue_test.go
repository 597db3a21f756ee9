package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// syncCatalogue loads the repository's catalogue as every start does.
func syncCatalogue(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	err := s.Write(context.Background(), func(tx *store.Tx) error {
		f, err := os.Open(filepath.Join(apptest.Root(), "assets", "data", "work_types.csv"))
		if err != nil {
			return err
		}
		defer f.Close()
		n, err = tx.LoadWorkTypes(f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUpgradeFromFirstRelease: a database the first release left (testdata/
// release1.db, made from release1.sql) migrates, keeps what its administrator set,
// gains the catalogue's new types and facts, and still shows its old tickets.
func TestUpgradeFromFirstRelease(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "release1.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ecoz.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(path, apptest.Schema(t))
	if err != nil {
		t.Fatalf("migrating the first release's database: %v", err)
	}
	defer s.Close()
	s.Now = (&apptest.Clock{}).Now
	ctx := context.Background()
	if added := syncCatalogue(t, s); added != 3 { // FLOOD-01, HEAT-04, HEAT-05
		t.Errorf("types added: %d, want 3", added)
	}
	wts, err := s.WorkTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(wts) != 70 {
		t.Errorf("%d work types, want 70 (67 old + 3 new)", len(wts))
	}
	get := func(code string) *app.WorkType {
		t.Helper()
		w, err := s.WorkType(ctx, code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		return w
	}

	// The administrator's own values survive.
	if w := get("ROOF-04"); w.LocalHours != 48 {
		t.Errorf("ROOF-04 local norm %v, want the administrator's 48", w.LocalHours)
	}
	if w := get("DOOR-01"); w.AcceptHours != 12 {
		t.Errorf("DOOR-01 acceptance norm %v, want the administrator's 12", w.AcceptHours)
	}
	if w := get("YARD-04"); w.Active {
		t.Error("YARD-04 was switched off by the administrator and is active again")
	}
	if w := get("GAS-02"); w.RouteOverride != app.OrgSupplier || w.Routes() != app.OrgSupplier {
		t.Errorf("GAS-02 routing: override %q, routes %q; want the administrator's supplier", w.RouteOverride, w.Routes())
	}
	cw := get("CW-01")
	if cw.LocalKeywords != "прорвало трубу течёт стояк холодная вода потоп заливает хлещет из стены" {
		t.Errorf("CW-01 own keywords %q", cw.LocalKeywords)
	}
	// … and the catalogue's facts arrive.
	if cw.Keywords != "прорвало трубу; течёт стояк; холодная вода хлещет; потоп" || cw.LocalizeMinutes != 30 {
		t.Errorf("CW-01 catalogue: keywords %q, localise %d min", cw.Keywords, cw.LocalizeMinutes)
	}
	if w := get("ROOF-01"); w.LocalKeywords != "" || w.Keywords != "течёт крыша; протекает потолок; капает с потолка; заливает сверху на последнем этаже" {
		t.Errorf("ROOF-01 had the first release's default keywords, replaced by the catalogue's: own %q, catalogue %q", w.LocalKeywords, w.Keywords)
	}
	if w := get("HW-02"); w.RouteOverride != "" || w.Routes() != app.OrgSupplier {
		t.Errorf("HW-02: override %q, routes %q; want no override, supplier by the catalogue", w.RouteOverride, w.Routes())
	}
	if w := get("WIN-01"); w.FederalHours != 72 || w.ColdHours != 24 {
		t.Errorf("WIN-01: %v h, cold %v h; want 72 and 24", w.FederalHours, w.ColdHours)
	}
	if w := get("CHUTE-01"); w.ClockHours != (app.ClockWindow{From: 8, To: 23}) {
		t.Errorf("CHUTE-01 clock %v", w.ClockHours)
	}
	if w := get("GAS-01"); w.Handoff != "104" || w.Responsible != app.OrgGasService {
		t.Errorf("GAS-01: handoff %q, responsible %q", w.Handoff, w.Responsible)
	}
	if w := get("LIFT-01"); w.Responsible != app.OrgLift {
		t.Errorf("LIFT-01 responsible %q", w.Responsible)
	}
	if w := get("HEAT-05"); !w.Active || w.FederalHours != 4 || !w.Emergency {
		t.Errorf("new HEAT-05: %+v", w)
	}
	win2 := get("WIN-02")
	if win2.Active || !win2.Retired {
		t.Errorf("WIN-02 is retired by the catalogue: active %v retired %v", win2.Active, win2.Retired)
	}
	if err := s.UpdateWorkType(apptest.As(&app.User{Login: "admin", Role: app.RoleAdmin}), "WIN-02", store.WorkTypeEdit{Active: true}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("switching a retired type on: %v, want invalid", err)
	}

	// The retired type's old ticket still shows it; the old emergency reads.
	op := apptest.As(&app.User{ID: 1, Login: "op", Role: app.RoleOperator})
	tk, err := s.Ticket(op, "OLD-000001")
	if err != nil || tk.WorkType.Code != "WIN-02" || !strings.Contains(tk.WorkType.Name, "летний период") {
		t.Errorf("old ticket of a retired type: %v %+v", err, tk)
	}
	if tk, err := s.Ticket(op, "OLD-000002"); err != nil || !tk.LocalizedAt.IsZero() {
		t.Errorf("old emergency: %v, localised %v", err, tk.LocalizedAt)
	}
	// The first release's contractor is now a lift organisation.
	orgs, err := s.Organizations(ctx, app.OrgLift)
	if err != nil || len(orgs) != 1 || orgs[0].Name != "Лифтремонт" {
		t.Errorf("lift organisations after the upgrade: %v %+v", err, orgs)
	}
	hist, err := s.WorkTypeHistory(ctx, "ROOF-04")
	if err != nil || len(hist) == 0 || hist[len(hist)-1].Actor != "admin" {
		t.Errorf("ROOF-04 history lost: %v %+v", err, hist)
	}
	hist, _ = s.WorkTypeHistory(ctx, "CW-01")
	found := false
	for _, h := range hist {
		found = found || (h.Actor == "каталог" && h.Field == "localize_minutes" && h.Old == "0" && h.New == "30")
	}
	if !found {
		t.Errorf("CW-01's new localisation clock is not in its history: %+v", hist)
	}

	// A second start changes nothing and records nothing.
	before, _ := s.WorkTypeHistory(ctx, "CW-01")
	if added := syncCatalogue(t, s); added != 0 {
		t.Errorf("second sync added %d", added)
	}
	if after, _ := s.WorkTypeHistory(ctx, "CW-01"); len(after) != len(before) {
		t.Errorf("second sync wrote history: %d → %d", len(before), len(after))
	}
}

// TestCatalogueRefusesBadFile: a bad catalogue changes nothing.
func TestCatalogueRefusesBadFile(t *testing.T) {
	s, _ := apptest.Open(t)
	bad := "code,category_ru,work_type_ru,emergency,deadline_hours,local_default_hours,responsible\n" +
		"ROOF-01,Кровля,Протечка кровли — новое имя,0,12,,management\n" +
		"ZZZ-01,Прочее,Что-то,0,5,,plumber\n"
	err := s.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.LoadWorkTypes(strings.NewReader(bad))
		return err
	})
	if app.ErrorCode(err) != app.EINVALID || !strings.Contains(err.Error(), "строка 3, столбец responsible") {
		t.Fatalf("bad catalogue: %v", err)
	}
	w, err := s.WorkType(context.Background(), "ROOF-01")
	if err != nil || w.FederalHours != 24 || strings.Contains(w.Name, "новое имя") {
		t.Errorf("ROOF-01 changed by a refused file: %+v", w)
	}
}

// TestColdPeriodAndAcceptSettings: the municipality's cold period moves a type's
// deadline in force; a bad value is refused by field; an empty acceptance norm is
// the rule, a set one is local.
func TestColdPeriodAndAcceptSettings(t *testing.T) {
	s, clock := apptest.Open(t)
	ctx := context.Background()
	clock.Set(time.Date(2026, 9, 20, 9, 0, 0, 0, time.UTC)) // 20 September
	if w, _ := s.WorkType(ctx, "WIN-01"); w.DeadlineHours != 72 || w.DeadlineTitle() != "3 сут, летний период" {
		t.Errorf("WIN-01 on 20 September: %v %q", w.DeadlineHours, w.DeadlineTitle())
	}
	err := s.SaveSettings(ctx, map[string]string{store.SetColdPeriod: "15.09-15.05"})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := s.WorkType(ctx, "WIN-01"); w.DeadlineHours != 24 || w.DeadlineTitle() != "1 сут, зимний период" {
		t.Errorf("WIN-01 in a cold period from 15 September: %v %q", w.DeadlineHours, w.DeadlineTitle())
	}
	if w, _ := s.WorkType(ctx, "CW-05"); w.AcceptHours != 12 || w.AcceptKind != app.AcceptRuleHalf {
		t.Errorf("CW-05 acceptance by the rule: %v %s", w.AcceptHours, w.AcceptKind)
	}
	if err := s.SaveSettings(ctx, map[string]string{store.SetAcceptHours: "8"}); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.WorkType(ctx, "CW-05"); w.AcceptHours != 8 || w.AcceptTitle() != "8 ч (местный норматив)" {
		t.Errorf("CW-05 with a local acceptance norm: %v %q", w.AcceptHours, w.AcceptTitle())
	}
	for _, bad := range []string{"31.04-01.05", "октябрь", "01.10"} {
		err := s.SaveSettings(ctx, map[string]string{store.SetColdPeriod: bad})
		if app.ErrorFields(err)[store.SetColdPeriod] == "" {
			t.Errorf("cold period %q: %v", bad, err)
		}
	}
	if got := s.Setting(ctx, store.SetColdPeriod); got != "15.09-15.05" {
		t.Errorf("a refused value replaced the setting: %q", got)
	}
}

// schemaShape is every table's columns (name, type, not null, default) and every
// index's name: what a migrated database and a new one must agree on.
func schemaShape(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p."notnull" || ' ' || COALESCE(p.dflt_value, 'NULL')
		FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		UNION ALL SELECT 'index ' || name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'
		UNION ALL SELECT 'trigger ' || name FROM sqlite_schema WHERE type = 'trigger' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestMigratedSchemaMatchesSchemaSQL: the first release's database, migrated, has
// the same tables, columns, indexes and triggers as a new one made from
// schema.sql, and its organisations accept the new kinds.
func TestMigratedSchemaMatchesSchemaSQL(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "release1.db"))
	if err != nil {
		t.Fatal(err)
	}
	old, fresh := filepath.Join(dir, "old.db"), filepath.Join(dir, "new.db")
	if err := os.WriteFile(old, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{old, fresh} {
		s, err := store.Open(p, apptest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		if p == old {
			err = s.SaveOrganization(context.Background(), &app.Organization{Name: "Горгаз", Kind: app.OrgGasService})
		}
		s.Close()
		if err != nil {
			t.Fatalf("a gas service in the migrated database: %v", err)
		}
	}
	a, b := schemaShape(t, old), schemaShape(t, fresh)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("migrated schema differs from schema.sql:\nmigrated:\n%s\n\nnew:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// TestCategoriesAsTheCatalogue: the queues' category choices are the catalogue's
// categories, each once, sorted, with the heating and lift categories among them;
// the list follows a change of the catalogue.
func TestCategoriesAsTheCatalogue(t *testing.T) {
	s, _ := apptest.Open(t)
	ctx := context.Background()
	syncCatalogue(t, s) // as every start does
	check := func() []string {
		t.Helper()
		wts, err := s.WorkTypes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(wts) < 50 {
			t.Fatalf("%d work types: the catalogue is not loaded", len(wts))
		}
		want := map[string]bool{}
		for _, w := range wts {
			want[w.Category] = true
		}
		got, err := s.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d categories %v, the catalogue has %d", len(got), got, len(want))
		}
		for i, c := range got {
			if !want[c] {
				t.Fatalf("category %q is in no work type", c)
			}
			if i > 0 && got[i-1] >= c {
				t.Fatalf("categories not sorted or repeated: %v", got)
			}
		}
		return got
	}
	got := check()
	for _, c := range []string{"Отопление", "Лифт", "Кровля"} {
		if !slices.Contains(got, c) {
			t.Fatalf("categories %v lack %q", got, c)
		}
	}
	// One more work type, of a category of its own: the catalogue's first row
	// with another code and category.
	raw, err := os.ReadFile(filepath.Join(apptest.Root(), "assets", "data", "work_types.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	row := slices.Clone(recs[1])
	row[slices.Index(recs[0], "code")] = "TEST-01"
	row[slices.Index(recs[0], "category_ru")] = "Ааа проверочная"
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(append(slices.Clone(recs), row))
	if err := s.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.LoadWorkTypes(&buf)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := check(); len(got) == 0 || got[0] != "Ааа проверочная" {
		t.Fatalf("after a work type of a new category: %v", got)
	}
}
