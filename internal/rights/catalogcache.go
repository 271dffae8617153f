package rights

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// catalogTTL is how long a node reuses a module's ACL catalog: every login
// evaluates rights (R-MOD-2), so this saves a catalog query per login.
// RegisterModule on this node drops it at once (runTx); on another node a
// change shows within catalogTTL.
const catalogTTL = 30 * time.Second

// immutables remembers facts that never change once written, so they are
// not caches and need no invalidation: the root context (fixed for the
// life of an instance) and each context's type (R-CTX-*).
type immutables struct {
	mu    sync.Mutex
	root  *model.Context
	types map[string]model.ContextType
}

// cachedCatalog is a Storage whose RootContext and ListACLs answer from
// the node's copies.
type cachedCatalog struct {
	storage.Storage
	d *Decider
}

func (c cachedCatalog) RootContext(ctx context.Context) (model.Context, error) {
	im := c.d.fixed
	im.mu.Lock()
	r := im.root
	im.mu.Unlock()
	if r != nil {
		return *r, nil
	}
	root, err := c.Storage.RootContext(ctx)
	if err != nil {
		return root, err
	}
	im.mu.Lock()
	im.root = &root
	im.mu.Unlock()
	return root, nil
}

func (c cachedCatalog) ListACLs(ctx context.Context, module string) ([]model.ACL, error) {
	acls, err := c.d.acls.Get(ctx, module, c.d.now(), func(ctx context.Context) ([]model.ACL, error) {
		return c.Storage.ListACLs(ctx, module)
	})
	return slices.Clone(acls), err
}

// ContextType returns a context's type, which never changes once created.
func (d *Decider) ContextType(ctx context.Context, id string) (model.ContextType, error) {
	im := d.fixed
	im.mu.Lock()
	t, ok := im.types[id]
	im.mu.Unlock()
	if ok {
		return t, nil
	}
	x, err := d.store.GetContext(ctx, id)
	if err != nil {
		return "", err
	}
	im.mu.Lock()
	if im.types == nil || len(im.types) > 100_000 {
		im.types = map[string]model.ContextType{}
	}
	im.types[id] = x.Type
	im.mu.Unlock()
	return x.Type, nil
}
