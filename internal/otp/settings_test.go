package otp

import (
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// TestDue (R-2FA-1, R-2FA-5): the user's own setting wins over the instance
// default; delegated users never get a code; first-login-only asks only
// while no first login is stored.
func TestDue(t *testing.T) {
	first := time.Now()
	local := func(tf string, firstLogin *time.Time) model.User {
		return model.User{Kind: model.KindLocal, TwoFactor: tf, FirstLoginAt: firstLogin}
	}
	for _, tc := range []struct {
		name      string
		def       string
		firstOnly bool
		u         model.User
		mode      string
		due       bool
	}{
		{"default off", model.TwoFactorDisabled, false, local("", nil), model.TwoFactorDisabled, false},
		{"unset default", "", false, local("", nil), model.TwoFactorDisabled, false},
		{"default email", model.TwoFactorEmail, false, local("", &first), model.TwoFactorEmail, true},
		{"user sms over default off", model.TwoFactorDisabled, false, local(model.TwoFactorSMS, &first), model.TwoFactorSMS, true},
		{"user off over default both", model.TwoFactorBoth, false, local(model.TwoFactorDisabled, nil), model.TwoFactorDisabled, false},
		{"first login only, first login", model.TwoFactorEmail, true, local("", nil), model.TwoFactorEmail, true},
		{"first login only, later login", model.TwoFactorEmail, true, local("", &first), model.TwoFactorEmail, false},
		{"delegated", model.TwoFactorEmail, false, model.User{Kind: model.KindDelegated, TwoFactor: model.TwoFactorSMS}, model.TwoFactorDisabled, false},
	} {
		s := Settings{Default: tc.def, FirstLoginOnly: tc.firstOnly}
		if mode, due := s.Due(tc.u); mode != tc.mode || due != tc.due {
			t.Errorf("%s: Due = %q, %v; want %q, %v", tc.name, mode, due, tc.mode, tc.due)
		}
	}
}
