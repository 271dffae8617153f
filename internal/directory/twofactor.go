package directory

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// TwoFactorSettings is a user's own second-factor setting (R-2FA-1): the
// one-time-code mode and whether authenticator apps are allowed, each
// "default" for the instance's (config `twofactor.*`).
type TwoFactorSettings struct {
	// OTP is default, disabled, sms, email or sms+email.
	OTP string `json:"otp" doc:"One-time-code channel: default (the instance's setting), disabled, sms, email or sms+email (R-2FA-1)." example:"email"`
	// TOTP is default, allowed or denied.
	TOTP string `json:"totp" doc:"Authenticator apps (TOTP): default (the instance's setting), allowed or denied." example:"allowed"`
}

// TwoFactorView is a user's second-factor state as the admin API shows it:
// the settings, and whether an authenticator is set up (never its secret).
type TwoFactorView struct {
	TwoFactorSettings
	TOTPEnrolled      bool `json:"totpEnrolled" doc:"Whether the user has set up an authenticator app (its secret is never shown); read-only." example:"true"`
	RecoveryCodesLeft int  `json:"recoveryCodesLeft" doc:"How many unused recovery codes the user has; read-only." example:"8"`
}

const settingDefault = "default"

func (t TwoFactorSettings) validate() (otp, totp string, err error) {
	otp, totp = t.OTP, t.TOTP
	if otp == settingDefault {
		otp = model.TwoFactorDefault
	}
	if totp == settingDefault {
		totp = ""
	}
	if otp == "" && t.OTP != settingDefault {
		return "", "", model.Invalid("otp", "is required: default, disabled, sms, email or sms+email")
	}
	if err := validateTwoFactor(otp); err != nil {
		return "", "", model.Invalid("otp", "must be default, disabled, sms, email or sms+email")
	}
	switch {
	case totp == "" && t.TOTP != settingDefault:
		return "", "", model.Invalid("totp", "is required: default, allowed or denied")
	case totp != "" && totp != "allowed" && totp != "denied":
		return "", "", model.Invalid("totp", "must be default, allowed or denied")
	}
	return otp, totp, nil
}

func twoFactorView(ctx context.Context, st storage.Storage, u model.User) (TwoFactorView, error) {
	v := TwoFactorView{TwoFactorSettings: TwoFactorSettings{OTP: u.TwoFactor, TOTP: settingDefault}}
	if v.OTP == model.TwoFactorDefault {
		v.OTP = settingDefault
	}
	p, err := st.TOTPPolicy(ctx, u.ID)
	if err != nil {
		return v, err
	}
	if p != "" {
		v.TOTP = p
	}
	e, err := st.GetTOTP(ctx, u.ID)
	switch {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return v, err
	default:
		v.TOTPEnrolled = !e.ConfirmedAt.IsZero()
	}
	if v.RecoveryCodesLeft, err = st.RecoveryCodesLeft(ctx, u.ID); err != nil {
		return v, err
	}
	return v, nil
}

// refuseDelegated2FA: delegated users prove their identity, second factor
// included, at their IdP (R-USR-3); a Sesame setting would be ignored.
func refuseDelegated2FA(u model.User) error {
	if u.Kind == model.KindDelegated {
		return model.Invalid("", "delegated users do their second factor at their identity provider; Sesame's 2FA settings do not apply to them")
	}
	return nil
}

// UserTwoFactor shows a user's second-factor settings and state to an actor
// who may see the user.
func (s *Service) UserTwoFactor(ctx context.Context, a Actor, id string) (TwoFactorView, error) {
	u, err := s.visibleUser(ctx, s.store, a, id)
	if err != nil {
		return TwoFactorView{}, err
	}
	return twoFactorView(ctx, s.store, u)
}

// SetUserTwoFactor sets a local user's own second-factor settings
// ("2FA settings - Modify" on the user, R-USR-4; audited). Delegated users
// are refused with 400.
func (s *Service) SetUserTwoFactor(ctx context.Context, a Actor, id string, in TwoFactorSettings) (TwoFactorView, error) {
	defer s.users.forget()
	otp, totp, err := in.validate()
	if err != nil {
		return TwoFactorView{}, err
	}
	var out TwoFactorView
	err = s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorizeOnUser(ctx, st, a, catalog.TwoFactorSettingsModify, u); err != nil {
			return err
		}
		if err := refuseDelegated2FA(u); err != nil {
			return err
		}
		if u, err = st.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			if u.Status == model.StatusDeleted {
				return u, model.Errorf(model.ECONFLICT, "status", "a deleted user cannot be changed")
			}
			u.TwoFactor = otp
			return u, nil
		}); err != nil {
			return err
		}
		if err := st.SetTOTPPolicy(ctx, id, totp); err != nil {
			return err
		}
		if out, err = twoFactorView(ctx, st, u); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.two_factor", "user", id, firstContext(u),
			map[string]any{"otp": out.OTP, "totp": out.TOTP})
	})
	return out, err
}

// RemoveUserTOTP removes a user's authenticator app and recovery codes (a
// lost phone; "2FA settings - Modify", audited): the user enrols again.
func (s *Service) RemoveUserTOTP(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorizeOnUser(ctx, st, a, catalog.TwoFactorSettingsModify, u); err != nil {
			return err
		}
		if err := st.DeleteTOTP(ctx, id); err != nil {
			return err
		}
		if err := st.ReplaceRecoveryCodes(ctx, id, nil, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.totp_remove", "user", id, firstContext(u), nil)
	})
}
