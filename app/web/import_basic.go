package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// basicImporter is the screens' own importer until the command line's importer
// package is wired in through Config.Importer. Files: CSV (UTF-8 or Windows-1251,
// «;» or «,») or XLSX (the first sheet), a header row naming the columns in
// Russian or English; an existing building (same address) or organisation (same
// INN, else same name) is updated.
type basicImporter struct{ s *store.Store }

// importColumns maps the accepted header names to field keys.
var importColumns = map[string]string{
	"address": "address", "адрес": "address",
	"organization": "org", "организация": "org", "уо": "org", "ук": "org", "управляющая организация": "org", "инн уо": "org",
	"supplier": "supplier", "рсо": "supplier", "ресурсоснабжающая организация": "supplier",
	"apartments": "apartments", "квартир": "apartments", "квартиры": "apartments", "число квартир": "apartments",
	"area_m2": "area", "площадь": "area", "площадь м2": "area", "площадь, м2": "area", "площадь, м²": "area",
	"year_built": "year", "год": "year", "год постройки": "year",
	"name": "name", "название": "name", "наименование": "name",
	"kind": "kind", "тип": "kind", "inn": "inn", "инн": "inn", "phone": "phone", "телефон": "phone",
}

var importRequired = map[string][]string{"buildings": {"address", "org"}, "organizations": {"name"}}

// sheetRow is one data row of the file with its line number.
type sheetRow struct {
	Line  int
	Cells []string
}

// readSheet reads a CSV or XLSX file into its header and rows.
func readSheet(name string, data []byte) ([]string, []sheetRow, error) {
	bad := func(msg string) error { return &app.Error{Code: app.EINVALID, Message: msg} }
	var header []string
	var rows []sheetRow
	if bytes.HasPrefix(data, []byte("PK")) || strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
			return nil, nil, bad("Файл не читается как XLSX.")
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, nil, bad("Файл не читается как XLSX.")
		}
		defer x.Close()
		all, err := x.GetRows(x.GetSheetName(0))
		if err != nil {
			return nil, nil, bad("Не удалось прочитать первый лист XLSX.")
		}
		for i, r := range all {
			if i == 0 {
				header = r
				continue
			}
			rows = append(rows, sheetRow{Line: i + 1, Cells: r})
		}
	} else {
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		if !utf8.Valid(data) {
			d, err := charmap.Windows1251.NewDecoder().Bytes(data)
			if err != nil {
				return nil, nil, bad("Кодировка файла не распознана: сохраните его в UTF-8 или Windows-1251.")
			}
			data = d
		}
		first, _, _ := strings.Cut(string(data), "\n")
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma = ','
		if strings.Count(first, ";") >= strings.Count(first, ",") {
			r.Comma = ';'
		}
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, bad("Ошибка CSV: " + err.Error())
			}
			line, _ := r.FieldPos(0)
			if header == nil {
				header = rec
				continue
			}
			rows = append(rows, sheetRow{Line: line, Cells: rec})
		}
	}
	if len(header) == 0 {
		return nil, nil, bad("В файле нет строки заголовков.")
	}
	return header, rows, nil
}

// parsed is one good row, ready to be written.
type parsed struct {
	line int
	b    *app.Building
	o    *app.Organization
}

