package directory

import (
	"context"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// clientTTL is how long a node answers protocol calls from its copy of the
// registered clients; this node's own changes drop the copy at once.
const clientTTL = 5 * time.Second

// clientCache holds registered clients for the protocol paths (CAS ticket
// issue and validation look a service up on every call).
type clientCache struct {
	mu    sync.Mutex
	byID  map[string]cachedClient
	cas   []model.Client
	casAt time.Time
}

type cachedClient struct {
	c  model.Client
	at time.Time
}

func (c *clientCache) reset() {
	c.mu.Lock()
	c.byID, c.cas, c.casAt = nil, nil, time.Time{}
	c.mu.Unlock()
}

// Client returns a registered client, from a copy at most clientTTL old.
func (s *Service) Client(ctx context.Context, id string) (model.Client, error) {
	now := s.now()
	cc := s.clients
	cc.mu.Lock()
	e, ok := cc.byID[id]
	cc.mu.Unlock()
	if ok && now.Sub(e.at) < clientTTL {
		return e.c, nil
	}
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		return c, err
	}
	cc.mu.Lock()
	if cc.byID == nil || len(cc.byID) > 10000 {
		cc.byID = map[string]cachedClient{}
	}
	cc.byID[id] = cachedClient{c: c, at: now}
	cc.mu.Unlock()
	return c, nil
}

// casClients lists the CAS services, from a copy at most clientTTL old.
func (s *Service) casClients(ctx context.Context) ([]model.Client, error) {
	now := s.now()
	cc := s.clients
	cc.mu.Lock()
	list, at := cc.cas, cc.casAt
	cc.mu.Unlock()
	if list != nil && now.Sub(at) < clientTTL {
		return list, nil
	}
	list, err := s.store.ListClients(ctx, model.ProtocolCAS)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []model.Client{}
	}
	cc.mu.Lock()
	cc.cas, cc.casAt = list, now
	cc.mu.Unlock()
	return list, nil
}
