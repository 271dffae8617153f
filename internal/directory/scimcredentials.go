package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// SCIM credentials (issue 12): a tenant's customer directory provisions
// users and groups through /scim/v2 with a bearer token ("scim_" and 256
// random bits, only its SHA-256 stored, shown once). Whoever mints one
// hands out what it can do in the tenant: create, change, deactivate and
// delete users, manage groups — so the admin needs every one of those
// rights and "Identity providers - Manage" at the tenant.

// scimCredentialRights are the rights (module cas) needed at the tenant to
// create or revoke a SCIM credential.
var scimCredentialRights = []string{rightIdPManage, rightUsersWrite, rightUsersLifecycle, rightUsersDelete, rightGroupsManage}

// maxSCIMCredentialsPerTenant bounds what a tenant (or a script gone
// wrong) can pile up.
const maxSCIMCredentialsPerTenant = 25

// NewSCIMCredential is the input of CreateSCIMCredential.
type NewSCIMCredential struct {
	TenantID string `json:"tenantId" doc:"The tenant the token will provision; required." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Name     string `json:"name" doc:"What the credential is for; required." example:"Entra ID provisioning"`
	// ConnectionID ties the provisioned users to one connection of the
	// tenant (they sign in only through it); optional.
	ConnectionID string `json:"connectionId,omitempty" doc:"Optional connection of the tenant: provisioned users sign in only through it." example:"4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30"`
	// ContextID is where new users and groups are created (a context of
	// the tenant); default the tenant.
	ContextID string `json:"contextId,omitempty" doc:"Where new users and groups are created (a context of the tenant); default the tenant." example:"0c4a8e62-7d15-4f3b-9e20-b6a1d3c5f789"`
	// DefaultGroups are groups of that context every new user joins.
	DefaultGroups []string `json:"defaultGroups,omitempty" doc:"Optional groups (ids) of that context every new user joins." example:"[\"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68\"]"`
	// DefaultDomain is the user domain of new users (default: the
	// connection's, else ENTERPRISE).
	DefaultDomain string `json:"defaultDomain,omitempty" doc:"User domain of new users; default the connection's, else ENTERPRISE." example:"ENTERPRISE"`
}

// CreatedSCIMCredential is a new credential with its token, shown this
// once and never again.
type CreatedSCIMCredential struct {
	model.SCIMCredential
	Token string `json:"token" doc:"The bearer token for /scim/v2 (scim_ followed by 256 random bits, base64url), shown in this answer only (only its SHA-256 is stored)." example:"scim_Lb4sVq7tRk2m9xWpq3Vw8mXr5TzL0pWk9bYh3NcJ6dF"`
}

func newSCIMToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scim token: %w", err)
	}
	return model.SCIMTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// authorizeSCIMCredentials checks every right of scimCredentialRights at
// the tenant.
func (s *Service) authorizeSCIMCredentials(ctx context.Context, st storage.Storage, a Actor, tenantID string) error {
	for _, r := range scimCredentialRights {
		if err := s.authorize(ctx, st, a, r, tenantID); err != nil {
			return err
		}
	}
	return nil
}

// checkSCIMTarget validates where a credential's users go: the tenant
// (a tenant context), a context inside it, its connection and groups.
func checkSCIMTarget(ctx context.Context, st storage.Storage, in NewSCIMCredential) error {
	t, err := st.GetContext(ctx, in.TenantID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && t.Type != model.ContextTenant) {
		return model.Invalid("tenantId", "must be a tenant")
	}
	if err != nil {
		return err
	}
	target := in.TenantID
	if in.ContextID != "" {
		c, err := st.GetContext(ctx, in.ContextID)
		if errors.Is(err, model.ErrNotFound) || (err == nil && c.TenantID != in.TenantID) {
			return model.Invalid("contextId", "must be a context of the tenant")
		}
		if err != nil {
			return err
		}
		target = in.ContextID
	}
	if in.ConnectionID != "" {
		c, err := st.GetConnection(ctx, in.ConnectionID)
		if errors.Is(err, model.ErrNotFound) || (err == nil && c.TenantID != in.TenantID) {
			return model.Invalid("connectionId", "must be a connection of the tenant")
		}
		if err != nil {
			return err
		}
	}
	if len(in.DefaultGroups) > 20 {
		return model.Invalid("defaultGroups", "at most 20 groups")
	}
	for _, id := range in.DefaultGroups {
		g, err := st.GetGroup(ctx, id)
		if errors.Is(err, model.ErrNotFound) || (err == nil && g.ContextID != target) {
			return model.Invalid("defaultGroups", "group %q is not a group of the context users are created in", id)
		}
		if err != nil {
			return err
		}
	}
	if in.DefaultDomain != "" {
		d, err := st.GetDomain(ctx, in.DefaultDomain)
		if errors.Is(err, model.ErrNotFound) || (err == nil && d.Placement == model.PlacementRoot) {
			return model.Invalid("defaultDomain", "must be a user domain whose users live in tenants")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateSCIMCredential creates a SCIM credential for a tenant and returns
// it with its token, shown once (audited as scim_credential.create).
func (s *Service) CreateSCIMCredential(ctx context.Context, a Actor, in NewSCIMCredential) (CreatedSCIMCredential, error) {
	name, err := validateAPIKeyName(in.Name)
	if err != nil {
		return CreatedSCIMCredential{}, err
	}
	if !model.PlausibleID(in.TenantID) {
		return CreatedSCIMCredential{}, model.Invalid("tenantId", "must be a tenant")
	}
	token, err := newSCIMToken()
	if err != nil {
		return CreatedSCIMCredential{}, err
	}
	var out CreatedSCIMCredential
	err = s.tx(ctx, func(st storage.Storage) error {
		if err := s.authorizeSCIMCredentials(ctx, st, a, in.TenantID); err != nil {
			if model.ErrorCode(err) == model.ENOTFOUND {
				return model.Invalid("tenantId", "context %q does not exist", in.TenantID)
			}
			return err
		}
		if err := checkSCIMTarget(ctx, st, in); err != nil {
			return err
		}
		have, err := st.ListSCIMCredentials(ctx, in.TenantID)
		if err != nil {
			return err
		}
		live := 0
		for _, c := range have {
			if c.RevokedAt == nil {
				live++
			}
		}
		if live >= maxSCIMCredentialsPerTenant {
			return model.Errorf(model.ECONFLICT, "", "a tenant has at most %d SCIM credentials: revoke one first", maxSCIMCredentialsPerTenant)
		}
		c, err := st.CreateSCIMCredential(ctx, model.SCIMCredential{TenantID: in.TenantID, Name: name, Prefix: token[:len(model.SCIMTokenPrefix)+8],
			Hash: authn.HashAPIKey(token), ConnectionID: in.ConnectionID, ContextID: in.ContextID, DefaultGroups: in.DefaultGroups,
			DefaultDomain: in.DefaultDomain})
		if err != nil {
			return fmt.Errorf("create scim credential: %w", err)
		}
		out = CreatedSCIMCredential{SCIMCredential: c, Token: token}
		return s.audit(ctx, st, a, "scim_credential.create", "scim_credential", c.ID, c.TenantID,
			map[string]any{"name": c.Name, "prefix": c.Prefix, "connection": c.ConnectionID, "context": c.ContextID})
	})
	return out, err
}

// visibleSCIMCredential loads a credential the actor may see (Identity
// providers - Read or - Manage at its tenant); others look missing.
func (s *Service) visibleSCIMCredential(ctx context.Context, st storage.Storage, a Actor, id string) (model.SCIMCredential, error) {
	if !model.PlausibleID(id) {
		return model.SCIMCredential{}, errHidden("scim credential")
	}
	c, err := st.GetSCIMCredential(ctx, id)
	if err != nil {
		return c, err
	}
	ok, err := s.canReadSCIMCredentials(ctx, st, a, c.TenantID)
	if err != nil {
		return model.SCIMCredential{}, err
	}
	if !ok {
		return model.SCIMCredential{}, errHidden("scim credential")
	}
	return c, nil
}

func (s *Service) canReadSCIMCredentials(ctx context.Context, st storage.Storage, a Actor, tenantID string) (bool, error) {
	for _, right := range []string{rightIdPRead, rightIdPManage} {
		if ok, err := s.can(ctx, st, a, right, tenantID); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// GetSCIMCredential reads one credential (never its token).
func (s *Service) GetSCIMCredential(ctx context.Context, a Actor, id string) (model.SCIMCredential, error) {
	return s.visibleSCIMCredential(ctx, s.store, a, id)
}

// ListSCIMCredentials lists the credentials of one tenant ("": every
// tenant in reach) the actor may read, revoked ones included.
func (s *Service) ListSCIMCredentials(ctx context.Context, a Actor, tenantID string) ([]model.SCIMCredential, error) {
	all, err := s.store.ListSCIMCredentials(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := []model.SCIMCredential{}
	seen := map[string]bool{}
	for _, c := range all {
		ok, known := seen[c.TenantID]
		if !known {
			if ok, err = s.canReadSCIMCredentials(ctx, s.store, a, c.TenantID); err != nil {
				return nil, err
			}
			seen[c.TenantID] = ok
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// RevokeSCIMCredential revokes a credential; its token stops working at
// once (audited as scim_credential.revoke).
func (s *Service) RevokeSCIMCredential(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		c, err := s.visibleSCIMCredential(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorizeSCIMCredentials(ctx, st, a, c.TenantID); err != nil {
			return err
		}
		if c.RevokedAt != nil {
			return model.Errorf(model.ECONFLICT, "", "the SCIM credential is revoked already")
		}
		if err := st.RevokeSCIMCredential(ctx, id, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "scim_credential.revoke", "scim_credential", c.ID, c.TenantID, map[string]any{"name": c.Name, "prefix": c.Prefix})
	})
}
