package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Admin rights of module cas (R-USR-4).
const (
	rightUsersRead       = catalog.CASUsersRead
	rightUsersWrite      = catalog.CASUsersCreateOrModify
	rightUsersLifecycle  = catalog.CASUsersActivateOrDeactivate
	rightUsersDelete     = catalog.CASUsersDelete
	rightPasswordReset   = catalog.PasswordReset
	rightGroupsRead      = catalog.CASUserGroupsRead
	rightGroupsManage    = catalog.CASUserGroupsManage
	rightTemplatesRead   = catalog.ACLTemplatesRead
	rightTemplatesManage = catalog.ACLTemplatesManage
	rightPolicyManage    = catalog.AccessPoliciesManage
	rightCatalogManage   = catalog.ACLCatalogManage
	rightEffectiveRead   = catalog.EffectiveRightsRead
	rightContextsRead    = catalog.ContextsRead
	rightContextsManage  = catalog.ContextsManage
	rightAuditRead       = catalog.AuditRead
	rightAPIKeysManage   = catalog.APIKeysManage
)

// errHidden is returned when the target lies outside everything the actor
// can see: the same answer as a missing object, so ids of other accounts
// and tenants cannot be probed (IDOR).
func errHidden(what string) error {
	return fmt.Errorf("%s: %w", what, model.ErrNotFound)
}

// anchor returns the context on the path from target up to root that the
// actor is assigned to, nearest first: a root admin's rights reach every
// context below root, an account admin's only their accounts (R-USR-4).
func anchor(ctx context.Context, st storage.Storage, a Actor, targetContextID string) (string, bool, error) {
	path, err := st.Ancestors(ctx, targetContextID)
	if errors.Is(err, model.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	assigned := map[string]bool{}
	for _, c := range a.User.Contexts {
		assigned[c] = true
	}
	for _, c := range path {
		if assigned[c.ID] {
			return c.ID, true, nil
		}
	}
	return "", false, nil
}

// authorize checks that the actor holds right (module cas) for the target
// context. Targets outside the actor's reach look like missing objects.
func (s *Service) authorize(ctx context.Context, st storage.Storage, a Actor, right, targetContextID string) error {
	if a.System {
		return nil
	}
	if a.User.Status != model.StatusActive {
		return model.Errorf(model.EUNAUTHORIZED, "", "the account is not active")
	}
	at, ok, err := anchor(ctx, st, a, targetContextID)
	if err != nil {
		return err
	}
	if !ok {
		return errHidden("context")
	}
	res, err := s.rights.Evaluate(ctx, st, a.User, at, model.ModuleCAS)
	if err != nil {
		return err
	}
	if !res.Bool(model.ModuleCAS, right) {
		return model.Errorf(model.EFORBIDDEN, "", "you need the right %q (module cas) for this context", right)
	}
	return nil
}

// can is authorize as a boolean, for filtering lists.
func (s *Service) can(ctx context.Context, st storage.Storage, a Actor, right, contextID string) (bool, error) {
	err := s.authorize(ctx, st, a, right, contextID)
	if err == nil {
		return true, nil
	}
	switch model.ErrorCode(err) {
	case model.EFORBIDDEN, model.ENOTFOUND, model.EUNAUTHORIZED:
		return false, nil
	}
	return false, err
}

// reach returns the subtree roots in which the actor holds right: the
// actor's assigned contexts where the right evaluates true. nil means
// everything (system actor).
func (s *Service) reach(ctx context.Context, st storage.Storage, a Actor, right string) ([]string, error) {
	if a.System {
		return nil, nil
	}
	out := []string{}
	for _, c := range a.User.Contexts {
		ok, err := s.can(ctx, st, a, right, c)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// atRoot checks that the actor holds right at the root context.
func (s *Service) atRoot(ctx context.Context, st storage.Storage, a Actor, right string) error {
	root, err := st.RootContext(ctx)
	if err != nil {
		return err
	}
	return s.authorize(ctx, st, a, right, root.ID)
}
