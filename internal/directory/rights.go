package directory

import (
	"context"

	"github.com/sesame-sso/sesame/internal/access"
)

// EffectiveRights answers "what may user userID do in contextID, module?"
// for an admin, with the trace of steps (R-EFF-6). The caller needs
// "Effective rights - Read" in that context.
func (s *Service) EffectiveRights(ctx context.Context, a Actor, userID, contextID, module string) (access.Result, error) {
	if err := s.authorize(ctx, s.store, a, rightEffectiveRead, contextID); err != nil {
		return access.Result{}, err
	}
	u, err := s.visibleUser(ctx, s.store, a, userID)
	if err != nil {
		return access.Result{}, err
	}
	if module != "" {
		if err := s.rights.ModuleExists(ctx, module); err != nil {
			return access.Result{}, err
		}
	}
	return s.rights.Evaluate(ctx, s.store, u, contextID, module)
}
