package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"github.com/ecoz/ecoz/app"
)

// Organizations lists organisations by name; kind "" lists all kinds.
func (s *Store) Organizations(ctx context.Context, kind app.OrgKind) ([]*app.Organization, error) {
	q := "SELECT id, name, kind, inn, phone, active FROM organizations"
	var args []any
	if kind != "" {
		q += " WHERE kind = ?"
		args = append(args, kind)
	}
	return scanOrganizations(s.readQuery(ctx, q+" ORDER BY name", args...))
}

// scanOrganizations reads the rows of a "SELECT id, name, kind, inn, phone,
// active FROM organizations" query.
func scanOrganizations(rows *sql.Rows, err error) ([]*app.Organization, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Organization
	for rows.Next() {
		o := &app.Organization{}
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.INN, &o.Phone, &o.Active); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Organization returns one organisation.
func (s *Store) Organization(ctx context.Context, id int64) (*app.Organization, error) {
	o := &app.Organization{}
	err := s.readRow(ctx, "SELECT id, name, kind, inn, phone, active FROM organizations WHERE id = ?", id).Scan(&o.ID, &o.Name, &o.Kind, &o.INN, &o.Phone, &o.Active)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Организация %d не найдена.", id)
	}
	return o, err
}

// SaveOrganization validates o and inserts it (ID 0) or updates it.
func (tx *Tx) SaveOrganization(o *app.Organization) error {
	tx.touchAll()
	if err := o.Validate(); err != nil {
		return err
	}
	if o.ID == 0 {
		res, err := tx.exec("INSERT INTO organizations(name, kind, inn, phone, active) VALUES (?,?,?,?,?)", o.Name, o.Kind, o.INN, o.Phone, true)
		if err != nil {
			return translate(err)
		}
		o.ID, err = res.LastInsertId()
		o.Active = true
		return err
	}
	res, err := tx.exec("UPDATE organizations SET name = ?, kind = ?, inn = ?, phone = ?, active = ? WHERE id = ?", o.Name, o.Kind, o.INN, o.Phone, o.Active, o.ID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return app.Errorf(app.ENOTFOUND, "Организация %d не найдена.", o.ID)
	}
	tx.dropBuildings = true
	return nil
}

// SaveOrganization is Tx.SaveOrganization in its own transaction.
func (s *Store) SaveOrganization(ctx context.Context, o *app.Organization) error {
	return s.Write(ctx, func(tx *Tx) error { return tx.SaveOrganization(o) })
}

// buildingEntry is a building held in memory for search as you type.
type buildingEntry struct {
	b      app.Building
	tokens []string
}

