package web

import (
	"fmt"
	"testing"
	"time"
)

// TestPageCacheBounds: the cache never holds more than its budget, keeps most of
// what fits while a crowd goes round more pages than fit, and gives a page only
// at the version and before the time it was kept for.
func TestPageCacheBounds(t *testing.T) {
	var pc pageCache
	now := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	page := func() *cachedPage {
		return &cachedPage{body: make([]byte, 4<<10), version: 7, until: now.Add(time.Hour)}
	}
	const pages = publicCacheBytes / (4 << 10) * 3 / 2 // half as many again as fit
	hits := 0
	for round := 0; round < 3; round++ {
		for i := 0; i < pages; i++ {
			key := fmt.Sprintf("/buildings/%d", i)
			if pc.get(key, 7, now) != nil {
				hits++
				continue
			}
			pc.put(key, page())
			if pc.size > publicCacheBytes {
				t.Fatalf("%d bytes kept, budget %d", pc.size, publicCacheBytes)
			}
		}
	}
	// Random eviction keeps about fit/total of a round: a first-in-first-out
	// cache would keep none.
	if share := float64(hits) / float64(2*pages); share < 0.4 {
		t.Errorf("%.0f %% of the views in the later rounds came from memory, want about two thirds", share*100)
	}
	pc.put("/", page())
	if pc.get("/", 8, now) != nil {
		t.Error("a page given at another version")
	}
	if pc.get("/", 7, now.Add(time.Hour)) != nil {
		t.Error("a page given at the moment it expires")
	}
	if pc.get("/", 7, now.Add(time.Hour-time.Second)) == nil {
		t.Error("a valid page not given")
	}
}
