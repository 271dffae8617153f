package federation

import (
	"context"
	"errors"
	"slices"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Organisations (R-SAML-7, seed 002): each organisation a login names is
// an account context under the connection's tenant, bound to (connection,
// uid) — unique per connection only, so the same uid from two marketplaces
// is two contexts. The user is assigned to it, with the roles the IdP
// gives for it (e1, R-EFF-1). Memberships add up: a marketplace names the
// organisation the user launched from, the user's other organisations of
// the connection stay (seed 002: "add localUser to the localGroup if not
// already part of it").

// organisationContexts finds or creates the contexts of pr's
// organisations — renaming one whose name changed — and returns their ids
// and the role assignments for them. Creating a bound context that another
// login created first answers ErrAlreadyExists (Provision retries and
// finds it).
func organisationContexts(ctx context.Context, tx *directory.Service, a directory.Actor, c model.Connection, pr Profile) ([]string, []model.RoleAssignment, error) {
	var (
		ids   []string
		roles []model.RoleAssignment
	)
	for _, o := range pr.Organisations {
		var x model.Context
		link, err := tx.Organisation(ctx, c.ID, o.UID)
		switch {
		case errors.Is(err, model.ErrNotFound):
			name := o.Name
			if name == "" {
				name = o.UID
			}
			if x, err = tx.CreateOrganisation(ctx, a, c, o.UID, name); err != nil {
				return nil, nil, err
			}
		case err != nil:
			return nil, nil, err
		default:
			if x, err = tx.Reader().GetContext(ctx, link.ContextID); err != nil {
				return nil, nil, err
			}
			if x.TenantID != c.TenantID { // moved by an administrator: never follow it out of the tenant
				return nil, nil, model.Errorf(model.ECONFLICT, "organisation",
					"the context of organisation %q was moved out of the connection's tenant: move it back or delete it", o.UID)
			}
			if o.Name != "" && x.Name != o.Name {
				if x, err = tx.UpdateContext(ctx, a, x.ID, func(old model.Context) (model.Context, error) {
					old.Name = o.Name
					return old, nil
				}); err != nil {
					return nil, nil, err
				}
			}
		}
		ids = append(ids, x.ID)
		for _, r := range o.Roles {
			roles = append(roles, model.RoleAssignment{ContextID: x.ID, Role: r})
		}
	}
	return ids, roles, nil
}

// keptOrganisations are the user's contexts bound to organisations of c
// that this login does not name: they stay, with their roles.
func keptOrganisations(ctx context.Context, tx *directory.Service, c model.Connection, u model.User, named []string) ([]string, error) {
	if c.Mapping.Organisation == nil || len(u.Contexts) == 0 {
		return nil, nil
	}
	links, err := tx.OrganisationsOfContexts(ctx, u.Contexts)
	if err != nil {
		return nil, err
	}
	var kept []string
	for _, l := range links {
		if l.ConnectionID == c.ID && !slices.Contains(named, l.ContextID) {
			kept = append(kept, l.ContextID)
		}
	}
	return kept, nil
}

// union appends to a the elements of b not in it.
func union(a []string, b ...string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}
