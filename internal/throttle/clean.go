package throttle

import (
	"sync"
	"time"
)

// cleanTTL is how long a node trusts its last read that a key is not
// blocked. Failures on this node drop the entry at once; a lock earned on
// another node is seen within cleanTTL (like the other node-local caches).
// It keeps the limiter off the database on the hot paths where nearly
// every check passes (client authentication at the token and
// introspection endpoints).
const cleanTTL = time.Second

// maxClean bounds the cache; it is emptied when full.
const maxClean = 50_000

type cleanEntry struct {
	at     time.Time
	hasRow bool // a counter exists (a success resets it)
}

// cleanCache remembers keys read as not blocked.
type cleanCache struct {
	mu sync.Mutex
	m  map[string]cleanEntry
}

func (c *cleanCache) get(key string, now time.Time) (cleanEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) >= cleanTTL || now.Before(e.at) {
		return cleanEntry{}, false
	}
	return e, true
}

func (c *cleanCache) put(key string, e cleanEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxClean {
		c.m = map[string]cleanEntry{}
	}
	c.m[key] = e
}

func (c *cleanCache) drop(keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.m, k)
	}
}
