package registry

import (
	"encoding/json"
	"fmt"
	"strings"
)

// personalMembers are the members of a record the first release accepted and
// the registry no longer holds: the flat, the resident's words and whatever a
// centre may have sent about the reporter.
var personalMembers = []string{"apartment", "description", "comments", "reporter"}

// stripPersonal upgrades a registry of schema 1: every record held loses its
// personal members, the search column (which held the description) is rebuilt
// from what remains, and the file is vacuumed so that the old text does not
// linger in free pages or the write-ahead log.
func (db *DB) stripPersonal() error {
	tx, err := db.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	upd, err := tx.Prepare("UPDATE tickets SET record = ?, search = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer upd.Close()
	// In slices by id: a republic's registry holds millions of records, and a
	// cursor left open over the table while it is updated is not allowed.
	for after := int64(0); ; {
		rows, err := tx.Query("SELECT id, record, number, address, organization FROM tickets WHERE id > ? ORDER BY id LIMIT 5000", after)
		if err != nil {
			return err
		}
		type one struct {
			id                        int64
			rec, number, address, org string
		}
		var slice []one
		for rows.Next() {
			var o one
			if err := rows.Scan(&o.id, &o.rec, &o.number, &o.address, &o.org); err != nil {
				rows.Close()
				return err
			}
			slice = append(slice, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(slice) == 0 {
			break
		}
		for _, o := range slice {
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(o.rec), &m); err != nil {
				return fmt.Errorf("запись %s реестра не читается: %w", o.number, err)
			}
			for _, k := range personalMembers {
				delete(m, k)
			}
			var wt struct {
				Name string `json:"name"`
			}
			json.Unmarshal(m["work_type"], &wt)
			rec, err := json.Marshal(m)
			if err != nil {
				return err
			}
			search := strings.ToLower(o.number + " " + o.address + " " + wt.Name + " " + o.org)
			if _, err := upd.Exec(string(rec), search, o.id); err != nil {
				return err
			}
		}
		after = slice[len(slice)-1].id
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if _, err := db.w.Exec("VACUUM"); err != nil {
		return fmt.Errorf("база реестра очищена от персональных данных, но не сжата (VACUUM): %w", err)
	}
	_, err = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}
