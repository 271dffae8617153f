package cas

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Store is the storage the CAS handler uses besides the directory
// service: tickets (single use across nodes, CAS 3.0 §3.7), the SSO
// sessions they are issued in and the services those logged in to, and two
// directory reads (a user's tenant for the principal, a service's client
// for single logout).
type Store interface {
	storage.CAS
	storage.Sessions
	GetContext(ctx context.Context, id string) (model.Context, error)
	GetClient(ctx context.Context, id string) (model.Client, error)
}
