package store

import (
	"database/sql"

	"github.com/ecoz/ecoz/app"
)

// Catalogue lookups for the hot write path (registering a ticket): from the
// store's in-memory caches when they show what the transaction sees, else from the
// transaction itself. The single writer spends its time on the ticket, not on
// re-reading catalogues that change a few times a year.

// building returns the building with id, or sql.ErrNoRows.
func (tx *Tx) building(id int64) (app.Building, error) {
	if tx.cachesValid() {
		b, err := tx.s.Building(tx.ctx, id)
		if app.ErrorCode(err) == app.ENOTFOUND {
			return app.Building{}, sql.ErrNoRows
		} else if err != nil {
			return app.Building{}, err
		}
		return *b, nil
	}
	var b app.Building
	err := tx.queryRow("SELECT id, address, organization_id, COALESCE(supplier_id, 0), COALESCE(lift_org_id, 0) FROM buildings WHERE id = ?", id).Scan(&b.ID, &b.Address, &b.OrganizationID, &b.SupplierID, &b.LiftOrgID)
	return b, err
}

// cachedWorkType is workType, from the cache when it is valid.
func (tx *Tx) cachedWorkType(code string) (*app.WorkType, error) {
	if tx.cachesValid() {
		return tx.s.WorkType(tx.ctx, code)
	}
	return tx.workType(code)
}

// cachedSetting is setting, from the cache when it is valid.
func (tx *Tx) cachedSetting(key string) (string, error) {
	if tx.cachesValid() {
		m, err := tx.s.Settings(tx.ctx)
		if err != nil {
			return "", err
		}
		return m[key], nil
	}
	return tx.setting(key)
}
