package store

import (
	"sync"

	"github.com/ecoz/ecoz/app"
)

// sessionCache keeps the sessions that requests presented lately. Every request
// behind a sign-in looks its session up — each API call, each queue page every
// 15 seconds for each person at work — and on a reader whose page cache the last
// commit emptied (SQLite drops it whenever another connection has committed, at
// full load before every read) the lookup read its pages from the file again:
// 3 % of the CPU of ticket creation under load, more than the session is worth.
//
// A session is kept with the store's version of ScopeAccounts, bumped after every
// committed write to users or sessions (a sign-out, a user disabled or given
// another role, a password changed — these declare nothing or ScopeAccounts) and
// after every write that does not say what it touched; the cache is emptied when
// it moves on. Only sessions found valid are kept, and their expiry is checked
// at every use: a token the database does not know is asked again each time.
type sessionCache struct {
	mu      sync.Mutex
	version uint64
	m       map[string]cachedSession // by the token's hash
}

type cachedSession struct {
	kind, csrf string
	expires    int64 // unix seconds
	user       app.User
}

// maxSessions bounds the cache: far more than the people signed in at once.
const maxSessions = 10000

// get returns the session under hash if the cache holds for version v.
func (c *sessionCache) get(hash string, v uint64) (cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		return cachedSession{}, false
	}
	cs, ok := c.m[hash]
	return cs, ok
}

// put keeps cs, read from the database after version v was read: not when the
// cache already holds for a newer version (cs may be older than that write).
func (c *sessionCache) put(hash string, v uint64, cs cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.version < v || len(c.m) >= maxSessions {
		c.m, c.version = map[string]cachedSession{}, max(c.version, v)
	}
	if c.version == v {
		c.m[hash] = cs
	}
}
