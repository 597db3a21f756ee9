package app

import (
	"math"
	"testing"
)

func TestDistanceAndNearestBuilding(t *testing.T) {
	lenina := GeoPoint{Lat: 65.995, Lon: 57.53}
	// 0.00018° of latitude is 20.0 m; 0.001° of longitude at 66° N is 45.2 m.
	if d := Distance(lenina, GeoPoint{65.99518, 57.53}); math.Abs(d-20.0) > 0.1 {
		t.Fatalf("20 m north: %.2f", d)
	}
	if d := Distance(lenina, GeoPoint{65.995, 57.531}); math.Abs(d-45.2) > 0.2 {
		t.Fatalf("0.001° east: %.2f", d)
	}
	list := []Building{{ID: 1, Geo: &lenina}, {ID: 2}, {ID: 3, Geo: &GeoPoint{65.99, 57.545}}}
	b, d, ok := NearestBuilding(list, GeoPoint{65.99518, 57.53})
	if !ok || b.ID != 1 || math.Abs(d-20) > 0.1 {
		t.Fatalf("nearest %d at %.1f", b.ID, d)
	}
	if _, _, ok := NearestBuilding([]Building{{ID: 2}}, lenina); ok {
		t.Fatal("a building without coordinates found")
	}
	bounds := BoundsOf(list, 2000)
	// 2 km is 0.01799° of latitude and 0.0442° of longitude at 65.99° N.
	if math.Abs(bounds.Min.Lat-(65.99-0.017986)) > 1e-5 || math.Abs(bounds.Max.Lon-(57.545+0.04424)) > 1e-4 {
		t.Fatalf("bounds %+v", bounds)
	}
	if !bounds.Contains(GeoPoint{66.005, 57.56}) || bounds.Contains(GeoPoint{55.75, 37.62}) || BoundsOf([]Building{{ID: 2}}, 2000).Contains(lenina) {
		t.Fatal("contains")
	}
}

func TestApplyAttributes(t *testing.T) {
	heat := &WorkType{Code: "HEAT-03", Name: "Низкая температура воздуха в квартире"}
	n := NewTicket{Description: "Холодно"}
	if err := heat.ApplyAttributes(&n, map[string]string{"room_temp": "16,5", "apartment": "12"}); err != nil {
		t.Fatal(err)
	}
	if n.Apartment != "12" || n.Description != "Холодно\nТемпература воздуха в квартире: 16.5 °C" {
		t.Fatalf("%+v", n)
	}
	for answers, field := range map[*map[string]string]string{
		{"apartment": "12"}:               "attribute[room_temp]",
		{"room_temp": "жарко"}:            "attribute[room_temp]",
		{"room_temp": "41"}:               "attribute[room_temp]",
		{"room_temp": "18", "floor": "3"}: "attribute[floor]",
	} {
		n := NewTicket{Description: "Холодно"}
		err := heat.ApplyAttributes(&n, *answers)
		if ErrorFields(err)[field] == "" || n.Description != "Холодно" {
			t.Errorf("%v: %v, %q", *answers, err, n.Description)
		}
	}
	lift := &WorkType{Code: "LIFT-01"}
	if a := lift.Attributes(); len(a) != 1 || a[0].Code != "apartment" || a[0].Required {
		t.Fatalf("LIFT-01 asks %+v", a)
	}
}
