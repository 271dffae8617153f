package config

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TwoFactor configures the second factor (R-2FA-1..5, issue 9 §3). A user's
// own setting (admin API, "2FA settings - Modify") overrides Default.
type TwoFactor struct {
	// Default is the instance default for one-time codes: disabled, sms,
	// email or sms+email ("sms_and_email" is read as sms+email).
	Default string `yaml:"default"`
	// CodeDigits is the length of a one-time code (R-2FA-2: at least 6).
	CodeDigits int `yaml:"codeDigits"`
	// CodeTTL is how long a code is accepted (R-2FA-2).
	CodeTTL string `yaml:"codeTTL"`
	// MaxAttempts guesses kill a challenge (brute force).
	MaxAttempts int `yaml:"maxAttempts"`
	// ResendCooldown must pass between two sends of a challenge's code;
	// MaxSends bounds the sends of one challenge.
	ResendCooldown string `yaml:"resendCooldown"`
	MaxSends       int    `yaml:"maxSends"`
	// FirstLoginOnly asks for a code only at the user's first successful
	// login (R-2FA-5), otherwise at every login.
	FirstLoginOnly bool `yaml:"firstLoginOnly"`
	// MSISDNPattern is the regular expression (RE2, anchored by the
	// operator) a phone number must match to receive an SMS (R-2FA-3).
	MSISDNPattern string `yaml:"msisdnPattern"`
	// TOTPAllowed lets users enrol an authenticator app (RFC 6238) unless
	// their own setting says otherwise; TOTPIssuer names the instance in
	// the app.
	TOTPAllowed bool   `yaml:"totpAllowed"`
	TOTPIssuer  string `yaml:"totpIssuer"`

	envErrs []error
}

// DefaultTwoFactor: codes off, 6 digits for 5 minutes, 5 guesses, a resend
// every 30 s up to 5 sends, E.164 numbers, TOTP not offered.
func DefaultTwoFactor() TwoFactor {
	return TwoFactor{Default: "disabled", CodeDigits: 6, CodeTTL: "5m", MaxAttempts: 5, ResendCooldown: "30s", MaxSends: 5,
		MSISDNPattern: `^\+[1-9][0-9]{6,14}$`, TOTPIssuer: "Sesame"}
}

// TwoFactorEnv lists the second-factor environment overrides and their keys.
var TwoFactorEnv = map[string]string{
	"SESAME_TWOFACTOR_DEFAULT":          "twofactor.default",
	"SESAME_TWOFACTOR_CODE_DIGITS":      "twofactor.codeDigits",
	"SESAME_TWOFACTOR_CODE_TTL":         "twofactor.codeTTL",
	"SESAME_TWOFACTOR_MAX_ATTEMPTS":     "twofactor.maxAttempts",
	"SESAME_TWOFACTOR_RESEND_COOLDOWN":  "twofactor.resendCooldown",
	"SESAME_TWOFACTOR_FIRST_LOGIN_ONLY": "twofactor.firstLoginOnly (true/false)",
	"SESAME_TWOFACTOR_MSISDN_PATTERN":   "twofactor.msisdnPattern",
	"SESAME_TWOFACTOR_TOTP_ALLOWED":     "twofactor.totpAllowed (true/false)",
}

func (c *Config) applyTwoFactorEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	t := &c.TwoFactor
	for name, dst := range map[string]*string{"SESAME_TWOFACTOR_DEFAULT": &t.Default, "SESAME_TWOFACTOR_CODE_TTL": &t.CodeTTL,
		"SESAME_TWOFACTOR_RESEND_COOLDOWN": &t.ResendCooldown, "SESAME_TWOFACTOR_MSISDN_PATTERN": &t.MSISDNPattern} {
		if v, ok := env(name); ok {
			*dst = v
		}
	}
	for name, dst := range map[string]*int{"SESAME_TWOFACTOR_CODE_DIGITS": &t.CodeDigits, "SESAME_TWOFACTOR_MAX_ATTEMPTS": &t.MaxAttempts} {
		if v, ok := env(name); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.envErrs = append(t.envErrs, fmt.Errorf("%s: %q is not a number", name, v))
				continue
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*bool{"SESAME_TWOFACTOR_FIRST_LOGIN_ONLY": &t.FirstLoginOnly, "SESAME_TWOFACTOR_TOTP_ALLOWED": &t.TOTPAllowed} {
		if v, ok := env(name); ok {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				t.envErrs = append(t.envErrs, fmt.Errorf("%s: %q is not true or false", name, v))
				continue
			}
			*dst = b
		}
	}
}

// Mode is Default with the "sms_and_email" spelling read as "sms+email".
func (t TwoFactor) Mode() string {
	if t.Default == "sms_and_email" {
		return "sms+email"
	}
	return t.Default
}

// Durations parses CodeTTL and ResendCooldown (validated by Validate).
func (t TwoFactor) Durations() (codeTTL, resendCooldown time.Duration) {
	a, _ := time.ParseDuration(t.CodeTTL)
	b, _ := time.ParseDuration(t.ResendCooldown)
	return a, b
}

// MSISDN compiles MSISDNPattern (validated by Validate).
func (t TwoFactor) MSISDN() *regexp.Regexp {
	re, _ := regexp.Compile(t.MSISDNPattern)
	return re
}

func (t TwoFactor) validate(bad func(key, format string, args ...any)) []error {
	switch t.Mode() {
	case "disabled", "sms", "email", "sms+email":
	default:
		bad("twofactor.default", "%q is not one of disabled, sms, email, sms+email", t.Default)
	}
	if t.CodeDigits < 6 || t.CodeDigits > 10 {
		bad("twofactor.codeDigits", "must be between 6 and 10 (R-2FA-2: at least 6)")
	}
	if d, err := time.ParseDuration(t.CodeTTL); err != nil || d < 30*time.Second || d > time.Hour {
		bad("twofactor.codeTTL", "%q is not a duration between 30s and 1h", t.CodeTTL)
	}
	if t.MaxAttempts < 1 || t.MaxAttempts > 20 {
		bad("twofactor.maxAttempts", "must be between 1 and 20")
	}
	if d, err := time.ParseDuration(t.ResendCooldown); err != nil || d < 0 || d > time.Hour {
		bad("twofactor.resendCooldown", "%q is not a duration between 0s and 1h", t.ResendCooldown)
	}
	if t.MaxSends < 1 || t.MaxSends > 20 {
		bad("twofactor.maxSends", "must be between 1 and 20")
	}
	if strings.TrimSpace(t.MSISDNPattern) == "" {
		bad("twofactor.msisdnPattern", "is required (e.g. ^\\+[1-9][0-9]{6,14}$ for E.164)")
	} else if _, err := regexp.Compile(t.MSISDNPattern); err != nil {
		bad("twofactor.msisdnPattern", "is not a regular expression: %v", err)
	}
	if strings.TrimSpace(t.TOTPIssuer) == "" || strings.Contains(t.TOTPIssuer, ":") {
		bad("twofactor.totpIssuer", "must be a name without a colon (it prefixes the account in authenticator apps)")
	}
	return t.envErrs
}
