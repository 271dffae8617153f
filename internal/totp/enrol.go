package totp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/storage"
)

// RFC 6238 parameters every authenticator app understands.
const (
	period     = 30
	digits     = otp.DigitsSix
	secretSize = 20 // 160 bits (RFC 4226 §4 recommends 160)
	qrSize     = 256
)

// Errors callers map to pages; each carries a model code.
var (
	// ErrEnrolled: the user has an active authenticator already; remove it
	// first.
	ErrEnrolled = model.Errorf(model.ECONFLICT, "totp", "an authenticator app is set up already; remove it first")
	// ErrNotEnrolled: no (confirmed) enrolment to confirm or verify.
	ErrNotEnrolled = model.Errorf(model.ENOTFOUND, "totp", "no authenticator app is set up")
	// ErrWrongCode: the code matches none of the accepted time steps.
	ErrWrongCode = model.Errorf(model.EINVALID, "code", "the code is wrong")
	// ErrReplay: the code's time step was used already (RFC 6238 §5.2).
	ErrReplay = model.Errorf(model.ECONFLICT, "code", "this code has been used; wait for the next one")
)

// Authenticator enrols and verifies TOTP second factors.
type Authenticator struct {
	Store storage.Credentials
	// Sealer seals secrets at rest (nil: stored plain, see doc.go).
	Sealer *seal.Sealer
	// Issuer names the instance in authenticator apps.
	Issuer string
	// InstanceAllowed is twofactor.totpAllowed: whether users without an
	// own setting may enrol (policy.go).
	InstanceAllowed bool
	// Key keys the recovery code hashes (e.g. derived from the master key).
	Key []byte
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Enrolment is what the account page shows once: the secret for manual
// entry, the otpauth:// URL and its QR code.
type Enrolment struct {
	Secret string
	URL    string
	QRPNG  []byte
}

// sealID binds a sealed secret to its user's row.
func sealID(userID string) string { return "totp:" + userID }

// Enrol starts an enrolment for u, shown in apps as account (e.g. the login
// name): a new secret, stored sealed and unconfirmed (replacing an
// unconfirmed one). ErrNotAllowed when TOTP is not allowed for u, ErrEnrolled
// when u has a confirmed enrolment.
func (a *Authenticator) Enrol(ctx context.Context, u model.User, account string) (Enrolment, error) {
	userID := u.ID
	if ok, err := a.Allowed(ctx, u); err != nil {
		return Enrolment{}, err
	} else if !ok {
		return Enrolment{}, ErrNotAllowed
	}
	if e, err := a.Store.GetTOTP(ctx, userID); err == nil && !e.ConfirmedAt.IsZero() {
		return Enrolment{}, ErrEnrolled
	} else if err != nil && !errors.Is(err, model.ErrNotFound) {
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: a.Issuer, AccountName: account, Period: period, SecretSize: secretSize,
		Digits: digits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: generate: %w", err)
	}
	shown, err := enrolmentOf(key)
	if err != nil {
		return Enrolment{}, err
	}
	sealed, err := a.Sealer.Seal(sealID(userID), []byte(key.Secret()))
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: seal: %w", err)
	}
	if err := a.Store.PutTOTP(ctx, storage.TOTPEnrolment{UserID: userID, Secret: sealed, CreatedAt: a.now().UTC()}); err != nil {
		return Enrolment{}, fmt.Errorf("totp: enrol: %w", err)
	}
	return shown, nil
}

// enrolmentOf is what the user is shown of key: the secret, the
// otpauth:// URL and its QR code as PNG.
func enrolmentOf(key *otp.Key) (Enrolment, error) {
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: qr code: %w", err)
	}
	var qr bytes.Buffer
	if err := png.Encode(&qr, img); err != nil {
		return Enrolment{}, fmt.Errorf("totp: qr code: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(), QRPNG: qr.Bytes()}, nil
}

// Confirm activates the pending enrolment with a first code from the app and
// returns the new recovery codes (shown once). The code's step becomes the
// last used one, so it cannot log in afterwards.
func (a *Authenticator) Confirm(ctx context.Context, userID, code string) ([]string, error) {
	e, err := a.Store.GetTOTP(ctx, userID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	if !e.ConfirmedAt.IsZero() {
		return nil, ErrEnrolled
	}
	step, err := a.match(e, code)
	if err != nil {
		return nil, err
	}
	if err := a.Store.ConfirmTOTP(ctx, userID, step, a.now().UTC()); errors.Is(err, model.ErrReused) {
		return nil, ErrEnrolled
	} else if err != nil {
		return nil, fmt.Errorf("totp: confirm: %w", err)
	}
	return a.RegenerateRecoveryCodes(ctx, userID)
}

// Enrolled reports whether userID has an active (confirmed) authenticator.
func (a *Authenticator) Enrolled(ctx context.Context, userID string) (bool, error) {
	e, err := a.Store.GetTOTP(ctx, userID)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	return err == nil && !e.ConfirmedAt.IsZero(), err
}

// Remove deletes userID's authenticator and recovery codes.
func (a *Authenticator) Remove(ctx context.Context, userID string) error {
	if err := a.Store.DeleteTOTP(ctx, userID); err != nil {
		return fmt.Errorf("totp: remove: %w", err)
	}
	if err := a.Store.ReplaceRecoveryCodes(ctx, userID, nil, a.now().UTC()); err != nil {
		return fmt.Errorf("totp: remove recovery codes: %w", err)
	}
	return nil
}
