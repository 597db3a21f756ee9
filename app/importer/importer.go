// Package importer reads the catalogues of a municipality — organisations and
// buildings — from CSV files as offices keep them (UTF-8 or Windows-1251, «;» or
// «,»), checks every row, shows what an import would do (a preview for the admin's
// upload form) and applies it in one transaction.
//
// Columns (a header row is required; names in English or Russian, any order):
//
//	organizations: name;kind;inn;phone
//	  name  — required, unique;
//	  kind  — management (УО, УК), supplier (РСО), lift (лифтовая организация),
//	          waste_operator (региональный оператор по ТКО), gas_service (газовая служба);
//	          empty: management; the first release's contractor is read as lift;
//	  inn   — optional, 10 or 12 digits with valid check digits;
//	  phone — optional, any form a person writes it; stored in E.164.
//	buildings: address;organization;supplier;apartments;area_m2;year_built
//	  address      — required; unique in its normalised form («ул. Ленина, д. 5» = «Ленина 5»);
//	  organization — the managing organisation, by name or INN; required;
//	  supplier     — the resource supplier, by name or INN; optional;
//	  apartments, year_built — whole numbers, optional; area_m2 — «1234,5» or «1234.5», optional.
//
// A row naming an organisation (by INN, else by name) or an address that is
// already there updates it: a re-import of the same file changes nothing, and a
// corrected file corrects the catalogue. Nothing is ever deleted by an import.
package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"golang.org/x/text/encoding/charmap"
)

// Kind is what a file holds.
type Kind string

const (
	Organizations Kind = "organizations"
	Buildings     Kind = "buildings"
)

// MaxFile caps an uploaded file: a large city has some thousands of buildings.
const MaxFile = 20 << 20

// RowError is one bad row (Line 1 is the header; 0: the file as a whole).
type RowError struct {
	Line    int    `json:"line"`
	Message string `json:"message"` // Russian
}

func (e RowError) String() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("строка %d: %s", e.Line, e.Message)
}

// Row is one good row: what it will save, and whether it updates an existing record.
type Row struct {
	Line         int               `json:"line"`
	Update       bool              `json:"update"`
	Organization *app.Organization `json:"organization,omitempty"`
	Building     *app.Building     `json:"building,omitempty"`
}

// Preview is what an import of a file would do.
type Preview struct {
	Kind      Kind       `json:"kind"`
	Encoding  string     `json:"encoding"`  // "UTF-8" or "Windows-1251"
	Separator string     `json:"separator"` // ";" or ","
	Columns   []string   `json:"columns"`
	Rows      []Row      `json:"rows"`
	Errors    []RowError `json:"errors"`
	Total     int        `json:"total"`   // data rows read
	New       int        `json:"new"`     // good rows that add a record
	Updated   int        `json:"updated"` // good rows that update one
}

// OK reports whether the file has no bad rows.
func (p *Preview) OK() bool { return len(p.Errors) == 0 }

// catalog is what rows are matched against.
type catalog struct {
	orgs      []*app.Organization
	buildings []app.Building
	byAddress map[string]int64 // normalised address → building, built on first use
}

// PreviewFile checks data against the catalogues of s as they are now.
func PreviewFile(ctx context.Context, s *store.Store, kind Kind, data []byte) (*Preview, error) {
	var cat catalog
	var err error
	if cat.orgs, err = s.Organizations(ctx, ""); err != nil {
		return nil, err
	}
	if cat.buildings, err = s.Buildings(ctx, 0); err != nil {
		return nil, err
	}
	return parse(kind, data, &cat)
}

// Apply imports data into s in one transaction: nothing when the file has a bad
// row, unless skipBad, when the good rows are imported and the bad ones reported.
// The preview returned says what was done.
func Apply(ctx context.Context, s *store.Store, kind Kind, data []byte, skipBad bool) (*Preview, error) {
	return ApplyProgress(ctx, s, kind, data, skipBad, nil)
}

