package store

import (
	"database/sql"

	"github.com/ecoz/ecoz/app"
)

// ImportOrganizations lists every organisation (active or not) inside the
// transaction, for an import to match its rows against.
func (tx *Tx) ImportOrganizations() ([]*app.Organization, error) {
	return scanOrganizations(tx.tx.QueryContext(tx.ctx, "SELECT id, name, kind, inn, phone, active FROM organizations ORDER BY id"))
}

// ImportBuildings lists every building inside the transaction, for an import to
// match its rows against.
func (tx *Tx) ImportBuildings() ([]app.Building, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT id, address, organization_id, COALESCE(supplier_id, 0), COALESCE(lift_org_id, 0), apartments, area_m2, year_built, lat, lon FROM buildings ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.Building
	for rows.Next() {
		var b app.Building
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&b.ID, &b.Address, &b.OrganizationID, &b.SupplierID, &b.LiftOrgID, &b.Apartments, &b.AreaM2, &b.YearBuilt, &lat, &lon); err != nil {
			return nil, err
		}
		b.Geo = geoOf(lat, lon)
		out = append(out, b)
	}
	return out, rows.Err()
}
