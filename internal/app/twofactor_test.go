package app

import (
	"bytes"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/config"
)

// TestSecondFactorFromConfig: the config's twofactor keys reach the OTP and
// TOTP blocks; hash keys are derived from the master key (distinct per use)
// and absent without one.
func TestSecondFactorFromConfig(t *testing.T) {
	cfg := config.DefaultTwoFactor()
	cfg.Default, cfg.CodeDigits, cfg.FirstLoginOnly, cfg.TOTPAllowed = "sms_and_email", 8, true, true
	sf, err := NewSecondFactor(cfg, nil, bytes.Repeat([]byte{1}, 32), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	s := sf.Codes.Settings
	if s.Default != "sms+email" || s.Digits != 8 || s.TTL != 5*time.Minute || s.MaxAttempts != 5 || s.ResendCooldown != 30*time.Second ||
		!s.FirstLoginOnly || s.MSISDN == nil || !sf.TOTP.InstanceAllowed || sf.TOTP.Sealer == nil || sf.TOTP.Issuer != "Sesame" {
		t.Errorf("settings: %+v %+v", s, sf.TOTP)
	}
	if len(sf.Codes.Key) != 32 || len(sf.TOTP.Key) != 32 || bytes.Equal(sf.Codes.Key, sf.TOTP.Key) {
		t.Errorf("derived keys: %x %x", sf.Codes.Key, sf.TOTP.Key)
	}
	plain, err := NewSecondFactor(cfg, nil, nil, time.Now)
	if err != nil || plain.Codes.Key != nil || plain.TOTP.Sealer != nil {
		t.Errorf("without a master key: %+v %v", plain, err)
	}
	if _, err := NewSecondFactor(cfg, nil, []byte("short"), time.Now); err == nil {
		t.Error("a short master key was accepted")
	}
}