// ApplyProgress is Apply telling progress (may be nil) how many of the good rows
// are written, for the administrator's progress bar on a large file.
func ApplyProgress(ctx context.Context, s *store.Store, kind Kind, data []byte, skipBad bool, progress func(done, total int)) (*Preview, error) {
	var p *Preview
	err := s.Write(ctx, func(tx *store.Tx) error {
		var cat catalog
		var err error
		if cat.orgs, err = tx.ImportOrganizations(); err != nil {
			return err
		}
		if cat.buildings, err = tx.ImportBuildings(); err != nil {
			return err
		}
		if p, err = parse(kind, data, &cat); err != nil {
			return err
		}
		if !p.OK() && !skipBad {
			return app.Errorf(app.EINVALID, "В файле %s; ничего не импортировано. Исправьте файл или импортируйте только верные строки (--skip-bad).", plural(len(p.Errors), "ошибка", "ошибки", "ошибок"))
		}
		for i, r := range p.Rows {
			var err error
			if r.Organization != nil {
				err = tx.SaveOrganization(r.Organization)
			} else {
				err = tx.SaveBuilding(r.Building)
			}
			if err != nil {
				return fmt.Errorf("строка %d: %w", r.Line, err)
			}
			if progress != nil && (i%50 == 0 || i == len(p.Rows)-1) {
				progress(i+1, len(p.Rows))
			}
		}
		return nil
	})
	return p, err
}

// Decode turns the bytes of a file into text: UTF-8 (with or without a byte order
// mark) when they are valid UTF-8, else Windows-1251, the other encoding Russian
// office software writes.
func Decode(data []byte) (text, encoding string) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), "UTF-8"
	}
	out, err := charmap.Windows1251.NewDecoder().Bytes(data)
	if err != nil { // every byte is a character in Windows-1251; kept for safety
		return string(data), "UTF-8"
	}
	return string(out), "Windows-1251"
}

// sniffSeparator picks «;» or «,» by which is more common in the header line,
// outside quotes; «;» on a tie, as Russian Excel writes it.
func sniffSeparator(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	semi, comma, quoted := 0, 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == ';':
			semi++
		case r == ',':
			comma++
		}
	}
	if comma > semi {
		return ','
	}
	return ';'
}

// columns of each kind, with the header names accepted for them.
var columns = map[Kind][]struct {
	name    string
	aliases []string
}{
	Organizations: {
		{"name", []string{"название", "наименование", "организация"}},
		{"kind", []string{"тип", "вид"}},
		{"inn", []string{"инн"}},
		{"phone", []string{"телефон"}},
	},
	Buildings: {
		{"address", []string{"адрес"}},
		{"organization", []string{"управляющая организация", "уо", "ук", "организация"}},
		{"supplier", []string{"рсо", "ресурсоснабжающая организация", "поставщик"}},
		{"apartments", []string{"квартир", "квартиры", "число квартир"}},
		{"area_m2", []string{"площадь", "площадь м2", "площадь, м2", "площадь, м²", "жилая площадь"}},
		{"year_built", []string{"год постройки", "год"}},
	},
}

var required = map[string]bool{"name": true, "address": true, "organization": true}

