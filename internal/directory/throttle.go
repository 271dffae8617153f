package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// SetLimiter installs the brute-force limiter (R-PWD-3) used by every
// credential check: passwords (Authenticate: /login, HTTP Basic, POST
// /api/v1/authorize) and client secrets (GuardSecret). Set at start-up;
// without one nothing is throttled. The limiter writes through the root
// store, never a transaction: do not authenticate inside InTx (on SQLite
// the transaction holds the writer lock).
func (s *Service) SetLimiter(l *throttle.Limiter) { s.limiter = l }

// Limiter returns the brute-force limiter (nil: none).
func (s *Service) Limiter() *throttle.Limiter { return s.limiter }

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
	s.AuditFailedLoginOf(ctx, AuditClientAuth, "client", truncateID(clientID), map[string]any{"reason": "wrong secret"})
	return ErrBadCredentials
}

// AuditFailedLogin records a failed sign-in (R-OPS-4), within the source's
// audit budget (issue 8 item 15): one source cannot grow the audit table at
// will; past the budget a summary row carries the count.
func (s *Service) AuditFailedLogin(ctx context.Context, action, targetType string, details map[string]any) {
	s.AuditFailedLoginOf(ctx, action, targetType, "", details)
}

// AuditFailedLoginOf is AuditFailedLogin naming the target (a client id).
func (s *Service) AuditFailedLoginOf(ctx context.Context, action, targetType, targetID string, details map[string]any) {
	write, summary := s.limiter.AuditBudget(ctx)
	if !write {
		return
	}
	if summary > 0 {
		action, details = action+".summary", map[string]any{"failuresFromSource": summary, "note": "rows for this source are summarised until its window ends"}
	}
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), model.AuditEvent{Time: s.now(), Action: action,
		TargetType: targetType, TargetID: targetID, SourceIP: clientip.From(ctx), Outcome: model.OutcomeFailure, Details: details}); err != nil {
		s.log.Error("audit failed login", "err", err)
	}
}

// UnlockUser lifts a user's sign-in delay and lock (R-PWD-3). It needs the
// right to modify the user and is audited. The counters live outside the
// directory's transactions (every node writes them), so the unlock follows
// the authorization rather than joining it.
func (s *Service) UnlockUser(ctx context.Context, a Actor, id string) error {
	var u model.User
	if err := s.tx(ctx, func(st storage.Storage) error {
		var err error
		if u, err = s.visibleUser(ctx, st, a, id); err != nil {
			return err
		}
		return s.authorizeOnUser(ctx, st, a, rightUsersWrite, u)
	}); err != nil {
		return err
	}
	until, locked, err := s.limiter.Locked(ctx, throttle.UserKey(u.ID))
	if err != nil {
		return err
	}
	if err := s.limiter.Unlock(ctx, throttle.UserKey(u.ID)); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	details := map[string]any{"wasLocked": locked}
	if locked {
		details["lockedUntil"] = until
	}
	return s.audit(ctx, s.store, a, "user.unlock", "user", u.ID, firstContext(u), details)
}

// CheckImportedHash vets a password hash given instead of a password (issue
// 8 item 3): only system actors (`sesame apply`, run by operators) may give
// one — an admin could otherwise plant a hash whose parameters turn every
// login attempt into minutes of hashing — and its parameters must lie in
// the hasher's band (password.Hasher.Check).
func (s *Service) CheckImportedHash(a Actor, hash string) error {
	if hash == "" {
		return nil
	}
	if !a.System {
		return model.Invalid("passwordHash", "password hashes are accepted only from `sesame apply`; send password instead")
	}
	if err := s.hasher.Check(hash); err != nil {
		return model.Invalid("passwordHash", "%v", err)
	}
	return nil
}

// truncateID bounds a caller-supplied id before it is audited.
func truncateID(id string) string {
	if len(id) > 100 {
		return id[:100]
	}
	return id
}
