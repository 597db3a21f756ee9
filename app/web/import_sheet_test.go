package web

import (
	"reflect"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// The preview reads a CSV file as the import does: commas inside a quoted header
// do not make «,» the separator, and Windows-1251 is decoded.
func TestReadSheetAsTheImporter(t *testing.T) {
	data := []byte("\"Адрес, дом, корпус\";Организация\n\"ул. Мира, 1, к. 2\";УК 1\n")
	header, rows, err := readSheet("houses.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Адрес, дом, корпус", "Организация"}; !reflect.DeepEqual(header, want) {
		t.Errorf("header %q, want %q", header, want)
	}
	if len(rows) != 1 || rows[0].Line != 2 || !reflect.DeepEqual(rows[0].Cells, []string{"ул. Мира, 1, к. 2", "УК 1"}) {
		t.Errorf("rows %+v", rows)
	}
	cp1251, err := charmap.Windows1251.NewEncoder().Bytes([]byte("Адрес;УК\nул. Ленина, 5;УК 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	header, rows, err = readSheet("houses.csv", cp1251)
	if err != nil || !reflect.DeepEqual(header, []string{"Адрес", "УК"}) || len(rows) != 1 || rows[0].Cells[0] != "ул. Ленина, 5" {
		t.Errorf("Windows-1251: %q %+v %v", header, rows, err)
	}
}
