package rating

import (
	"context"
	"log/slog"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Service computes, stores and schedules the rating of one centre.
type Service struct {
	Store *store.Store
	Log   *slog.Logger
	// Method is the method a day not stored yet is computed with (a stored day is
	// recomputed with its own); app.RatingMethod unless a test says otherwise.
	Method int
}

// New returns the rating service over s.
func New(s *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: s, Log: log, Method: app.RatingMethod}
}

// DayLayout is how a day is written in URLs, the API and the CLI.
const DayLayout = "2006-01-02"

// ParseDay reads YYYY-MM-DD as a day in loc and returns its start and its end (the
// next local midnight: a day with a clock change is not 24 hours long).
func ParseDay(s string, loc *time.Location) (start, end time.Time, err error) {
	d, err := time.ParseInLocation(DayLayout, s, loc)
	if err != nil {
		return time.Time{}, time.Time{}, &app.Error{Code: app.EINVALID, Message: "Дата — в виде ГГГГ-ММ-ДД, например 2026-11-15.", Fields: map[string]string{"date": "Формат ГГГГ-ММ-ДД."}}
	}
	return d, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc), nil
}

// ComputeDay computes the rating of day (YYYY-MM-DD, local) as of its end, from the
// audit trail, and stores it in place of any earlier computation of that day. A
// day already stored is recomputed with the method and the weights it was
// computed with, so that its figures stay the same; a new day gets the current
// method and weights. A day that has not ended yet is refused.
func (s *Service) ComputeDay(ctx context.Context, day string) (*app.RatingDay, error) {
	loc := s.Store.Municipality(ctx).Location
	_, end, err := ParseDay(day, loc)
	if err != nil {
		return nil, err
	}
	now := s.Store.Now()
	if end.After(now) {
		return nil, &app.Error{Code: app.EINVALID, Message: "День " + day + " ещё не закончился: рейтинг считается за прошедшие дни.", Fields: map[string]string{"date": "Выберите прошедший день."}}
	}
	w, _ := s.Store.RatingSettings(ctx)
	method := s.Method
	if old, err := s.Store.Rating(ctx, day); err == nil {
		w, method = old.Weights, old.Method
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return nil, err
	}
	if method == app.RatingMethodV1 && w.Load == 0 {
		w = app.DefaultRatingWeightsV1
	}
	d, err := s.compute(ctx, day, end, method, w)
	if err != nil {
		return nil, err
	}
	d.ComputedAt = now.UTC().Truncate(time.Second)
	if err := s.Store.SaveRating(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// compute applies method to the trail as it stood at end.
func (s *Service) compute(ctx context.Context, day string, end time.Time, method int, w app.RatingWeights) (*app.RatingDay, error) {
	orgs, err := s.Store.RatedOrgs(ctx, method)
	if err != nil {
		return nil, err
	}
	if method == app.RatingMethodV1 {
		counts, err := s.Store.RatingCounts(ctx, end)
		if err != nil {
			return nil, err
		}
		return Compute(day, end, counts, orgs, w), nil
	}
	facts, err := s.Store.RatingFacts(ctx, end, FactsFrom)
	if err != nil {
		return nil, err
	}
	return ComputeFacts(day, end, facts, orgs, w), nil
}

// Due returns the day that should be computed at now, if any: the day just ended,
// once the local time has passed the configured time and that day is not stored.
func (s *Service) Due(ctx context.Context, now time.Time) (string, bool) {
	loc := s.Store.Municipality(ctx).Location
	_, at := s.Store.RatingSettings(ctx)
	mins, _ := app.ParseClock(at)
	local := now.In(loc)
	if local.Hour()*60+local.Minute() < mins {
		return "", false
	}
	day := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, loc).Format(DayLayout)
	if _, err := s.Store.Rating(ctx, day); err == nil {
		return "", false
	}
	return day, true
}

// Day returns the stored rating of day; "" is the latest stored. The day just
// ended is computed if it is not stored yet (a fresh install answers at once);
// any other missing day is not found: computing old days is the administrator's
// to ask for, not an anonymous caller's (each costs a scan of the trail).
func (s *Service) Day(ctx context.Context, day string) (*app.RatingDay, error) {
	loc := s.Store.Municipality(ctx).Location
	now := s.Store.Now().In(loc)
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc).Format(DayLayout)
	if day == "" {
		latest, err := s.Store.LatestRatingDay(ctx)
		if err != nil {
			return nil, err
		}
		if day = latest; day == "" {
			day = yesterday
		}
	}
	if _, end, err := ParseDay(day, loc); err != nil {
		return nil, err
	} else if end.After(now) {
		return nil, &app.Error{Code: app.EINVALID, Message: "День " + day + " ещё не закончился: рейтинг считается за прошедшие дни.", Fields: map[string]string{"date": "Выберите прошедший день."}}
	}
	d, err := s.Store.Rating(ctx, day)
	if app.ErrorCode(err) == app.ENOTFOUND && day == yesterday {
		return s.ComputeDay(ctx, day)
	}
	return d, err
}

// BackfillDays is how many past days the nightly run fills in when they are
// missing (a new install, or one that was switched off): enough for the charts.
const BackfillDays = 30

// Backfill computes the missing days among the BackfillDays before today.
func (s *Service) Backfill(ctx context.Context) error {
	loc := s.Store.Municipality(ctx).Location
	now := s.Store.Now().In(loc)
	for i := BackfillDays; i >= 1; i-- {
		day := time.Date(now.Year(), now.Month(), now.Day()-i, 0, 0, 0, 0, loc).Format(DayLayout)
		if _, err := s.Store.Rating(ctx, day); app.ErrorCode(err) != app.ENOTFOUND {
			continue
		}
		if _, err := s.ComputeDay(ctx, day); err != nil {
			return err
		}
	}
	return nil
}

// Run fills in missing past days, then computes each day just ended at the
// configured local time, until ctx ends. It checks every minute, so a changed time
// or a server started late catches up at once.
func (s *Service) Run(ctx context.Context) {
	if err := s.Backfill(ctx); err != nil && ctx.Err() == nil {
		s.Log.Error("rating backfill", "err", err)
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if day, ok := s.Due(ctx, s.Store.Now()); ok {
			start := time.Now()
			if _, err := s.ComputeDay(ctx, day); err != nil {
				s.Log.Error("rating", "day", day, "err", err)
			} else {
				s.Log.Info("rating computed", "day", day, "ms", time.Since(start).Milliseconds())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