func parse(kind Kind, data []byte, cat *catalog) (*Preview, error) {
	cols, ok := columns[kind]
	if !ok {
		return nil, app.Errorf(app.EINVALID, "Неизвестный вид импорта «%s»: organizations или buildings.", kind)
	}
	if len(data) > MaxFile {
		return nil, app.Errorf(app.ETOOLARGE, "Файл больше %d МБ.", MaxFile>>20)
	}
	text, enc := Decode(data)
	sep := sniffSeparator(text)
	p := &Preview{Kind: kind, Encoding: enc, Separator: string(sep), Rows: []Row{}, Errors: []RowError{}}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		p.Errors = append(p.Errors, RowError{0, "Файл пуст: нужна строка заголовка и строки данных."})
		return p, nil
	} else if err != nil {
		p.Errors = append(p.Errors, csvError(err))
		return p, nil
	}
	// Which column of the file is which field.
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(h, "ё", "е")))
		found := ""
		for _, c := range cols {
			if h == c.name {
				found = c.name
			}
			for _, a := range c.aliases {
				if h == a {
					found = c.name
				}
			}
		}
		switch {
		case h == "":
			continue
		case found == "":
			p.Errors = append(p.Errors, RowError{1, fmt.Sprintf("неизвестный столбец «%s»; ожидаются: %s.", header[i], colNames(cols))})
		case index[found] != 0:
			p.Errors = append(p.Errors, RowError{1, fmt.Sprintf("столбец «%s» указан дважды.", header[i])})
		default:
			index[found] = i + 1 // 0 means absent
		}
	}
	for _, c := range cols {
		if index[c.name] != 0 {
			p.Columns = append(p.Columns, c.name)
		} else if required[c.name] {
			p.Errors = append(p.Errors, RowError{1, fmt.Sprintf("нет обязательного столбца «%s»; ожидаются: %s.", c.name, colNames(cols))})
		}
	}
	if !p.OK() {
		return p, nil
	}
	seen := map[string]int{} // name or address key → line, to catch repeats within the file
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var line int
		if err == nil {
			line, _ = r.FieldPos(0)
		} else {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				line = pe.StartLine
			} else {
				// A broken quote spoils the rest of the file: stop here.
				p.Errors = append(p.Errors, csvError(err))
				break
			}
		}
		if blank(rec) {
			continue
		}
		p.Total++
		if len(rec) > len(header) {
			p.Errors = append(p.Errors, RowError{line, fmt.Sprintf("%d значений при %d столбцах заголовка; проверьте разделитель «%s» и кавычки.", len(rec), len(header), string(sep))})
			continue
		}
		get := func(name string) string {
			i := index[name]
			if i == 0 || i > len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i-1])
		}
		var row Row
		var msgs []string
		if kind == Organizations {
			row, msgs = orgRow(get, cat)
		} else {
			row, msgs = buildingRow(get, cat)
		}
		row.Line = line
		if len(msgs) == 0 {
			key := ""
			if row.Organization != nil {
				key = strings.ToLower(row.Organization.Name)
			} else {
				key = app.AddressKey(row.Building.Address)
			}
			if prev, dup := seen[key]; dup {
				msgs = append(msgs, fmt.Sprintf("повторяет строку %d.", prev))
			}
			seen[key] = line
		}
		if len(msgs) > 0 {
			p.Errors = append(p.Errors, RowError{line, strings.Join(msgs, " ")})
			continue
		}
		if row.Update {
			p.Updated++
		} else {
			p.New++
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func csvError(err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{pe.StartLine, "ошибка формата CSV (непарная кавычка или лишний символ после неё); дальше файл не читается."}
	}
	return RowError{0, "файл не читается как CSV: " + err.Error()}
}

func colNames(cols []struct {
	name    string
	aliases []string
}) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ";")
}

// fieldMsgs turns a validation error into «столбец: сообщение» phrases.
// The domain's field names are the columns' names.
func fieldMsgs(err error) []string {
	f := app.ErrorFields(err)
	if len(f) == 0 {
		return []string{app.ErrorMessage(err)}
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + ": " + f[k]
	}
	return out
}

var orgKinds = map[string]app.OrgKind{
	"": app.OrgManagement, "management": app.OrgManagement, "уо": app.OrgManagement, "ук": app.OrgManagement,
	"управляющая": app.OrgManagement, "управляющая организация": app.OrgManagement, "управляющая компания": app.OrgManagement,
	"supplier": app.OrgSupplier, "рсо": app.OrgSupplier, "ресурсоснабжающая": app.OrgSupplier, "ресурсоснабжающая организация": app.OrgSupplier,
	"lift": app.OrgLift, "лифтовая": app.OrgLift, "лифтовая организация": app.OrgLift,
	"waste_operator": app.OrgWasteOperator, "регоператор": app.OrgWasteOperator, "региональный оператор": app.OrgWasteOperator,
	"gas_service": app.OrgGasService, "газовая служба": app.OrgGasService, "аварийная газовая служба": app.OrgGasService, "горгаз": app.OrgGasService,
	// The first release's kind: its only use was the lift contractor.
	"contractor": app.OrgLift, "подрядчик": app.OrgLift,
}

