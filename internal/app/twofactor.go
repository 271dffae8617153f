package app

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/otp"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/totp"
)

// SecondFactor is what the login engine's OTP and TOTP steps and the
// account page use (issue 9 §3), built from config `twofactor.*` and the
// master key.
type SecondFactor struct {
	Codes *otp.Codes
	TOTP  *totp.Authenticator
}

// NewSecondFactor builds the second-factor blocks. With a master key the
// one-time code and recovery code hashes are keyed with keys derived from it
// (HKDF-SHA-256), so a database reader cannot test codes offline, and TOTP
// secrets are sealed (internal/seal); without one the hashes are keyed by
// the challenge / user id only and the secrets are stored plain, as the
// signing keys are (app/masterkey.go warns).
func NewSecondFactor(cfg config.TwoFactor, st storage.Credentials, master []byte, now func() time.Time) (SecondFactor, error) {
	sealer, err := seal.New(master)
	if err != nil {
		return SecondFactor{}, fmt.Errorf("second factor: %w", err)
	}
	derive := func(purpose string) ([]byte, error) {
		if len(master) == 0 {
			return nil, nil
		}
		return hkdf.Key(sha256.New, master, nil, "sesame "+purpose+" v1", 32)
	}
	codeKey, err := derive("otp code")
	if err != nil {
		return SecondFactor{}, fmt.Errorf("second factor: %w", err)
	}
	recoveryKey, err := derive("recovery code")
	if err != nil {
		return SecondFactor{}, fmt.Errorf("second factor: %w", err)
	}
	ttl, cooldown := cfg.Durations()
	return SecondFactor{
		Codes: &otp.Codes{Settings: otp.Settings{Default: cfg.Mode(), Digits: cfg.CodeDigits, TTL: ttl, MaxAttempts: cfg.MaxAttempts,
			ResendCooldown: cooldown, MaxSends: cfg.MaxSends, FirstLoginOnly: cfg.FirstLoginOnly, MSISDN: cfg.MSISDN()},
			Key: codeKey, Now: now},
		TOTP: &totp.Authenticator{Store: st, Sealer: sealer, Issuer: cfg.TOTPIssuer, InstanceAllowed: cfg.TOTPAllowed, Key: recoveryKey, Now: now},
	}, nil
}
