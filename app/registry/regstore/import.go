package regstore

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
)

// Import loads an export file (one record per line, the records a centre
// pushes) into the registry, all or nothing: every line is checked first and a
// file with a bad line changes nothing. name goes into the registry's log.
func (db *DB) Import(ctx context.Context, r io.Reader, name string) (map[string]Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	fe := app.FieldErrors{}
	groups := map[string]*app.Batch{}
	lines := map[string][]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec app.TicketRecord
		if err := strict([]byte(line), &rec); err != nil {
			fe.Add("строка "+strconv.Itoa(n), app.ErrorMessage(err))
			continue
		}
		b := groups[rec.Municipality]
		if b == nil {
			b = &app.Batch{Municipality: rec.Municipality, BatchID: "import " + name}
			groups[rec.Municipality] = b
		}
		b.Records = append(b.Records, rec)
		lines[rec.Municipality] = append(lines[rec.Municipality], n)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("файл %s не прочитан: %w", name, err)
	}
	known := map[string]bool{}
	ms, err := db.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		known[m.Code] = true
	}
	codes := make([]string, 0, len(groups))
	for c := range groups {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	all := map[string][]row{}
	for _, code := range codes {
		if !known[code] {
			fe.Add("строка "+strconv.Itoa(lines[code][0]), fmt.Sprintf("муниципалитет «%s» не зарегистрирован в реестре; сначала: ecoz registry municipality add --code %s --name …", code, code))
			continue
		}
		rows, err := Validate(code, groups[code], db.Now())
		if err != nil {
			// Name the lines of the file rather than the indexes of the group.
			for k, why := range app.ErrorFields(err) {
				var i int
				fmt.Sscanf(strings.TrimPrefix(k, "records["), "%d", &i)
				fe.Add("строка "+strconv.Itoa(lines[code][i]), why)
			}
			continue
		}
		all[code] = rows
	}
	if len(fe) > 0 {
		e := badRecords(fe).(*app.Error)
		e.Message = strings.Replace(e.Message, "Пакет отклонён целиком, ничего не сохранено", "Файл "+name+" не загружен, ничего не сохранено", 1)
		return nil, e
	}
	for _, code := range codes {
		if err := db.ready(ctx, all[code]); err != nil {
			return nil, err
		}
	}
	out := map[string]Result{}
	err = db.write(ctx, func(tx *wtx) error {
		for _, code := range codes {
			res, err := db.applyTx(ctx, tx, code, "import "+name, all[code], "import")
			if err != nil {
				return err
			}
			out[code] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
