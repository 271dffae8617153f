package directory

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// SetLimiter installs the brute-force limiter (R-PWD-3) for the credential
// checks (internal/authn, see authn.Service.SetLimiter) and the admin
// unlock. Set at start-up; without one nothing is throttled.
func (s *Service) SetLimiter(l *throttle.Limiter) {
	s.limiter = l
	s.authn.SetLimiter(l)
}

// Limiter returns the brute-force limiter (nil: none).
func (s *Service) Limiter() *throttle.Limiter { return s.limiter }

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
	// Wrong second-factor codes have a budget of their own (the login
	// engine's TOTP and OTP steps): lifted together with the password's.
	mfaUntil, mfaLocked, err := s.limiter.Locked(ctx, throttle.SecondFactorKey(u.ID))
	if err != nil {
		return err
	}
	for _, k := range []string{throttle.UserKey(u.ID), throttle.SecondFactorKey(u.ID)} {
		if err := s.limiter.Unlock(ctx, k); err != nil {
			return fmt.Errorf("unlock: %w", err)
		}
	}
	details := map[string]any{"wasLocked": locked || mfaLocked}
	if mfaLocked && (!locked || mfaUntil.After(until)) {
		until, locked = mfaUntil, true
	}
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
