package importer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
)

// FuzzParse feeds arbitrary files to the CSV importer's parsing (both kinds,
// against a small catalogue): it must never panic; every bad row is named by a
// line of the file (0 for the file as a whole) with a Russian message in valid
// UTF-8; every good row saves an organisation or a building, never both. The
// corpus in testdata/fuzz/FuzzParse runs as a regression test.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"название;инн;телефон\nУК «Север»;1106012343;8 (82144) 2-11-11\n",
		"адрес;управляющая организация;квартир\nул. Ленина, д. 5;УК «Север»;40\nул. Мира, 1;Нет такой;-3\n",
		"name,inn\n\"unterminated,1\n",
		"\xef\xbb\xbfадрес;квартир\n;;;\n",
		"\xc0\xe4\xf0\xe5\xf1;\xca\xe2\xe0\xf0\xf2\xe8\xf0\n\xf3\xeb. \xcb\xe5\xed\xe8\xed\xe0, 5;12\n", // Windows-1251
		"", "\n\n\n", ";", "\"", "адрес\n" + strings.Repeat("x", 300) + "\n",
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	org := &app.Organization{ID: 1, Name: "УК «Север»", Kind: app.OrgManagement, INN: "1106012343"}
	f.Fuzz(func(t *testing.T, data []byte, buildings bool) {
		kind := Organizations
		if buildings {
			kind = Buildings
		}
		cat := &catalog{orgs: []*app.Organization{org}, buildings: []app.Building{{ID: 1, Address: "ул. Ленина, д. 5", OrganizationID: 1}}}
		p, err := parse(kind, data, cat)
		if err != nil {
			if c := app.ErrorCode(err); c != app.EINVALID && c != app.ETOOLARGE || !utf8.ValidString(app.ErrorMessage(err)) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1
		for _, e := range p.Errors {
			if e.Line < 0 || e.Line > lines || e.Message == "" || !utf8.ValidString(e.Message) {
				t.Fatalf("row error %+v for a file of %d lines", e, lines)
			}
		}
		for _, r := range p.Rows {
			if (r.Organization == nil) == (r.Building == nil) || r.Line < 1 || r.Line > lines {
				t.Fatalf("row %+v", r)
			}
			if kind == Organizations && r.Organization == nil || kind == Buildings && r.Building == nil {
				t.Fatalf("a %s import made %+v", kind, r)
			}
		}
	})
}
