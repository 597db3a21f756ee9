package web

import (
	"math"
	"sort"
	"strconv"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// The public map of buildings and their open tickets. It is drawn on the server
// as an SVG of links, one per building, placed by its coordinates: it needs no
// script, no tiles and no internet (an office PC may have none), every building is
// a link a keyboard reaches, and it scales to a phone's width. When the
// administrator configures a tile server, static/map.js lays the same links over
// Leaflet's map with tiles, and falls back to the SVG if the tiles do not load.

// mapPoint is one building on the map.
type mapPoint struct {
	ID       int64
	Address  string
	Lat, Lon float64
	X, Y, R  float64
	Open     int
	Here     bool   // the building the page is about
	Href     string // where its link leads: the building's page, or picking it for a request
	Label    string // what a screen reader says and a tooltip shows
}

// mapView is what partials/map draws.
type mapView struct {
	Points      []mapPoint
	W, H        float64
	Tiles       string
	Attribution string
	Pick        bool // the links pick the building for a new request
	Unlocated   int  // buildings without coordinates, not on the map
	TotalOpen   int
	// Quiet is how many buildings without open tickets were left off a crowded
	// map (see onlyBusy).
	Quiet int
}

// mapCrowded is how many buildings a map shows at most before it keeps only those
// with tickets in work: a town of thousands of houses would otherwise send a
// page of thousands of links to every visitor.
const mapCrowded = 300

// onlyBusy keeps, on a crowded map, the buildings with tickets in work.
func (v *mapView) onlyBusy() {
	if len(v.Points) <= mapCrowded {
		return
	}
	kept := v.Points[:0]
	for _, p := range v.Points {
		if p.Open > 0 || p.Here {
			kept = append(kept, p)
		} else {
			v.Quiet++
		}
	}
	v.Points = kept
}

const mapWidth = 800.0

// buildMap places list on the map; here is highlighted (0: none); with pick the
// links lead to a new request for the building instead of its page.
func (s *Server) buildMap(c *fiber.Ctx, list []app.Building, here int64, pick bool) (*mapView, error) {
	ctx := c.UserContext()
	counts, err := s.Store.OpenCountsByBuilding(ctx)
	if err != nil {
		return nil, err
	}
	v := &mapView{Pick: pick, Tiles: s.Store.Setting(ctx, store.SetMapTiles), Attribution: s.Store.Setting(ctx, store.SetMapAttribution)}
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, b := range list {
		if b.Geo == nil {
			v.Unlocated++
			continue
		}
		p := mapPoint{ID: b.ID, Address: b.Address, Lat: b.Geo.Lat, Lon: b.Geo.Lon, Open: counts[b.ID], Here: b.ID == here}
		p.Href = "/buildings/" + strconv.FormatInt(b.ID, 10)
		if pick {
			p.Href = "/my/new?building=" + strconv.FormatInt(b.ID, 10)
		}
		p.Label = b.Address + ": открытых заявок " + strconv.Itoa(p.Open)
		if pick {
			p.Label = "Выбрать дом " + b.Address + " (открытых заявок " + strconv.Itoa(p.Open) + ")"
		}
		v.TotalOpen += p.Open
		minLat, maxLat = math.Min(minLat, p.Lat), math.Max(maxLat, p.Lat)
		minLon, maxLon = math.Min(minLon, p.Lon), math.Max(maxLon, p.Lon)
		v.Points = append(v.Points, p)
	}
	if len(v.Points) == 0 {
		return v, nil
	}
	// An equirectangular projection is exact enough for a town: a degree of
	// longitude is cos(latitude) of a degree of latitude. A margin of ~150 m keeps
	// the outer houses off the edge.
	mid := (minLat + maxLat) / 2
	k := math.Cos(mid * math.Pi / 180)
	const margin = 0.0015
	minLat, maxLat = minLat-margin, maxLat+margin
	minLon, maxLon = minLon-margin/k, maxLon+margin/k
	wDeg, hDeg := (maxLon-minLon)*k, maxLat-minLat
	v.W = mapWidth
	v.H = math.Round(math.Min(math.Max(mapWidth*hDeg/wDeg, 240), 600))
	sx, sy := v.W/wDeg, v.H/hDeg
	scale := math.Min(sx, sy) // keep the shape: the smaller scale, centred
	offX := (v.W - wDeg*scale) / 2
	offY := (v.H - hDeg*scale) / 2
	for i := range v.Points {
		p := &v.Points[i]
		p.X = math.Round((offX+(p.Lon-minLon)*k*scale)*10) / 10
		p.Y = math.Round((offY+(maxLat-p.Lat)*scale)*10) / 10
		p.R = 9 + math.Min(float64(p.Open), 16)/2
		if p.Here {
			p.R += 4
		}
	}
	// The busiest houses are drawn last, on top; the list reads by address.
	sort.SliceStable(v.Points, func(i, j int) bool { return v.Points[i].Open < v.Points[j].Open })
	return v, nil
}

// sortedByAddress is the map's points in the order a person looks one up.
func (v *mapView) SortedByAddress() []mapPoint {
	out := append([]mapPoint(nil), v.Points...)
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// near returns the buildings of list within metres of b (b included).
func near(list []app.Building, b *app.Building, metres float64) []app.Building {
	if b.Geo == nil {
		return []app.Building{*b}
	}
	var out []app.Building
	for _, x := range list {
		if x.ID == b.ID || (x.Geo != nil && app.Distance(*x.Geo, *b.Geo) <= metres) {
			out = append(out, x)
		}
	}
	return out
}