func orgRow(get func(string) string, cat *catalog) (Row, []string) {
	kind, ok := orgKinds[strings.ToLower(get("kind"))]
	var msgs []string
	if !ok {
		msgs = append(msgs, fmt.Sprintf("kind: неизвестный тип «%s»; допустимы management (УО), supplier (РСО), lift (лифтовая), waste_operator (регоператор ТКО), gas_service (газовая служба).", get("kind")))
		kind = app.OrgManagement
	}
	o := &app.Organization{Name: strings.Join(strings.Fields(get("name")), " "), Kind: kind, INN: get("inn"), Phone: get("phone"), Active: true}
	if err := o.Validate(); err != nil {
		msgs = append(msgs, fieldMsgs(err)...)
	}
	if len(msgs) > 0 {
		return Row{}, msgs
	}
	// The same organisation: by INN when both have one, else by name.
	var match *app.Organization
	for _, x := range cat.orgs {
		if o.INN != "" && x.INN == o.INN {
			match = x
			break
		}
	}
	if match == nil {
		for _, x := range cat.orgs {
			if strings.EqualFold(x.Name, o.Name) && (o.INN == "" || x.INN == "" || x.INN == o.INN) {
				match = x
				break
			}
		}
	}
	if match != nil {
		o.ID, o.Active = match.ID, match.Active
		if o.Phone == "" {
			o.Phone = match.Phone // an empty cell does not erase what is known
		}
		for _, x := range cat.orgs {
			if x.ID != o.ID && strings.EqualFold(x.Name, o.Name) {
				return Row{}, []string{fmt.Sprintf("name: название «%s» уже у другой организации (ИНН %s).", o.Name, x.INN)}
			}
		}
	} else {
		for _, x := range cat.orgs {
			if strings.EqualFold(x.Name, o.Name) {
				return Row{}, []string{fmt.Sprintf("name: организация «%s» уже есть с другим ИНН (%s).", o.Name, x.INN)}
			}
		}
	}
	return Row{Update: match != nil, Organization: o}, nil
}

// findOrg finds an organisation by INN (digits only) or by name.
func findOrg(ref string, cat *catalog) *app.Organization {
	for _, x := range cat.orgs {
		if (x.INN != "" && x.INN == ref) || strings.EqualFold(x.Name, strings.Join(strings.Fields(ref), " ")) {
			return x
		}
	}
	return nil
}

func buildingRow(get func(string) string, cat *catalog) (Row, []string) {
	var msgs []string
	b := &app.Building{Address: get("address")}
	if ref := get("organization"); ref == "" {
		msgs = append(msgs, "organization: укажите управляющую организацию (название или ИНН).")
	} else if o := findOrg(ref, cat); o == nil {
		msgs = append(msgs, fmt.Sprintf("organization: организация «%s» не найдена; сначала импортируйте организации.", ref))
	} else {
		b.OrganizationID = o.ID
	}
	if ref := get("supplier"); ref != "" {
		if o := findOrg(ref, cat); o == nil {
			msgs = append(msgs, fmt.Sprintf("supplier: организация «%s» не найдена.", ref))
		} else if o.Kind != app.OrgSupplier {
			msgs = append(msgs, fmt.Sprintf("supplier: «%s» — не ресурсоснабжающая организация.", o.Name))
		} else {
			b.SupplierID = o.ID
		}
	}
	num := func(col string, dst *int) {
		v := strings.ReplaceAll(get(col), " ", "")
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("%s: «%s» — не целое число.", col, get(col)))
			return
		}
		*dst = n
	}
	num("apartments", &b.Apartments)
	num("year_built", &b.YearBuilt)
	if v := strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(get("area_m2")); v != "" {
		a, err := strconv.ParseFloat(v, 64)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("area_m2: «%s» — не число.", get("area_m2")))
		} else {
			b.AreaM2 = a
		}
	}
	if b.OrganizationID == 0 {
		b.OrganizationID = -1 // reported above; keeps Validate from saying it twice
	}
	if err := b.Validate(); err != nil {
		for _, m := range fieldMsgs(err) {
			if !strings.HasPrefix(m, "organization_id:") {
				msgs = append(msgs, m)
			}
		}
	}
	if len(msgs) > 0 {
		return Row{}, msgs
	}
	if cat.byAddress == nil {
		cat.byAddress = make(map[string]int64, len(cat.buildings))
		for _, x := range cat.buildings {
			cat.byAddress[app.AddressKey(x.Address)] = x.ID
		}
	}
	b.ID = cat.byAddress[app.AddressKey(b.Address)]
	return Row{Update: b.ID != 0, Building: b}, nil
}

func plural(n int, one, few, many string) string {
	w := many
	switch {
	case n%10 == 1 && n%100 != 11:
		w = one
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 10 || n%100 >= 20):
		w = few
	}
	return fmt.Sprintf("%d %s", n, w)
}
