package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/importer"
	"github.com/ecoz/ecoz/app/store"
	"github.com/xuri/excelize/v2"
)

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
		// The importer's reading of a CSV file, so that the preview and the import
		// take the same encoding and separator.
		text, _ := importer.Decode(data)
		r := csv.NewReader(strings.NewReader(text))
		r.Comma = importer.SniffSeparator(text)
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

// catalogImporter runs the administrator's imports through app/importer, under
// the same rules as `ecoz import`; the first sheet of an XLSX file is read as CSV
// first. The sheet is also read here for the preview table.
type catalogImporter struct{ s *store.Store }

// previewRows is how many rows of the file the preview shows.
const previewRows = 10

// prepare reads the file for the preview and gives the CSV the importer reads:
// a CSV file as it is (so that line numbers are the file's own), an XLSX sheet
// written out as CSV, one line per row.
func prepare(name string, data []byte) (*ImportReport, []byte, error) {
	header, rows, err := readSheet(name, data)
	if err != nil {
		return nil, nil, err
	}
	rep := &ImportReport{Header: header, Rows: len(rows)}
	for i := 0; i < len(rows) && i < previewRows; i++ {
		rep.Preview = append(rep.Preview, rows[i].Cells)
	}
	if len(rows) == 0 {
		return nil, nil, &app.Error{Code: app.EINVALID, Message: "В файле нет строк с данными."}
	}
	if !(bytes.HasPrefix(data, []byte("PK")) || strings.HasSuffix(strings.ToLower(name), ".xlsx")) {
		return rep, data, nil
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write(header)
	line := 1
	for _, r := range rows {
		for ; line+1 < r.Line; line++ { // empty sheet rows keep their line numbers
			w.Write([]string{""})
		}
		w.Write(r.Cells)
		line = r.Line
	}
	w.Flush()
	return rep, b.Bytes(), w.Error()
}

func (rep *ImportReport) add(p *importer.Preview) {
	if p == nil {
		return
	}
	rep.Bad = rep.Bad[:0]
	for _, e := range p.Errors {
		rep.Bad = append(rep.Bad, ImportRowError{Line: e.Line, Reason: e.Message})
	}
}

func (im catalogImporter) Check(ctx context.Context, kind, name string, data []byte) (*ImportReport, error) {
	rep, csvData, err := prepare(name, data)
	if err != nil {
		return nil, err
	}
	p, err := importer.PreviewFile(ctx, im.s, importer.Kind(kind), csvData)
	if err != nil {
		return nil, err
	}
	rep.add(p)
	return rep, nil
}

func (im catalogImporter) Apply(ctx context.Context, kind, name string, data []byte, skipBad bool, progress func(done, total int)) (*ImportReport, error) {
	rep, csvData, err := prepare(name, data)
	if err != nil {
		return nil, err
	}
	p, err := importer.ApplyProgress(ctx, im.s, importer.Kind(kind), csvData, skipBad, progress)
	rep.add(p)
	if err != nil {
		return rep, err
	}
	rep.Imported = len(p.Rows)
	return rep, nil
}
