package rights

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// loadInput gathers everything the engine needs for user u in context c
// (R-EFF-1..5).
func loadInput(ctx context.Context, st storage.Storage, u model.User, contextID, module string) (access.Input, error) {
	in := access.Input{User: u}
	c, err := st.GetContext(ctx, contextID)
	if err != nil {
		return in, fmt.Errorf("rights context: %w", err)
	}
	in.Context = c
	root, err := st.RootContext(ctx)
	if err != nil {
		return in, err
	}
	if in.Catalog, err = st.ListACLs(ctx, module); err != nil {
		return in, err
	}
	ctxs := []string{c.ID}
	if c.ID != root.ID {
		ctxs = append(ctxs, root.ID)
	}
	if in.AvailableGroups, err = st.ListGroups(ctx, ctxs); err != nil {
		return in, err
	}
	ms, err := st.UserMemberships(ctx, u.ID)
	if err != nil {
		return in, err
	}
	for _, m := range ms {
		if m.ContextID == c.ID {
			in.MemberGroupIDs = append(in.MemberGroupIDs, m.GroupID)
		}
	}
	if u.Kind == model.KindDelegated {
		roles, err := st.UserRoles(ctx, u.ID)
		if err != nil {
			return in, err
		}
		for _, r := range roles {
			if r.ContextID == "" || r.ContextID == c.ID {
				in.Roles = append(in.Roles, r.Role)
			}
		}
	}
	if in.Policy, in.HasPolicy, err = st.GetPolicy(ctx, c.ID); err != nil {
		return in, err
	}
	return in, nil
}

// Evaluate computes u's effective rights in contextID for module ("" = all).
// Outside a transaction the result may come from the rights cache (see
// rightsTTL); callers must not change it.
func (d *Decider) Evaluate(ctx context.Context, st storage.Storage, u model.User, contextID, module string) (access.Result, error) {
	cacheable := st == d.store
	key := u.ID + "|" + string(u.Status) + "|" + contextID + "|" + module
	now := d.now()
	load := func(ctx context.Context) (access.Result, error) {
		in, err := loadInput(ctx, cachedCatalog{Storage: st, d: d}, u, contextID, module)
		if err != nil {
			return access.Result{}, err
		}
		return access.Evaluate(in, module), nil
	}
	if !cacheable {
		return load(ctx)
	}
	return d.cache.Get(ctx, key, now, load)
}

// UserRights evaluates a user's own rights (used by login and token paths).
func (d *Decider) UserRights(ctx context.Context, u model.User, contextID, module string) (access.Result, error) {
	return d.Evaluate(ctx, d.store, u, contextID, module)
}

// ModuleExists answers EINVALID for a module that is not registered.
func (d *Decider) ModuleExists(ctx context.Context, module string) error {
	mods, err := d.store.ListModules(ctx)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if m.Name == module {
			return nil
		}
	}
	return model.Invalid("module", "module %q does not exist", module)
}