// check reads and validates the file; good rows come back ready to write.
func (im basicImporter) check(ctx context.Context, kind, name string, data []byte) (*ImportReport, []parsed, error) {
	header, rows, err := readSheet(name, data)
	if err != nil {
		return nil, nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		if k, ok := importColumns[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))]; ok {
			col[k] = i
		}
	}
	for _, k := range importRequired[kind] {
		if _, ok := col[k]; !ok {
			want := map[string]string{"address": "«адрес»", "org": "«организация» (название или ИНН)", "name": "«название»"}[k]
			return nil, nil, &app.Error{Code: app.EINVALID, Message: "В заголовке нет столбца " + want + "."}
		}
	}
	rep := &ImportReport{Header: header}
	get := func(r sheetRow, k string) string {
		if i, ok := col[k]; ok && i < len(r.Cells) {
			return strings.TrimSpace(r.Cells[i])
		}
		return ""
	}
	orgs, err := im.s.Organizations(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	findOrg := func(v string) int64 {
		for _, o := range orgs {
			if (o.INN != "" && o.INN == v) || strings.EqualFold(o.Name, v) {
				return o.ID
			}
		}
		return 0
	}
	var existing []app.Building
	if kind == "buildings" {
		if existing, err = im.s.Buildings(ctx, 0); err != nil {
			return nil, nil, err
		}
	}
	byKey := map[string]int64{}
	for _, b := range existing {
		byKey[app.AddressKey(b.Address)] = b.ID
	}
	seen := map[string]int{}
	var good []parsed
	for _, r := range rows {
		empty := true
		for _, c := range r.Cells {
			empty = empty && strings.TrimSpace(c) == ""
		}
		if empty {
			continue
		}
		rep.Rows++
		if len(rep.Preview) < 10 {
			rep.Preview = append(rep.Preview, r.Cells)
		}
		var reasons []string
		fail := func(err error) {
			if f := app.ErrorFields(err); len(f) > 0 {
				for _, m := range f {
					reasons = append(reasons, m)
				}
			} else {
				reasons = append(reasons, app.ErrorMessage(err))
			}
		}
		num := func(k, title string) float64 {
			v := strings.ReplaceAll(strings.ReplaceAll(get(r, k), " ", ""), ",", ".")
			if v == "" {
				return 0
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				reasons = append(reasons, title+": ожидается число, а не «"+get(r, k)+"».")
			}
			return f
		}
		p := parsed{line: r.Line}
		switch kind {
		case "buildings":
			b := &app.Building{Address: get(r, "address"), Apartments: int(num("apartments", "Квартир")), AreaM2: num("area", "Площадь"), YearBuilt: int(num("year", "Год постройки"))}
			if v := get(r, "org"); v != "" {
				if b.OrganizationID = findOrg(v); b.OrganizationID == 0 {
					reasons = append(reasons, "Организация «"+v+"» не найдена: сначала импортируйте организации.")
				}
			}
			if v := get(r, "supplier"); v != "" {
				if b.SupplierID = findOrg(v); b.SupplierID == 0 {
					reasons = append(reasons, "РСО «"+v+"» не найдена.")
				}
			}
			if err := b.Validate(); err != nil && !(b.OrganizationID == 0 && get(r, "org") != "" && len(app.ErrorFields(err)) == 1) {
				fail(err)
			}
			key := app.AddressKey(b.Address)
			if prev, dup := seen[key]; dup && key != "" {
				reasons = append(reasons, fmt.Sprintf("Тот же адрес уже в строке %d.", prev))
			}
			seen[key] = r.Line
			b.ID = byKey[key]
			p.b = b
		case "organizations":
			o := &app.Organization{Name: get(r, "name"), Kind: app.OrgKind(strings.ToLower(get(r, "kind"))), INN: get(r, "inn"), Phone: get(r, "phone"), Active: true}
			switch o.Kind {
			case "уо", "ук", "управляющая организация":
				o.Kind = app.OrgManagement
			case "рсо", "ресурсоснабжающая организация":
				o.Kind = app.OrgSupplier
			case "подрядчик":
				o.Kind = app.OrgContractor
			}
			if err := o.Validate(); err != nil {
				fail(err)
			}
			key := strings.ToLower(o.Name)
			if o.INN != "" {
				key = o.INN
			}
			if prev, dup := seen[key]; dup {
				reasons = append(reasons, fmt.Sprintf("Та же организация уже в строке %d.", prev))
			}
			seen[key] = r.Line
			for _, x := range orgs {
				if (o.INN != "" && x.INN == o.INN) || strings.EqualFold(x.Name, o.Name) {
					o.ID = x.ID
				}
			}
			p.o = o
		}
		if len(reasons) > 0 {
			rep.Bad = append(rep.Bad, ImportRowError{Line: r.Line, Reason: strings.Join(reasons, " ")})
			continue
		}
		good = append(good, p)
	}
	if rep.Rows == 0 {
		return nil, nil, &app.Error{Code: app.EINVALID, Message: "В файле нет строк с данными."}
	}
	return rep, good, nil
}

func (im basicImporter) Check(ctx context.Context, kind, name string, data []byte) (*ImportReport, error) {
	rep, _, err := im.check(ctx, kind, name, data)
	return rep, err
}

func (im basicImporter) Apply(ctx context.Context, kind, name string, data []byte, skipBad bool, progress func(done, total int)) (*ImportReport, error) {
	rep, good, err := im.check(ctx, kind, name, data)
	if err != nil {
		return nil, err
	}
	if len(rep.Bad) > 0 && !skipBad {
		return rep, app.Errorf(app.EINVALID, "В файле %d ошибочных строк: ничего не импортировано.", len(rep.Bad))
	}
	err = im.s.Write(ctx, func(tx *store.Tx) error {
		for i, p := range good {
			var err error
			if p.b != nil {
				err = tx.SaveBuilding(p.b)
			} else {
				err = tx.SaveOrganization(p.o)
			}
			if err != nil {
				return app.Errorf(app.EINVALID, "Строка %d: %s Ничего не импортировано.", p.line, app.ErrorMessage(err))
			}
			if progress != nil && (i%50 == 0 || i == len(good)-1) {
				progress(i+1, len(good))
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.Imported = len(good)
	return rep, nil
}
