package rating_test

import (
	"context"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/rating"
)

// BenchmarkDailyRating computes and stores one day's rating over a million tickets
// (go test -run XXX -bench DailyRating ./app/rating/).
func BenchmarkDailyRating(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	svc := rating.New(s, nil)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := svc.ComputeDay(ctx, "2026-11-15")
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 && (len(d.Rows) != 20 || d.Rows[0].Score == nil) {
			b.Fatalf("rating %+v", d.Rows)
		}
	}
}
