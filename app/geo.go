package app

import "math"

// GeoPoint is a place on the Earth in WGS 84 degrees, as maps and phones give it.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"long"`
}

// Valid says whether p lies on the Earth at all.
func (p GeoPoint) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 && !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon)
}

// Distance is the great-circle distance between a and b in metres (haversine;
// within a town the error is far below a building's size).
func Distance(a, b GeoPoint) float64 {
	const r = 6371008.8 // mean Earth radius, m
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// NearestBuildingMeters is how far from a building a point given by a phone may lie
// and still be taken for that building: GPS in a town is good to 10-30 m, and the
// next house is usually farther than 50 m from the first one's centre.
const NearestBuildingMeters = 50

// MunicipalityMarginMeters widens the box around the known buildings that counts as
// the municipality: a yard or a street beside the last house is still ours.
const MunicipalityMarginMeters = 2000

// Bounds is the box around a set of points.
type Bounds struct {
	Min, Max GeoPoint
	Empty    bool
}

// BoundsOf returns the box around the located buildings of list, widened by margin
// metres on every side; Empty when none is located.
func BoundsOf(list []Building, margin float64) Bounds {
	b := Bounds{Empty: true}
	for _, x := range list {
		if x.Geo == nil {
			continue
		}
		if b.Empty {
			b = Bounds{Min: *x.Geo, Max: *x.Geo}
			continue
		}
		b.Min.Lat, b.Min.Lon = math.Min(b.Min.Lat, x.Geo.Lat), math.Min(b.Min.Lon, x.Geo.Lon)
		b.Max.Lat, b.Max.Lon = math.Max(b.Max.Lat, x.Geo.Lat), math.Max(b.Max.Lon, x.Geo.Lon)
	}
	if b.Empty {
		return b
	}
	dLat := margin / 111195 // metres in a degree of latitude
	mid := (b.Min.Lat + b.Max.Lat) / 2
	dLon := margin / (111195 * math.Max(0.01, math.Cos(mid*math.Pi/180)))
	b.Min.Lat, b.Max.Lat = b.Min.Lat-dLat, b.Max.Lat+dLat
	b.Min.Lon, b.Max.Lon = b.Min.Lon-dLon, b.Max.Lon+dLon
	return b
}

// Contains says whether p lies inside b.
func (b Bounds) Contains(p GeoPoint) bool {
	return !b.Empty && p.Lat >= b.Min.Lat && p.Lat <= b.Max.Lat && p.Lon >= b.Min.Lon && p.Lon <= b.Max.Lon
}

// NearestBuilding finds the located building of list closest to p and its
// distance in metres; ok is false when none is located.
func NearestBuilding(list []Building, p GeoPoint) (b Building, meters float64, ok bool) {
	meters = math.Inf(1)
	for _, x := range list {
		if x.Geo == nil {
			continue
		}
		if d := Distance(p, *x.Geo); d < meters {
			b, meters, ok = x, d, true
		}
	}
	return b, meters, ok
}
