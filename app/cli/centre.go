package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/importer"
	"github.com/ecoz/ecoz/app/rating"
	"github.com/ecoz/ecoz/app/store"
)

func runVersion(c *Call) error {
	fmt.Fprintln(c.Stdout, "ecoz", c.Version)
	return nil
}

func runUserAdd(c *Call) error {
	st, err := c.Store()
	if err != nil {
		return err
	}
	u := &app.User{Login: c.String("login"), Role: app.Role(c.String("role")), OrganizationID: c.Int64("org"), Name: c.String("name"), Phone: c.String("phone")}
	if err := st.CreateUser(context.Background(), u, c.Password); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "пользователь %s (%s) добавлен\n", u.Login, u.Role.Title())
	return nil
}

func runBackup(c *Call) error {
	out := c.String("out")
	dir, err := c.DataDir()
	if err != nil {
		return err
	}
	if err := store.BackupFile(context.Background(), dbPath(dir), out); err != nil {
		return err
	}
	if err := store.CheckFile(context.Background(), out); err != nil {
		return fmt.Errorf("копия %s не прошла проверку: %w", out, err)
	}
	fmt.Fprintf(c.Stdout, "резервная копия записана: %s\n", out)
	return nil
}

func runRestore(c *Call) error {
	if len(c.Args) != 1 {
		return Usagef("нужен ровно один файл копии: ecoz restore [--data DIR] ФАЙЛ")
	}
	dir, err := c.Lock("восстановление невозможно, пока работает сервер")
	if err != nil {
		return err
	}
	kept, err := store.Restore(context.Background(), c.Args[0], dbPath(dir))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "база восстановлена из %s\n", c.Args[0])
	if kept != "" {
		fmt.Fprintf(c.Stdout, "прежняя база сохранена как %s\n", kept)
	}
	return nil
}

// runImport loads organisations or buildings from a CSV file (see app/importer for
// the columns). A file with a bad row imports nothing unless --skip-bad.
func runImport(kind importer.Kind) func(c *Call) error {
	return func(c *Call) error {
		if len(c.Args) != 1 {
			return Usagef("нужен ровно один файл: ecoz import %s [--data DIR] [--skip-bad] ФАЙЛ", kind)
		}
		file := c.Args[0]
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("не удалось прочитать %s: %w", file, err)
		}
		// The running server keeps the catalogues in memory: it must not miss the change.
		if _, err := c.Lock("импорт из командной строки невозможен, пока работает сервер (загрузите файл в веб-интерфейсе администратора или остановите сервер)"); err != nil {
			return err
		}
		st, err := c.Store()
		if err != nil {
			return err
		}
		p, err := importer.Apply(context.Background(), st, kind, data, c.Bool("skip-bad"))
		if p != nil {
			for _, e := range p.Errors {
				fmt.Fprintln(c.Stderr, e.String())
			}
		}
		if err != nil {
			return errors.New(app.ErrorMessage(err))
		}
		fmt.Fprintf(c.Stdout, "%s (%s, разделитель «%s»): добавлено %d, обновлено %d", file, p.Encoding, p.Separator, p.New, p.Updated)
		if len(p.Errors) > 0 {
			fmt.Fprintf(c.Stdout, ", пропущено строк с ошибками: %d", len(p.Errors))
		}
		fmt.Fprintln(c.Stdout)
		return nil
	}
}

func runExport(c *Call) error {
	out, since := c.String("out"), c.Int64("since")
	if since < 0 {
		return Usagef("--since: номер изменения, 0 или больше")
	}
	st, err := c.Store()
	if err != nil {
		return err
	}
	tmp := out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("файл %s не создаётся: %w", out, err)
	}
	n, last, err := export.WriteFile(context.Background(), st, f, since)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if n == 0 {
		fmt.Fprintf(c.Stdout, "новых изменений после %d нет; файл %s пуст\n", since, out)
	} else {
		fmt.Fprintf(c.Stdout, "выгружено записей: %d (изменения %d–%d) в %s\n", n, since+1, last, out)
	}
	fmt.Fprintf(c.Stdout, "следующая выгрузка файлом: ecoz export --out ФАЙЛ --since %d\n", last)
	return nil
}

// runRatingCompute computes and stores the rating of a day that has ended
// (yesterday by default), as the nightly run does.
func runRatingCompute(c *Call) error {
	s, err := c.Store()
	if err != nil {
		return err
	}
	ctx := context.Background()
	day := c.String("date")
	if day == "" {
		now := time.Now().In(s.Municipality(ctx).Location)
		day = time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, now.Location()).Format(rating.DayLayout)
	}
	d, err := rating.New(s, nil).ComputeDay(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "рейтинг за %s рассчитан и сохранён (методика версии %d)\n", d.Day, d.Method)
	for i, r := range d.Rows {
		if i == 0 || r.OrgKind != d.Rows[i-1].OrgKind && (r.OrgKind == "management" || d.Rows[i-1].OrgKind == "management") {
			title := "управляющие организации"
			if r.OrgKind != "management" {
				title = "ресурсоснабжающие организации и подрядчики"
			}
			fmt.Fprintf(c.Stdout, "— %s —\n", title)
		}
		place, score := "—", "недостаточно данных"
		if r.Rank > 0 {
			place = fmt.Sprint(r.Rank)
		}
		if r.Score != nil {
			score = fmt.Sprintf("%.1f", *r.Score)
		}
		fmt.Fprintf(c.Stdout, "%3s  %-40s  %s  (заявок за 30 дней: %d)\n", place, r.OrgName, score, r.Tickets)
	}
	return nil
}
