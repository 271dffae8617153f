package directory

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// userTTL is how long a node answers the protocol paths (session checks,
// ticket validation, token checks) from its copy of a user. This node's own
// changes to users drop every copy at once; another node's show within
// userTTL.
const userTTL = time.Second

// userCache holds users for the protocol paths, which read the same user
// several times per login and once per validation.
type userCache struct {
	gen atomic.Uint64
	mu  sync.Mutex
	m   map[string]cachedUser
}

type cachedUser struct {
	u   model.User
	at  time.Time
	gen uint64
}

// forget drops every cached user (a user was changed on this node).
func (c *userCache) forget() { c.gen.Add(1) }

// User returns a user for the protocol paths, from a copy at most userTTL
// old (see userTTL). Administration always reads the store.
func (s *Service) User(ctx context.Context, id string) (model.User, error) {
	now := s.now()
	c := s.users
	gen := c.gen.Load()
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < userTTL {
		return e.u, nil
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return u, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 100_000 {
		c.m = map[string]cachedUser{}
	}
	c.m[id] = cachedUser{u: u, at: now, gen: gen}
	c.mu.Unlock()
	return u, nil
}
