package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ecoz/ecoz/app/rating"
)

// cmdRating is «ecoz rating compute [--date D]»: computes and stores the rating of
// a day that has ended (yesterday by default), as the nightly run does.
func cmdRating(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "compute" {
		return usageErr{"после «rating» ожидается «compute»"}
	}
	fs := flag.NewFlagSet("rating compute", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	date := fs.String("date", "", "день ГГГГ-ММ-ДД (по умолчанию — вчера)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	s, err := openStore(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	day := *date
	if day == "" {
		now := time.Now().In(s.Municipality(ctx).Location)
		day = time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, now.Location()).Format(rating.DayLayout)
	}
	d, err := rating.New(s, nil).ComputeDay(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "рейтинг за %s рассчитан и сохранён (методика версии %d)\n", d.Day, d.Method)
	for i, r := range d.Rows {
		if i == 0 || r.OrgKind != d.Rows[i-1].OrgKind && (r.OrgKind == "management" || d.Rows[i-1].OrgKind == "management") {
			title := "управляющие организации"
			if r.OrgKind != "management" {
				title = "ресурсоснабжающие организации и подрядчики"
			}
			fmt.Fprintf(stdout, "— %s —\n", title)
		}
		place, score := "—", "недостаточно данных"
		if r.Rank > 0 {
			place = fmt.Sprint(r.Rank)
		}
		if r.Score != nil {
			score = fmt.Sprintf("%.1f", *r.Score)
		}
		fmt.Fprintf(stdout, "%3s  %-40s  %s  (заявок за 30 дней: %d)\n", place, r.OrgName, score, r.Tickets)
	}
	return nil
}
