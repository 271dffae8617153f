package directory

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// SSO enforcement stages (SPEC.md R-SAML-8, seed 003's four steps, seed
// 004's phased rollout). The stage is stored with each connection; its
// effect is per tenant: a tenant is enforced while one of its enabled
// connections is active. Administrators holding "Identity providers -
// Manage" at the tenant are exempt (they keep password login and test the
// connection in the testing stage).

// enforcing reports whether c, as stored, forces sign-in through the IdP.
func enforcing(c model.Connection) bool {
	return c.Enabled && c.Enforcement == model.EnforcementActive
}

// checkLowering: moving a connection out of the active stage (to testing or
// off, by disabling it or deleting it) needs an administrator whose current
// sign-in used a password, not the IdP (R-SAML-8, seed 003 "Deactivate the
// SSO Tenancy: you must be logged in using your AD credentials"): an
// administrator locked out by a broken IdP still can; one signed in through
// the IdP cannot switch off the IdP that let them in. `sesame apply` (system)
// may.
func checkLowering(a Actor, old, c model.Connection) error {
	if a.System || !enforcing(old) || enforcing(c) {
		return nil
	}
	if slices.Contains(a.AMR, "pwd") && !slices.Contains(a.AMR, "fed") {
		return nil
	}
	return model.Errorf(model.EFORBIDDEN, "enforcement",
		"turning SSO enforcement off needs an administrator signed in with a password (this sign-in: %v); sign in with your Sesame password and try again", amrText(a))
}

func amrText(a Actor) string {
	switch {
	case len(a.AMR) > 0:
		return "amr " + strings.Join(a.AMR, " ")
	case a.Via == ViaAPIKey:
		return "an API key"
	}
	return "unknown method"
}

// checkEnforceGroups: the phased-rollout groups exist and belong to the
// connection's tenant (or are global).
func checkEnforceGroups(ctx context.Context, st storage.Storage, c model.Connection) error {
	root, err := st.RootContext(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, id := range c.EnforceGroups {
		if seen[id] {
			return model.Invalid("enforceGroups", "group %q is listed twice", id)
		}
		seen[id] = true
		if !model.PlausibleID(id) {
			return model.Invalid("enforceGroups", "group %q does not exist", id)
		}
		g, err := st.GetGroup(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("enforceGroups", "group %q does not exist", id)
		}
		if err != nil {
			return err
		}
		if g.ContextID == root.ID || g.ContextID == c.TenantID {
			continue
		}
		path, err := st.Ancestors(ctx, g.ContextID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(path, func(x model.Context) bool { return x.ID == c.TenantID }) {
			return model.Invalid("enforceGroups", "group %q is not a group of the connection's tenant", id)
		}
	}
	return nil
}

// auditEnforcement writes "connection.enforcement" when the stage or the
// rollout groups changed (R-SAML-8: who turned SSO on or off, and how they
// were signed in).
func (s *Service) auditEnforcement(ctx context.Context, st storage.Storage, a Actor, old, c model.Connection) error {
	if old.Enforcement == c.Enforcement && slices.Equal(old.EnforceGroups, c.EnforceGroups) {
		return nil
	}
	return s.audit(ctx, st, a, "connection.enforcement", "connection", c.ID, c.TenantID, map[string]any{
		"from": old.Enforcement, "to": c.Enforcement, "groups": c.EnforceGroups, "amr": a.AMR})
}

// Enforcement is what the SSO stage of the user's tenant means for a
// user's password login.
type Enforcement struct {
	// Forced: the user must sign in through Connection (no password).
	Forced     bool
	Connection model.Connection
}

// isIdPAdmin: the user holds "Identity providers - Manage" at the tenant
// (the exemption of R-SAML-8 and who may use a testing connection).
func (s *Service) isIdPAdmin(ctx context.Context, st storage.Storage, u model.User, tenantID string) (bool, error) {
	return s.can(ctx, st, Actor{User: u}, rightIdPManage, tenantID)
}

// IsIdPAdmin is isIdPAdmin for the login engine (testing stage).
func (s *Service) IsIdPAdmin(ctx context.Context, u model.User, tenantID string) (bool, error) {
	return s.isIdPAdmin(ctx, s.store, u, tenantID)
}

// PasswordEnforcement says whether u may sign in with a password: not
// when an enabled connection of u's tenant is active and u is not an
// identity-provider administrator there and, with a phased rollout, u is
// a member of one of its groups.
func (s *Service) PasswordEnforcement(ctx context.Context, u model.User) (Enforcement, error) {
	return s.enforcementFor(ctx, s.store, u)
}

func (s *Service) enforcementFor(ctx context.Context, st storage.Storage, u model.User) (Enforcement, error) {
	if !model.PlausibleID(u.TenantID) {
		return Enforcement{}, nil
	}
	cs, err := st.ListConnections(ctx, u.TenantID)
	if err != nil {
		return Enforcement{}, err
	}
	var memberOf map[string]bool
	admin := -1
	for _, c := range cs {
		if !enforcing(c) {
			continue
		}
		if admin < 0 {
			ok, err := s.isIdPAdmin(ctx, st, u, u.TenantID)
			if err != nil {
				return Enforcement{}, err
			}
			if admin = 0; ok {
				admin = 1
			}
		}
		if admin == 1 {
			return Enforcement{}, nil
		}
		if len(c.EnforceGroups) > 0 {
			if memberOf == nil {
				ms, err := st.UserMemberships(ctx, u.ID)
				if err != nil {
					return Enforcement{}, err
				}
				memberOf = map[string]bool{}
				for _, m := range ms {
					memberOf[m.GroupID] = true
				}
			}
			if !slices.ContainsFunc(c.EnforceGroups, func(g string) bool { return memberOf[g] }) {
				continue
			}
		}
		return Enforcement{Forced: true, Connection: c}, nil
	}
	return Enforcement{}, nil
}

// tenantManagedByIdP: an enabled connection of the tenant is active for
// every user (no phased rollout): users come from the IdP, so
// administrators neither add nor delete them (R-SAML-8, seed 003 "the Add
// User and Delete User functions are not available"). With a phased
// rollout both stay allowed (part of the users still live in Sesame).
func tenantManagedByIdP(ctx context.Context, st storage.Storage, tenantID string) (model.Connection, bool, error) {
	if !model.PlausibleID(tenantID) {
		return model.Connection{}, false, nil
	}
	cs, err := st.ListConnections(ctx, tenantID)
	if err != nil {
		return model.Connection{}, false, err
	}
	for _, c := range cs {
		if enforcing(c) && len(c.EnforceGroups) == 0 {
			return c, true, nil
		}
	}
	return model.Connection{}, false, nil
}

// checkUserManagedByIdP refuses an administrator's user creation or
// deletion in a tenant whose users come from its IdP; system actors
// (`sesame apply`) and connections (just-in-time provisioning) pass.
func checkUserManagedByIdP(ctx context.Context, st storage.Storage, a Actor, tenantID, verb string) error {
	if a.System {
		return nil
	}
	c, ok, err := tenantManagedByIdP(ctx, st, tenantID)
	if err != nil || !ok {
		return err
	}
	return model.Errorf(model.ECONFLICT, "tenantId",
		"SSO is active for this tenant: its users come from the identity provider %q and are not %s here (password and account resets stay allowed)", c.Name, verb)
}
