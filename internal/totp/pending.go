package totp

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/model"
)

// Pending shows userID's unconfirmed enrolment again (the account page
// after a wrong confirming code, issue 9 §3.2): the same secret, URL and
// QR code Enrol returned, so the app the user set up stays valid.
// ErrNotEnrolled without one, ErrEnrolled once it is confirmed.
func (a *Authenticator) Pending(ctx context.Context, userID, account string) (Enrolment, error) {
	e, err := a.Store.GetTOTP(ctx, userID)
	if errors.Is(err, model.ErrNotFound) {
		return Enrolment{}, ErrNotEnrolled
	}
	if err != nil {
		return Enrolment{}, err
	}
	if !e.ConfirmedAt.IsZero() {
		return Enrolment{}, ErrEnrolled
	}
	secret, err := a.Sealer.Open(sealID(userID), e.Secret, "TOTP secret")
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: %w", err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(secret))
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: stored secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: a.Issuer, AccountName: account, Period: period, Secret: raw,
		Digits: digits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: key: %w", err)
	}
	return enrolmentOf(key)
}
