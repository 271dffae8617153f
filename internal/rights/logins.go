package rights

import (
	"context"
	"slices"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
)

// The decisions a login makes (R-SSO-5, R-MOD-1..3).

// DefaultContext picks the context a login acts in: want, when the user is
// assigned to it; else root if assigned; else the first assigned context.
func (d *Decider) DefaultContext(ctx context.Context, u model.User, want string) string {
	if want != "" && slices.Contains(u.Contexts, want) {
		return want
	}
	if root, err := d.store.RootContext(ctx); err == nil && slices.Contains(u.Contexts, root.ID) {
		return root.ID
	}
	if len(u.Contexts) > 0 {
		return u.Contexts[0]
	}
	return ""
}

// ModuleAccess checks R-MOD-1..3 for a login to module in contextID.
func (d *Decider) ModuleAccess(ctx context.Context, u model.User, module, contextID string) (bool, string, error) {
	var types []model.ContextType
	for _, id := range u.Contexts {
		t, err := d.ContextType(ctx, id)
		if err != nil {
			return false, "", err
		}
		types = append(types, t)
	}
	if contextID == "" {
		return false, "the user is not assigned to any context", nil
	}
	res, err := d.Evaluate(ctx, d.store, u, contextID, module)
	if err != nil {
		return false, "", err
	}
	ok, reason := access.ModuleAccess(module, types, res)
	return ok, reason, nil
}
