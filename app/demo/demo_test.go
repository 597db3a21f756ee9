package demo_test

import (
	"context"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// TestDemoBuildingsStandInUsinsk: every demo building has a place, inside the
// town (Усинск spans roughly 65.98–66.01 N, 57.50–57.57 E), and no two houses
// stand on top of each other, so that the map and the nearest-house search work.
func TestDemoBuildingsStandInUsinsk(t *testing.T) {
	s, _ := apptest.Demo(t)
	list, err := s.Buildings(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 60 {
		t.Fatalf("%d buildings", len(list))
	}
	for i, b := range list {
		if b.Geo == nil {
			t.Fatalf("%s has no coordinates", b.Address)
		}
		if b.Geo.Lat < 65.975 || b.Geo.Lat > 66.015 || b.Geo.Lon < 57.49 || b.Geo.Lon > 57.58 {
			t.Errorf("%s at %v is outside Усинск", b.Address, *b.Geo)
		}
		for _, o := range list[:i] {
			if d := app.Distance(*b.Geo, *o.Geo); d < 10 {
				t.Errorf("%s and %s are %.0f m apart", b.Address, o.Address, d)
			}
		}
	}
}
