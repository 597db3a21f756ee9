package store_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestPhrasesFindTheirWorkType measures the work-type search on what residents
// say (testdata/phrases.csv, from the reference data): the first suggestion must be
// right for at least 90 % of the phrases and the right one among the first three
// for all of them. It prints the figures.
func TestPhrasesFindTheirWorkType(t *testing.T) {
	s, _ := apptest.Open(t)
	f, err := os.Open(filepath.Join("testdata", "phrases.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	first, top3 := 0, 0
	for _, r := range rows[1:] {
		phrase, want := r[0], r[1]
		got, err := s.RankWorkTypes(context.Background(), phrase)
		if err != nil {
			t.Fatal(err)
		}
		rank := -1
		for i, m := range got {
			if m.Type.Code == want {
				rank = i
				break
			}
		}
		if rank == 0 {
			first++
		}
		if rank >= 0 && rank < 3 {
			top3++
		} else {
			t.Errorf("%q: %s is %s", phrase, want, describe(got, rank))
		}
		if rank > 0 {
			t.Logf("%q: %s at %d, first %s (%s)", phrase, want, rank+1, got[0].Type.Code, got[0].Why)
		}
	}
	n := len(rows) - 1
	t.Logf("phrases: %d; first suggestion right: %d (%.1f %%); right one in the first three: %d (%.1f %%)",
		n, first, 100*float64(first)/float64(n), top3, 100*float64(top3)/float64(n))
	if float64(first) < 0.9*float64(n) {
		t.Errorf("first suggestion right for %d of %d phrases, below 90 %%", first, n)
	}
}

func describe(got []app.WorkTypeMatch, rank int) string {
	if rank < 0 {
		if len(got) == 0 {
			return "not found, nothing suggested"
		}
		return "not found; first " + got[0].Type.Code
	}
	return "at place " + string(rune('1'+rank))
}
