package otp

import (
	"regexp"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// Channels a code is sent on.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
)

// Settings are the instance's one-time-code rules (config `twofactor.*`).
type Settings struct {
	// Default is the instance mode: model.TwoFactorDisabled, SMS, Email or
	// Both (R-2FA-1).
	Default string
	// Digits per code, at least 6 (R-2FA-2).
	Digits int
	// TTL: a code is accepted until this long after it was sent (R-2FA-2).
	TTL time.Duration
	// MaxAttempts guesses kill a challenge.
	MaxAttempts int
	// ResendCooldown must pass between two sends; MaxSends bounds them.
	ResendCooldown time.Duration
	MaxSends       int
	// FirstLoginOnly: a code only at the first successful login (R-2FA-5).
	FirstLoginOnly bool
	// MSISDN: an SMS goes only to a number that matches (R-2FA-3).
	MSISDN *regexp.Regexp
}

// Mode is u's effective one-time-code mode: the user's own setting, else the
// instance default. Delegated users authenticate (and do MFA) at their IdP:
// disabled.
func (s Settings) Mode(u model.User) string {
	if u.Kind == model.KindDelegated {
		return model.TwoFactorDisabled
	}
	if u.TwoFactor != model.TwoFactorDefault {
		return u.TwoFactor
	}
	if s.Default == "" {
		return model.TwoFactorDisabled
	}
	return s.Default
}

// Due reports whether a login of u needs a one-time code now, and in which
// mode. With FirstLoginOnly a code is due only while u has no stored first
// login (R-2FA-5): the engine asks before it records the login.
func (s Settings) Due(u model.User) (mode string, due bool) {
	mode = s.Mode(u)
	if mode == model.TwoFactorDisabled {
		return mode, false
	}
	if s.FirstLoginOnly && u.FirstLoginAt != nil {
		return mode, false
	}
	return mode, true
}

// channels lists the channels of a mode.
func channels(mode string) []string {
	switch mode {
	case model.TwoFactorSMS:
		return []string{ChannelSMS}
	case model.TwoFactorEmail:
		return []string{ChannelEmail}
	case model.TwoFactorBoth:
		return []string{ChannelSMS, ChannelEmail}
	}
	return nil
}

// SMSNumber returns u's phone number without spaces, dashes and brackets if it
// matches the pattern, else "" (R-2FA-3: no SMS to any other number).
func (s Settings) SMSNumber(phone string) string {
	n := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, phone)
	if n == "" || s.MSISDN == nil || !s.MSISDN.MatchString(n) {
		return ""
	}
	return n
}
