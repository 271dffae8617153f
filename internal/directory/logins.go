package directory

import (
	"context"
	"slices"
	"time"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
)

// AuditLogin records a login attempt (R-OPS-4); never the password.
func (s *Service) AuditLogin(ctx context.Context, userID, ip, outcome string, details map[string]any) {
	if err := s.store.AppendAudit(ctx, model.AuditEvent{Time: s.now(), ActorID: userID, Action: "login", TargetType: "user",
		TargetID: userID, SourceIP: ip, Outcome: outcome, Details: details}); err != nil {
		s.log.Error("audit login", "err", err)
	}
}

// AuditLogout records a logout.
func (s *Service) AuditLogout(ctx context.Context, userID, ip string) {
	if err := s.store.AppendAudit(ctx, model.AuditEvent{Time: s.now(), ActorID: userID, Action: "logout", TargetType: "user",
		TargetID: userID, SourceIP: ip, Outcome: model.OutcomeSuccess}); err != nil {
		s.log.Error("audit logout", "err", err)
	}
}

// RecordLogin stores first and last login times (R-2FA-5) and audits the
// success.
func (s *Service) RecordLogin(ctx context.Context, u model.User, at time.Time, ip string) {
	if _, err := s.store.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) {
		if x.FirstLoginAt == nil {
			x.FirstLoginAt = &at
		}
		x.LastLoginAt = &at
		return x, nil
	}); err != nil {
		s.log.Error("record login", "err", err)
	}
	s.AuditLogin(ctx, u.ID, ip, model.OutcomeSuccess, nil)
}

// DefaultContext picks the context a login acts in: want, when the user is
// assigned to it; else root if assigned; else the first assigned context.
func (s *Service) DefaultContext(ctx context.Context, u model.User, want string) string {
	if want != "" && slices.Contains(u.Contexts, want) {
		return want
	}
	if root, err := s.store.RootContext(ctx); err == nil && slices.Contains(u.Contexts, root.ID) {
		return root.ID
	}
	if len(u.Contexts) > 0 {
		return u.Contexts[0]
	}
	return ""
}

// ModuleAccess checks R-MOD-1..3 for a login to module in contextID.
func (s *Service) ModuleAccess(ctx context.Context, u model.User, module, contextID string) (bool, string, error) {
	var types []model.ContextType
	for _, id := range u.Contexts {
		t, err := s.contextType(ctx, id)
		if err != nil {
			return false, "", err
		}
		types = append(types, t)
	}
	if contextID == "" {
		return false, "the user is not assigned to any context", nil
	}
	res, err := s.evaluate(ctx, s.store, u, contextID, module)
	if err != nil {
		return false, "", err
	}
	ok, reason := access.ModuleAccess(module, types, res)
	return ok, reason, nil
}
