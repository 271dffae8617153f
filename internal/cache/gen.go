package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Gen is a TTL cache whose Forget drops every entry at once. An entry is
// stored with the generation read before its value was loaded, so a value
// loaded across a Forget is never served afterwards (a change made
// meanwhile is never masked). Errors are not cached: a missing entry is
// looked up again on the next call, so something created on any node is
// seen at once.
type Gen[V any] struct {
	ttl time.Duration
	max int
	gen atomic.Uint64
	mu  sync.Mutex
	m   map[string]entry[V]
}

type entry[V any] struct {
	v   V
	at  time.Time
	gen uint64
}

// New returns a cache whose entries live ttl; when it holds max entries
// the next store drops them all (a refill costs one load per key).
func New[V any](ttl time.Duration, max int) *Gen[V] {
	return &Gen[V]{ttl: ttl, max: max}
}

// TTL is how long an entry is served.
func (c *Gen[V]) TTL() time.Duration { return c.ttl }

// Forget drops every entry.
func (c *Gen[V]) Forget() { c.gen.Add(1) }

// Get returns the entry for key when it is younger than the TTL and no
// Forget happened since it was loaded; otherwise it calls load and stores
// a successful result.
func (c *Gen[V]) Get(ctx context.Context, key string, now time.Time, load func(context.Context) (V, error)) (V, error) {
	gen := c.gen.Load()
	c.mu.Lock()
	e, found := c.m[key]
	c.mu.Unlock()
	if found && e.gen == gen && now.Sub(e.at) < c.ttl {
		return e.v, nil
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = map[string]entry[V]{}
	}
	c.m[key] = entry[V]{v: v, at: now, gen: gen}
	c.mu.Unlock()
	return v, nil
}
