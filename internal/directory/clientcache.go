package directory

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// clientTTL is how long a node answers protocol calls from its copy of a
// registered client; this node's own changes drop the copy at once
// (runTx), another node's show within clientTTL. A client that is not
// found is never cached: a new client works at once on every node.
const clientTTL = 5 * time.Second

// Client returns a registered client (CAS or OIDC), from a copy at most
// clientTTL old. It is the one client lookup of the protocol paths (CAS,
// the OIDC provider, the admin API's token checks).
func (s *Service) Client(ctx context.Context, id string) (model.Client, error) {
	if !model.PlausibleID(id) {
		return model.Client{}, model.ErrNotFound
	}
	return s.clients.Get(ctx, id, s.now(), func(ctx context.Context) (model.Client, error) {
		return s.store.GetClient(ctx, id)
	})
}

// listCASClients lists the CAS services, from a copy at most clientTTL old.
func (s *Service) listCASClients(ctx context.Context) ([]model.Client, error) {
	return s.casClients.Get(ctx, "", s.now(), func(ctx context.Context) ([]model.Client, error) {
		list, err := s.store.ListClients(ctx, model.ProtocolCAS)
		if list == nil && err == nil {
			list = []model.Client{}
		}
		return list, err
	})
}
