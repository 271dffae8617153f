package totp

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
)

// A user's own TOTP setting (admin API, "2FA settings - Modify"); the empty
// value means the instance's twofactor.totpAllowed.
const (
	PolicyDefault = ""
	PolicyAllowed = "allowed"
	PolicyDenied  = "denied"
)

// ErrNotAllowed: TOTP is not offered to this user.
var ErrNotAllowed = model.Errorf(model.EFORBIDDEN, "totp", "authenticator apps are not enabled for this account")

// Allowed reports whether u may use an authenticator app: the user's own
// setting, else the instance's; never for delegated users (their IdP does
// MFA).
func (a *Authenticator) Allowed(ctx context.Context, u model.User) (bool, error) {
	if u.Kind == model.KindDelegated {
		return false, nil
	}
	p, err := a.Store.TOTPPolicy(ctx, u.ID)
	if err != nil {
		return false, err
	}
	switch p {
	case PolicyAllowed:
		return true, nil
	case PolicyDenied:
		return false, nil
	}
	return a.InstanceAllowed, nil
}

// Active reports whether a login of u asks for an authenticator code: TOTP
// allowed and a confirmed enrolment (the login engine's TOTP step is due).
func (a *Authenticator) Active(ctx context.Context, u model.User) (bool, error) {
	if ok, err := a.Allowed(ctx, u); !ok || err != nil {
		return false, err
	}
	return a.Enrolled(ctx, u.ID)
}
