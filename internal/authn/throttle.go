package authn

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// verifyThrottled runs one password check under the limiter: refused
// cheaply (before hashing) while the account or the source is over budget,
// failures counted, a success resets the account.
func (s *Service) verifyThrottled(ctx context.Context, account, hash, pw string) error {
	at, err := s.limiter.Check(ctx, account)
	if err != nil {
		return err
	}
	err = s.hasher.Verify(ctx, hash, pw)
	switch {
	case err == nil:
		if err := s.limiter.Succeed(ctx, at); err != nil {
			s.log.Warn("throttle: reset after login", "err", err)
		}
		return nil
	case errors.Is(err, password.ErrBusy):
		return err // EUNAVAILABLE: 503
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if err := s.limiter.Fail(ctx, at); err != nil {
		return err
	}
	return ErrBadCredentials
}

// GuardSecret runs a cheap secret check (an OAuth client secret) under the
// limiter, keyed by client id and source: over budget it answers
// *throttle.Limited without checking; a failed check is counted.
func (s *Service) GuardSecret(ctx context.Context, clientID string, ok func() bool) error {
	at, err := s.limiter.Check(ctx, throttle.ClientKey(clientID))
	if err != nil {
		return err
	}
	if ok() {
		return s.limiter.Succeed(ctx, at)
	}
	if err := s.limiter.Fail(ctx, at); err != nil {
		return err
	}
	s.AuditFailedLoginOf(ctx, AuditClientAuth, "client", clientID, map[string]any{"reason": "wrong secret"})
	return ErrBadCredentials
}

// AuditClientAuth is the action of a failed client authentication (token
// endpoint, introspection): one row each, within the source's budget.
const AuditClientAuth = "client.auth"

// truncateID bounds a caller-supplied id before it is audited.
func truncateID(id string) string {
	if len(id) > 100 {
		return id[:100]
	}
	return id
}

// AuditFailedLogin records a failed sign-in (R-OPS-4), within the source's
// audit budget (issue 8 item 15): one source cannot grow the audit table at
// will; past the budget a summary row carries the count.
func (s *Service) AuditFailedLogin(ctx context.Context, action, targetType string, details map[string]any) {
	s.AuditFailedLoginOf(ctx, action, targetType, "", details)
}

// AuditFailedLoginOf is AuditFailedLogin naming the target (a client id as
// the caller sent it: bounded here).
func (s *Service) AuditFailedLoginOf(ctx context.Context, action, targetType, targetID string, details map[string]any) {
	targetID = truncateID(targetID)
	// Counted before the audit budget: the metric sees every failure.
	if method, ok := failedLoginMethods[action]; ok {
		s.metrics.Login(method, model.OutcomeFailure)
	}
	write, summary := s.limiter.AuditBudget(ctx)
	if !write {
		return
	}
	if summary > 0 {
		action, details = action+".summary", map[string]any{"failuresFromSource": summary, "note": "rows for this source are summarised until its window ends"}
	}
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), model.AuditEvent{Time: s.now(), Action: action,
		TargetType: targetType, TargetID: targetID, SourceIP: clientip.From(ctx), Outcome: model.OutcomeFailure, Details: details}); err != nil {
		s.log.ErrorContext(ctx, "audit failed login", "err", err)
	}
}

// AuditSecondFactor is the action of a wrong second-factor code.
const AuditSecondFactor = "login.second_factor"

// GuardSecondFactor runs one second-factor check of userID (a one-time
// code, an authenticator or recovery code) under the brute-force limiter
// (R-PWD-3), on an account of its own (throttle.SecondFactorKey: the
// password check that precedes every guess resets the user's password
// account, not this one). Over budget it answers *throttle.Limited
// (ETOOMANY) without running check. check returns its own error as is
// (the caller maps it to a page) and whether it was a wrong guess: a
// wrong guess is counted and audited (within the source's budget), a
// success resets the account, anything else (a store failure, a code
// that was never checked) is not counted.
func (s *Service) GuardSecondFactor(ctx context.Context, userID, method string, check func() (wrong bool, err error)) error {
	at, err := s.limiter.Check(ctx, throttle.SecondFactorKey(userID))
	if err != nil {
		return err
	}
	wrong, err := check()
	switch {
	case err == nil:
		if err := s.limiter.Succeed(ctx, at); err != nil {
			s.log.Warn("throttle: reset after second factor", "err", err)
		}
		return nil
	case !wrong:
		return err
	}
	if ferr := s.limiter.Fail(ctx, at); ferr != nil {
		return ferr
	}
	s.AuditFailedLoginOf(ctx, AuditSecondFactor, "user", userID, map[string]any{"method": method})
	return err
}
