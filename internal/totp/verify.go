package totp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/pquerna/otp/hotp"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// skew is how many time steps before and after now are accepted (clock
// drift between phone and server, RFC 6238 §5.2).
const skew = 1

// match returns the time step whose code equals code (±skew around now).
// Every candidate is computed and compared in constant time.
func (a *Authenticator) match(e storage.TOTPEnrolment, code string) (int64, error) {
	secret, err := a.Sealer.Open(sealID(e.UserID), e.Secret, "TOTP secret")
	if err != nil {
		return 0, fmt.Errorf("totp: %w", err)
	}
	code = strings.ReplaceAll(code, " ", "")
	now := a.now().Unix() / period
	found := int64(-1)
	for step := now - skew; step <= now+skew; step++ {
		want, err := hotp.GenerateCodeCustom(string(secret), uint64(step), hotp.ValidateOpts{Digits: digits})
		if err != nil {
			return 0, fmt.Errorf("totp: code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && found < 0 {
			found = step
		}
	}
	if found < 0 {
		return 0, ErrWrongCode
	}
	return found, nil
}

// Verify checks a code from userID's authenticator: ErrNotEnrolled without a
// confirmed enrolment, ErrWrongCode, ErrReplay when its time step (or a
// later one) was used already — of concurrent requests with one code
// exactly one passes.
func (a *Authenticator) Verify(ctx context.Context, userID, code string) error {
	e, err := a.Store.GetTOTP(ctx, userID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && e.ConfirmedAt.IsZero()) {
		return ErrNotEnrolled
	}
	if err != nil {
		return err
	}
	step, err := a.match(e, code)
	if err != nil {
		return err
	}
	switch err := a.Store.UseTOTPStep(ctx, userID, step); {
	case errors.Is(err, model.ErrReused):
		return ErrReplay
	case errors.Is(err, model.ErrNotFound):
		return ErrNotEnrolled
	case err != nil:
		return fmt.Errorf("totp: use step: %w", err)
	}
	return nil
}
