package directory

import (
	"sync"
	"sync/atomic"
	"time"
)

// genCache is a small per-node cache for the protocol paths: an entry
// lives ttl, and forget drops every entry at once (a change was made on
// this node). An entry is stored with the generation read before its
// value was loaded, so a change made meanwhile is never masked.
type genCache[V any] struct {
	ttl time.Duration
	max int
	gen atomic.Uint64
	mu  sync.Mutex
	m   map[string]genEntry[V]
}

type genEntry[V any] struct {
	v   V
	at  time.Time
	gen uint64
}

func newGenCache[V any](ttl time.Duration, max int) *genCache[V] {
	return &genCache[V]{ttl: ttl, max: max}
}

func (c *genCache[V]) forget() { c.gen.Add(1) }

// get returns a live entry, and the generation to store a reload under.
func (c *genCache[V]) get(key string, now time.Time) (v V, ok bool, gen uint64) {
	gen = c.gen.Load()
	c.mu.Lock()
	e, found := c.m[key]
	c.mu.Unlock()
	if found && e.gen == gen && now.Sub(e.at) < c.ttl {
		return e.v, true, gen
	}
	return v, false, gen
}

func (c *genCache[V]) put(key string, v V, now time.Time, gen uint64) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = map[string]genEntry[V]{}
	}
	c.m[key] = genEntry[V]{v: v, at: now, gen: gen}
	c.mu.Unlock()
}
