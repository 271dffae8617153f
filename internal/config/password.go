package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Password configures the password policy (issue 9 §2.1), applied to every
// password that is set: admin API, `sesame apply` plain passwords, the
// bootstrap admin's, the forced change at login, reset links and the
// account page; and password expiry and reset links. Lengths count
// characters.
type Password struct {
	// MinLength: 8 (NIST SP 800-63B §5.1.1.2) to 1024, default 12.
	MinLength int `yaml:"minLength"`
	// MaxLength: MinLength to 1024, default 256.
	MaxLength int `yaml:"maxLength"`
	// RejectPersonal refuses a password equal to or containing the login
	// name or the email's local part (also reversed, ignoring case).
	RejectPersonal *bool `yaml:"rejectPersonal"`
	// RejectCommon refuses a password on the shipped common/breached list.
	RejectCommon *bool `yaml:"rejectCommon"`
	// MaxAge is how long a password lasts from when it was set (a Go
	// duration, "2160h"); after it the next login asks for a new one
	// (issue 9 §1). "0" or empty: passwords never expire.
	MaxAge string `yaml:"maxAge"`
	// ResetTTL is how long an emailed reset link works (R-PWD-2), 5m to
	// 24h, default 30m.
	ResetTTL string `yaml:"resetTTL"`

	envErrs []error
}

// DefaultPassword is the default policy.
func DefaultPassword() Password {
	return Password{MinLength: 12, MaxLength: 256, MaxAge: "0", ResetTTL: "30m"}
}

// PasswordEnv lists the password policy's environment overrides.
var PasswordEnv = map[string]string{
	"SESAME_PASSWORD_MIN_LENGTH":      "password.minLength",
	"SESAME_PASSWORD_MAX_LENGTH":      "password.maxLength",
	"SESAME_PASSWORD_REJECT_PERSONAL": "password.rejectPersonal",
	"SESAME_PASSWORD_REJECT_COMMON":   "password.rejectCommon",
	"SESAME_PASSWORD_MAX_AGE":         "password.maxAge",
	"SESAME_PASSWORD_RESET_TTL":       "password.resetTTL",
}

func (c *Config) applyPasswordEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	p := &c.Password
	for name, dst := range map[string]*int{"SESAME_PASSWORD_MIN_LENGTH": &p.MinLength, "SESAME_PASSWORD_MAX_LENGTH": &p.MaxLength} {
		if v, ok := env(name); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				p.envErrs = append(p.envErrs, fmt.Errorf("%s (%s): %q is not a number", name, PasswordEnv[name], v))
				continue
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*string{"SESAME_PASSWORD_MAX_AGE": &p.MaxAge, "SESAME_PASSWORD_RESET_TTL": &p.ResetTTL} {
		if v, ok := env(name); ok {
			*dst = strings.TrimSpace(v)
		}
	}
	for name, dst := range map[string]**bool{"SESAME_PASSWORD_REJECT_PERSONAL": &p.RejectPersonal, "SESAME_PASSWORD_REJECT_COMMON": &p.RejectCommon} {
		if v, ok := env(name); ok {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				p.envErrs = append(p.envErrs, fmt.Errorf("%s (%s): %q is not true or false", name, PasswordEnv[name], v))
				continue
			}
			*dst = &b
		}
	}
}

// Rejects returns RejectPersonal and RejectCommon (both default true).
func (p Password) Rejects() (personal, common bool) {
	return p.RejectPersonal == nil || *p.RejectPersonal, p.RejectCommon == nil || *p.RejectCommon
}

func (p Password) validate(bad func(key, format string, args ...any)) []error {
	if p.MinLength < 8 || p.MinLength > 1024 {
		bad("password.minLength", "must be between 8 and 1024 (NIST SP 800-63B: at least 8)")
	}
	if p.MaxLength < p.MinLength || p.MaxLength > 1024 {
		bad("password.maxLength", "must be between password.minLength (%d) and 1024", p.MinLength)
	}
	if _, err := parseMaxAge(p.MaxAge); err != nil {
		bad("password.maxAge", "%q is not a duration of 0 (never) or at least 1h", p.MaxAge)
	}
	if _, err := parseResetTTL(p.ResetTTL); err != nil {
		bad("password.resetTTL", "%q is not a duration between 5m and 24h", p.ResetTTL)
	}
	return p.envErrs
}

// Durations parses maxAge (0: never) and resetTTL (validated by Validate).
func (p Password) Durations() (maxAge, resetTTL time.Duration) {
	maxAge, _ = parseMaxAge(p.MaxAge)
	resetTTL, _ = parseResetTTL(p.ResetTTL)
	return maxAge, resetTTL
}

func parseMaxAge(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || (d != 0 && d < time.Hour) || d < 0 {
		return 0, fmt.Errorf("bad maxAge %q", v)
	}
	return d, nil
}

func parseResetTTL(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 30 * time.Minute, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 5*time.Minute || d > 24*time.Hour {
		return 0, fmt.Errorf("bad resetTTL %q", v)
	}
	return d, nil
}
