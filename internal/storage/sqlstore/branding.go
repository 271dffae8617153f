package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
)

// GetBranding implements storage.Branding.
func (s *Store) GetBranding(ctx context.Context, tenantID string) (model.Branding, error) {
	b := model.Branding{TenantID: tenantID}
	var at int64
	err := s.queryRow(ctx, `SELECT display_name, accent, logo, logo_type, version, updated_at FROM tenant_branding WHERE tenant_id = $1`,
		tenantID).Scan(&b.DisplayName, &b.Accent, &b.Logo, &b.LogoType, &b.Version, &at)
	if err != nil {
		if errors.Is(mapErr(err), model.ErrNotFound) {
			return model.Branding{}, notFound("branding", tenantID)
		}
		return model.Branding{}, fmt.Errorf("get branding: %w", err)
	}
	if len(b.Logo) == 0 {
		b.Logo = nil
	}
	b.UpdatedAt = fromMicros(at)
	return b, nil
}

// PutBranding implements storage.Branding: an INSERT that does nothing
// when a row exists (version 0) or an UPDATE conditional on the version —
// one statement decides which of two concurrent edits wins.
func (s *Store) PutBranding(ctx context.Context, b model.Branding, version int) (model.Branding, error) {
	var logo any
	if len(b.Logo) > 0 {
		logo = b.Logo
	}
	b.Version = version + 1
	q := `INSERT INTO tenant_branding (tenant_id, display_name, accent, logo, logo_type, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id) DO NOTHING`
	if version > 0 {
		q = `UPDATE tenant_branding SET display_name = $2, accent = $3, logo = $4, logo_type = $5, version = $6, updated_at = $7
		WHERE tenant_id = $1 AND version = $8`
	}
	args := []any{b.TenantID, b.DisplayName, b.Accent, logo, b.LogoType, b.Version, micros(b.UpdatedAt)}
	if version > 0 {
		args = append(args, version)
	}
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return model.Branding{}, fmt.Errorf("put branding: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return model.Branding{}, fmt.Errorf("branding of %q: %w", b.TenantID, model.ErrStale)
	}
	return b, nil
}

// DeleteBranding implements storage.Branding.
func (s *Store) DeleteBranding(ctx context.Context, tenantID string) error {
	if _, err := s.exec(ctx, `DELETE FROM tenant_branding WHERE tenant_id = $1`, tenantID); err != nil {
		return fmt.Errorf("delete branding: %w", err)
	}
	return nil
}
