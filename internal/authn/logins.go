package authn

import (
	"context"
	"time"

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
// success. One targeted statement (storage.Identity.RecordLogin), not a
// read-modify-write of the whole user: it runs once per login.
func (s *Service) RecordLogin(ctx context.Context, u model.User, at time.Time, ip string) {
	if err := s.store.RecordLogin(ctx, u.ID, at); err != nil {
		s.log.Error("record login", "err", err)
	}
	s.AuditLogin(ctx, u.ID, ip, model.OutcomeSuccess, nil)
}