func (s *Store) buildingIndex(ctx context.Context) ([]buildingEntry, error) {
	s.mu.RLock()
	idx, gen := s.buildings, s.cacheGen
	s.mu.RUnlock()
	if idx != nil {
		return idx, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT b.id, b.address, b.organization_id, COALESCE(b.supplier_id, 0), COALESCE(b.lift_org_id, 0), b.apartments, b.area_m2, b.year_built, b.lat, b.lon, o.name
		FROM buildings b JOIN organizations o ON o.id = b.organization_id ORDER BY b.address`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idx = []buildingEntry{}
	for rows.Next() {
		var e buildingEntry
		b := &e.b
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&b.ID, &b.Address, &b.OrganizationID, &b.SupplierID, &b.LiftOrgID, &b.Apartments, &b.AreaM2, &b.YearBuilt, &lat, &lon, &b.OrgName); err != nil {
			return nil, err
		}
		b.Geo = geoOf(lat, lon)
		e.tokens = app.AddressTokens(b.Address)
		idx = append(idx, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cacheGen == gen { // not dropped by a commit while we read
		s.buildings = idx
	}
	s.mu.Unlock()
	return idx, nil
}

// Building returns one building.
func (s *Store) Building(ctx context.Context, id int64) (*app.Building, error) {
	idx, err := s.buildingIndex(ctx)
	if err != nil {
		return nil, err
	}
	for i := range idx {
		if idx[i].b.ID == id {
			b := idx[i].b
			return &b, nil
		}
	}
	return nil, app.Errorf(app.ENOTFOUND, "Дом %d не найден.", id)
}

// Buildings lists all buildings by address, or those of one organisation.
func (s *Store) Buildings(ctx context.Context, orgID int64) ([]app.Building, error) {
	idx, err := s.buildingIndex(ctx)
	if err != nil {
		return nil, err
	}
	var out []app.Building
	for _, e := range idx {
		if orgID == 0 || e.b.OrganizationID == orgID {
			out = append(out, e.b)
		}
	}
	return out, nil
}

// SearchBuildings finds buildings by a typed address: «ленина 5» finds «ул. Ленина,
// д. 5». Every word typed must start a word of the address; whole-word matches and
// an exact house number rank first.
func (s *Store) SearchBuildings(ctx context.Context, q string, limit int) ([]app.Building, error) {
	idx, err := s.buildingIndex(ctx)
	if err != nil {
		return nil, err
	}
	words := app.AddressTokens(q)
	if len(words) == 0 {
		return []app.Building{}, nil
	}
	type hit struct {
		b     app.Building
		score int
	}
	var hits []hit
	for _, e := range idx {
		score := 0
		for _, w := range words {
			best := 0
			for _, t := range e.tokens {
				if t == w {
					best = 3
					break
				}
				if strings.HasPrefix(t, w) {
					best = max(best, 1)
				}
			}
			if best == 0 {
				score = -1
				break
			}
			score += best
		}
		if score > 0 {
			if len(e.tokens) == len(words) {
				score++
			}
			hits = append(hits, hit{e.b, score})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	out := make([]app.Building, 0, min(limit, len(hits)))
	for i := 0; i < len(hits) && i < limit; i++ {
		out = append(out, hits[i].b)
	}
	return out, nil
}

// SaveBuilding validates b and inserts it (ID 0) or updates it. An address is unique
// in its normalised form.
func (tx *Tx) SaveBuilding(b *app.Building) error {
	if err := b.Validate(); err != nil {
		return err
	}
	var kind string
	err := tx.queryRow("SELECT kind FROM organizations WHERE id = ?", b.OrganizationID).Scan(&kind)
	if err == sql.ErrNoRows {
		return &app.Error{Code: app.EINVALID, Message: "Управляющая организация не найдена.", Fields: map[string]string{"organization_id": "Нет такой организации."}}
	} else if err != nil {
		return err
	}
	if b.SupplierID != 0 {
		if err := tx.queryRow("SELECT kind FROM organizations WHERE id = ?", b.SupplierID).Scan(&kind); err == sql.ErrNoRows {
			return &app.Error{Code: app.EINVALID, Message: "Ресурсоснабжающая организация не найдена.", Fields: map[string]string{"supplier_id": "Нет такой организации."}}
		} else if err != nil {
			return err
		}
	}
	if b.LiftOrgID != 0 {
		err := tx.queryRow("SELECT kind FROM organizations WHERE id = ?", b.LiftOrgID).Scan(&kind)
		if err == sql.ErrNoRows || (err == nil && kind != string(app.OrgLift)) {
			return &app.Error{Code: app.EINVALID, Message: "Лифтовая организация не найдена.", Fields: map[string]string{"lift_org_id": "Нет такой лифтовой организации."}}
		} else if err != nil {
			return err
		}
	}
	key := app.AddressKey(b.Address)
	tx.dropBuildings = true
	if b.ID == 0 {
		lat, lon := geoArgs(b.Geo)
		res, err := tx.exec("INSERT INTO buildings(address, address_key, organization_id, supplier_id, lift_org_id, apartments, area_m2, year_built, lat, lon) VALUES (?,?,?,?,?,?,?,?,?,?)",
			b.Address, key, b.OrganizationID, nullID(b.SupplierID), nullID(b.LiftOrgID), b.Apartments, b.AreaM2, b.YearBuilt, lat, lon)
		if err != nil {
			return fieldConflict(translate(err), "address")
		}
		b.ID, err = res.LastInsertId()
		return err
	}
	lat, lon := geoArgs(b.Geo)
	res, err := tx.exec("UPDATE buildings SET address = ?, address_key = ?, organization_id = ?, supplier_id = ?, lift_org_id = ?, apartments = ?, area_m2 = ?, year_built = ?, lat = ?, lon = ? WHERE id = ?",
		b.Address, key, b.OrganizationID, nullID(b.SupplierID), nullID(b.LiftOrgID), b.Apartments, b.AreaM2, b.YearBuilt, lat, lon, b.ID)
	if err != nil {
		return fieldConflict(translate(err), "address")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return app.Errorf(app.ENOTFOUND, "Дом %d не найден.", b.ID)
	}
	return nil
}

// SaveBuilding is Tx.SaveBuilding in its own transaction.
func (s *Store) SaveBuilding(ctx context.Context, b *app.Building) error {
	return s.Write(ctx, func(tx *Tx) error { return tx.SaveBuilding(b) })
}

// fieldConflict names the field of a unique violation, for the form.
func fieldConflict(err error, field string) error {
	if app.ErrorCode(err) == app.ECONFLICT {
		return &app.Error{Code: app.ECONFLICT, Message: app.ErrorMessage(err), Fields: map[string]string{field: app.ErrorMessage(err)}}
	}
	return err
}

// geoOf reads a building's coordinates: both or none.
func geoOf(lat, lon sql.NullFloat64) *app.GeoPoint {
	if !lat.Valid || !lon.Valid {
		return nil
	}
	return &app.GeoPoint{Lat: lat.Float64, Lon: lon.Float64}
}

// geoArgs writes a building's coordinates: NULL while unknown.
func geoArgs(p *app.GeoPoint) (any, any) {
	if p == nil {
		return nil, nil
	}
	return p.Lat, p.Lon
}
