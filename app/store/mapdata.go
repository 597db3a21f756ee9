package store

import "context"

// OpenCountsByBuilding counts each building's tickets in work (new, routed,
// accepted, reopened), for the public map: how many requests of a house are
// still waiting to be fixed. Buildings with none are absent.
func (s *Store) OpenCountsByBuilding(ctx context.Context) (map[int64]int, error) {
	// Every open ticket is counted (23,000 on a million tickets, from the partial
	// index tickets_open_building alone); kept like the queues' counts, until a
	// ticket changes (countcache.go).
	return s.cachedOpenByBuilding(ctx, func() (map[int64]int, error) { return s.openCountsByBuilding(ctx) })
}

func (s *Store) openCountsByBuilding(ctx context.Context) (map[int64]int, error) {
	rows, err := s.readQuery(ctx, "SELECT t.building_id, count(*) FROM tickets t INDEXED BY tickets_open_building WHERE "+openStatusSQL+" GROUP BY t.building_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
