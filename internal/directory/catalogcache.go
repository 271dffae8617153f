package directory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// catalogCache keeps what every rights evaluation reads and almost never
// changes: the root context (fixed for the life of an instance) and each
// module's ACL catalog (changed by RegisterModule, which drops it here; on
// other nodes a change shows within ttl). Every login evaluates rights
// (R-MOD-2), so this saves a catalog query per login.
type catalogCache struct {
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	root *model.Context
	acls map[string]cachedACLs
	// types of contexts: a context's type never changes (R-CTX-*).
	types map[string]model.ContextType
}

type cachedACLs struct {
	acls []model.ACL
	at   time.Time
}

func newCatalogCache(ttl time.Duration, now func() time.Time) *catalogCache {
	return &catalogCache{ttl: ttl, now: now, acls: map[string]cachedACLs{}}
}

func (c *catalogCache) reset() {
	c.mu.Lock()
	c.acls = map[string]cachedACLs{}
	c.mu.Unlock()
}

// cachedCatalog is a Storage whose RootContext and ListACLs answer from
// the cache.
type cachedCatalog struct {
	storage.Storage
	c *catalogCache
}

func (s cachedCatalog) RootContext(ctx context.Context) (model.Context, error) {
	s.c.mu.Lock()
	r := s.c.root
	s.c.mu.Unlock()
	if r != nil {
		return *r, nil
	}
	root, err := s.Storage.RootContext(ctx)
	if err != nil {
		return root, err
	}
	s.c.mu.Lock()
	s.c.root = &root
	s.c.mu.Unlock()
	return root, nil
}

func (s cachedCatalog) ListACLs(ctx context.Context, module string) ([]model.ACL, error) {
	now := s.c.now()
	s.c.mu.Lock()
	e, ok := s.c.acls[module]
	s.c.mu.Unlock()
	if ok && now.Sub(e.at) < s.c.ttl {
		return slices.Clone(e.acls), nil
	}
	acls, err := s.Storage.ListACLs(ctx, module)
	if err != nil {
		return nil, err
	}
	s.c.mu.Lock()
	s.c.acls[module] = cachedACLs{acls: acls, at: now}
	s.c.mu.Unlock()
	return slices.Clone(acls), nil
}

// contextType returns a context's type, which never changes once created.
func (s *Service) contextType(ctx context.Context, id string) (model.ContextType, error) {
	c := s.catalog
	c.mu.Lock()
	t, ok := c.types[id]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	x, err := s.store.GetContext(ctx, id)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.types == nil || len(c.types) > 100_000 {
		c.types = map[string]model.ContextType{}
	}
	c.types[id] = x.Type
	c.mu.Unlock()
	return x.Type, nil
}
