package importer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/importer"
	"github.com/ecoz/ecoz/app/store"
	"golang.org/x/text/encoding/charmap"
)

var ctx = context.Background()

func cp1251(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const orgsCSV = `name;kind;inn;phone
УК «Север»;УО;1106012343;(82144) 2-12-00
Усинская тепловая компания;РСО;7707083893;
ООО «Ремстрой»;подрядчик;;8 912 345-67-89
`

func TestImportOrganizationsInBothEncodingsAndSeparators(t *testing.T) {
	for name, data := range map[string]func(*testing.T) []byte{
		"utf-8 ;":        func(*testing.T) []byte { return []byte(orgsCSV) },
		"utf-8 BOM ,":    func(*testing.T) []byte { return []byte("\xef\xbb\xbf" + strings.ReplaceAll(orgsCSV, ";", ",")) },
		"windows-1251 ;": func(t *testing.T) []byte { return cp1251(t, orgsCSV) },
		"windows-1251 , CRLF": func(t *testing.T) []byte {
			return cp1251(t, strings.ReplaceAll(strings.ReplaceAll(orgsCSV, ";", ","), "\n", "\r\n"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := apptest.Open(t)
			p, err := importer.Apply(ctx, s, importer.Organizations, data(t), false)
			if err != nil {
				t.Fatalf("%v (%+v)", err, p.Errors)
			}
			if p.New != 3 || p.Updated != 0 || !p.OK() {
				t.Fatalf("preview %+v", p)
			}
			orgs, _ := s.Organizations(ctx, "")
			got := map[string]*app.Organization{}
			for _, o := range orgs {
				got[o.Name] = o
			}
			if o := got["УК «Север»"]; o == nil || o.Kind != app.OrgManagement || o.INN != "1106012343" || o.Phone != "+78214421200" {
				t.Errorf("УК «Север»: %+v", o)
			}
			if o := got["Усинская тепловая компания"]; o == nil || o.Kind != app.OrgSupplier {
				t.Errorf("РСО: %+v", o)
			}
			if o := got["ООО «Ремстрой»"]; o == nil || o.Kind != app.OrgLift || o.Phone != "+79123456789" {
				t.Errorf("подрядчик: %+v", o)
			}
			wantEnc := "UTF-8"
			if strings.HasPrefix(name, "windows") {
				wantEnc = "Windows-1251"
			}
			if p.Encoding != wantEnc {
				t.Errorf("encoding %s, want %s", p.Encoding, wantEnc)
			}
		})
	}
}

func TestImportReportsEveryBadRowAndStoresNothing(t *testing.T) {
	s, _ := apptest.Open(t)
	data := `Название;Тип;ИНН;Телефон
УК «Север»;УО;1106012343;
;УО;;
УК «Юг»;банк;;
УК «Запад»;УО;1234567890;
УК «Восток»;УО;;12-00
УК «Север»;УО;;
"УК ""Центр""";УО;;
`
	p, err := importer.Apply(ctx, s, importer.Organizations, []byte(data), false)
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a file with errors: %v", err)
	}
	want := map[int]string{3: "name:", 4: "kind:", 5: "inn:", 6: "phone:", 7: "повторяет строку 2"}
	if len(p.Errors) != len(want) {
		t.Fatalf("errors %v", p.Errors)
	}
	for _, e := range p.Errors {
		if !strings.Contains(e.Message, want[e.Line]) || want[e.Line] == "" {
			t.Errorf("line %d: %q, want it to mention %q", e.Line, e.Message, want[e.Line])
		}
	}
	if orgs, _ := s.Organizations(ctx, ""); len(orgs) != 0 {
		t.Fatalf("a file with errors stored %d organisations", len(orgs))
	}
	// --skip-bad: the good rows go in, the bad ones are still reported.
	p, err = importer.Apply(ctx, s, importer.Organizations, []byte(data), true)
	if err != nil || p.New != 2 || len(p.Errors) != 5 {
		t.Fatalf("skip-bad: %v %+v", err, p)
	}
	if orgs, _ := s.Organizations(ctx, ""); len(orgs) != 2 || orgs[0].Name != `УК "Центр"` {
		t.Fatalf("stored %+v", orgs)
	}
}

func TestImportHeaderProblems(t *testing.T) {
	s, _ := apptest.Open(t)
	for data, want := range map[string]string{
		"":                               "пуст",
		"kind;inn\nУО;\n":                "«name»",
		"name;colour\nУК;красный\n":      "«colour»",
		"name;name\nУК;УК\n":             "дважды",
		"name;kind\n\"УК;УО\n":           "кавыч",
		"address;organization\nЛенина\n": "",
	} {
		p, err := importer.PreviewFile(ctx, s, importer.Organizations, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if want == "" {
			continue
		}
		if p.OK() || !strings.Contains(p.Errors[0].String(), want) {
			t.Errorf("%q: %v, want %q", data, p.Errors, want)
		}
	}
}

func TestImportBuildingsAndReimport(t *testing.T) {
	s, _ := apptest.Open(t)
	if _, err := importer.Apply(ctx, s, importer.Organizations, []byte(orgsCSV), false); err != nil {
		t.Fatal(err)
	}
	data := `address,organization,supplier,apartments,area_m2,year_built
"ул. Ленина, д. 5",УК «Север»,7707083893,40,"2 345,6",1978
"ул. Мира, д. 12, корп. 2",1106012343,,60,3100.5,
"ул. Ленина, д. 7",УК «Нет такой»,,10,,
"ул. Ленина, д. 9",УК «Север»,ООО «Ремстрой»,сорок,,1600
"Ленина 5",УК «Север»,,41,,
`
	p, err := importer.Apply(ctx, s, importer.Buildings, cp1251(t, data), true)
	if err != nil {
		t.Fatal(err)
	}
	if p.New != 2 || len(p.Errors) != 3 || p.Separator != "," || p.Encoding != "Windows-1251" {
		t.Fatalf("preview %+v", p)
	}
	lines := map[int]string{}
	for _, e := range p.Errors {
		lines[e.Line] = e.Message
	}
	if !strings.Contains(lines[4], "не найдена") || !strings.Contains(lines[5], "supplier:") || !strings.Contains(lines[5], "apartments:") ||
		!strings.Contains(lines[5], "year_built:") || !strings.Contains(lines[6], "повторяет строку 2") {
		t.Fatalf("errors by line %v", lines)
	}
	bs, _ := s.Buildings(ctx, 0)
	if len(bs) != 2 {
		t.Fatalf("buildings %+v", bs)
	}
	lenina, _ := s.SearchBuildings(ctx, "ленина 5", 1)
	if len(lenina) != 1 || lenina[0].Apartments != 40 || lenina[0].AreaM2 != 2345.6 || lenina[0].YearBuilt != 1978 || lenina[0].SupplierID == 0 {
		t.Fatalf("ул. Ленина, д. 5: %+v", lenina)
	}
	// Re-import: the same address updates the building, it does not add one.
	again := "адрес;управляющая организация;квартир\nЛенина д.5;УК «Север»;42\n"
	p, err = importer.Apply(ctx, s, importer.Buildings, []byte(again), false)
	if err != nil || p.Updated != 1 || p.New != 0 {
		t.Fatalf("re-import: %v %+v", err, p)
	}
	bs, _ = s.Buildings(ctx, 0)
	b, _ := s.Building(ctx, lenina[0].ID)
	if len(bs) != 2 || b.Apartments != 42 || b.Address != "Ленина д.5" {
		t.Fatalf("after re-import: %d buildings, %+v", len(bs), b)
	}
	// Organisations re-imported by INN: renamed, not duplicated.
	p, err = importer.Apply(ctx, s, importer.Organizations, []byte("name;inn\nУК «Север-2»;1106012343\n"), false)
	if err != nil || p.Updated != 1 {
		t.Fatalf("org re-import: %v %+v", err, p)
	}
	orgs, _ := s.Organizations(ctx, "")
	if len(orgs) != 3 {
		t.Fatalf("organisations after re-import: %+v", orgs)
	}
	var n int
	_ = s.Write(ctx, func(tx *store.Tx) error { os, err := tx.ImportOrganizations(); n = len(os); return err })
	if n != 3 {
		t.Fatalf("%d organisations", n)
	}
}
