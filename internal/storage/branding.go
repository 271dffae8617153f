package storage

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
)

// Branding stores tenant branding (issue 13 §10), one row per tenant.
type Branding interface {
	// GetBranding returns a tenant's branding or model.ErrNotFound.
	GetBranding(ctx context.Context, tenantID string) (model.Branding, error)
	// PutBranding stores b for b.TenantID when the stored version is
	// version (0: none stored yet), atomically; another version is
	// model.ErrStale (a stale edit). It returns what was stored, with
	// the next version.
	PutBranding(ctx context.Context, b model.Branding, version int) (model.Branding, error)
	// DeleteBranding removes a tenant's branding (none: no error).
	DeleteBranding(ctx context.Context, tenantID string) error
}
