package cas

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
)

// principal is the user as the ticket's service sees it: <cas:user> (CAS
// 3.0 §2.5.2) and the second line of /validate (§2.4). Services key their
// local accounts on it, so it is unique across tenants and never reassigned
// (issue 8, item 1): the user id by default, or, for a service set to
// tenantLogin, "tenant-slug/login" — the slug is fixed at the tenant's
// creation, the login is the PRECIS key (RFC 8265 §3.3), renames are refused
// while such a service exists and a deleted user's name is never given
// again (directory.refuseRename, the stored skeleton). The bare login name,
// unique only inside a tenant, stays the loginName attribute.
func (h *Handler) principal(ctx context.Context, t model.Ticket, u model.User) (string, error) {
	client, err := h.Svc.Client(ctx, t.ClientID)
	if err != nil {
		return "", fmt.Errorf("cas principal: %w", err)
	}
	if client.CASPrincipal != model.CASPrincipalTenantLogin {
		return u.ID, nil
	}
	tenant, err := h.Store.GetContext(ctx, u.TenantID)
	if err != nil {
		return "", fmt.Errorf("cas principal: tenant: %w", err)
	}
	if tenant.Slug == "" {
		return "", fmt.Errorf("cas principal: tenant %s has no slug", tenant.ID)
	}
	return tenant.Slug + "/" + identity.LoginKeyOrLower(u.LoginName), nil
}
