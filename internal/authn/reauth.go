package authn

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// CheckPassword re-checks the password of a signed-in user (the account
// page asks for it before a password change or removing the second factor,
// R-PWD-1): throttled on the user's budget like a login (R-PWD-3) — over
// it a *throttle.Limited (ETOOMANY) before any hashing — and a wrong
// password, an inactive or delegated user answer ErrBadCredentials. A busy
// hasher answers EUNAVAILABLE and a store failure its error.
func (s *Service) CheckPassword(ctx context.Context, userID, pw string) error {
	u, err := s.store.GetUser(ctx, userID)
	if errors.Is(err, model.ErrNotFound) {
		return ErrBadCredentials
	}
	if err != nil {
		return err
	}
	if err := s.verifyThrottled(ctx, throttle.UserKey(u.ID), u.PasswordHash, pw); err != nil {
		return err
	}
	if u.Kind != model.KindLocal || u.Status != model.StatusActive {
		return ErrBadCredentials
	}
	return nil
}
