package authn

import (
	"context"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// AuditLogin records a login attempt (R-OPS-4); never the password.
func (s *Service) AuditLogin(ctx context.Context, userID, ip, outcome string, details map[string]any) {
	if err := s.store.AppendAudit(ctx, model.AuditEvent{Time: s.now(), ActorID: userID, Action: "login", TargetType: "user",
		TargetID: userID, SourceIP: ip, Outcome: outcome, Details: details}); err != nil {
		s.log.ErrorContext(ctx, "audit login", "err", err)
	}
}

// AuditLogout records a logout.
func (s *Service) AuditLogout(ctx context.Context, userID, ip string) {
	if err := s.store.AppendAudit(ctx, model.AuditEvent{Time: s.now(), ActorID: userID, Action: "logout", TargetType: "user",
		TargetID: userID, SourceIP: ip, Outcome: model.OutcomeSuccess}); err != nil {
		s.log.ErrorContext(ctx, "audit logout", "err", err)
	}
}

// RecordLogin stores first and last login times (R-2FA-5) and audits the
// success. One targeted statement (storage.Identity.RecordLogin), not a
// read-modify-write of the whole user: it runs once per login. amr is how
// the user proved who they are (the session's; "pwd" when not given): it
// labels the sign-in metric.
func (s *Service) RecordLogin(ctx context.Context, u model.User, at time.Time, ip string, amr ...string) {
	if err := s.store.RecordLogin(ctx, u.ID, at); err != nil {
		s.log.ErrorContext(ctx, "record login", "err", err)
	}
	method := "pwd"
	if len(amr) > 0 {
		method = strings.Join(amr, "+")
	}
	s.metrics.Login(method, model.OutcomeSuccess)
	s.AuditLogin(ctx, u.ID, ip, model.OutcomeSuccess, nil)
}

// failedLoginMethods labels the sign-in metric of a failed credential
// check by its audit action; actions not listed (a re-check of the
// password on the account page) are not sign-ins.
var failedLoginMethods = map[string]string{
	"login":           "pwd",
	"api.login":       "api_basic",
	AuditClientAuth:   "client_secret",
	AuditSecondFactor: "second_factor",
}
