package config

import (
	"strings"
	"testing"
	"time"
)

// TestTwoFactorConfig: the second-factor keys (R-2FA-1..5) load from YAML
// and env; codes shorter than 6 digits and an MSISDN pattern that is not a
// regular expression stop the start-up, reported by key.
func TestTwoFactorConfig(t *testing.T) {
	p := write(t, "twofactor:\n  default: sms_and_email\n  codeDigits: 8\n  codeTTL: 10m\n  msisdnPattern: '^\\+41[0-9]{9}$'\n")
	env := map[string]string{"SESAME_TWOFACTOR_MAX_ATTEMPTS": "3", "SESAME_TWOFACTOR_FIRST_LOGIN_ONLY": "true",
		"SESAME_TWOFACTOR_RESEND_COOLDOWN": "1m", "SESAME_TWOFACTOR_TOTP_ALLOWED": "1"}
	c, err := Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	tf := c.TwoFactor
	ttl, cool := tf.Durations()
	if tf.Mode() != "sms+email" || tf.CodeDigits != 8 || ttl != 10*time.Minute || cool != time.Minute || tf.MaxAttempts != 3 ||
		!tf.FirstLoginOnly || !tf.TOTPAllowed || !tf.MSISDN().MatchString("+41791234567") || tf.MSISDN().MatchString("+4979123456") {
		t.Errorf("loaded: %+v", tf)
	}
	env = map[string]string{"SESAME_TWOFACTOR_CODE_DIGITS": "five", "SESAME_TWOFACTOR_MSISDN_PATTERN": "^(+41"}
	p = write(t, "twofactor:\n  default: sometimes\n  codeDigits: 4\n  codeTTL: 1s\n  maxAttempts: 0\n  resendCooldown: forever\n  totpIssuer: 'a:b'\n")
	c, _ = Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	err = c.Validate()
	for _, want := range []string{"SESAME_TWOFACTOR_CODE_DIGITS", "twofactor.msisdnPattern: is not a regular expression", "twofactor.default",
		"twofactor.codeDigits: must be between 6", "twofactor.codeTTL", "twofactor.maxAttempts", "twofactor.resendCooldown", "twofactor.totpIssuer"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
