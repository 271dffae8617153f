package totp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// RecoveryCodes is how many recovery codes a user gets: each is 80 random
// bits in Crockford's base32 (no i, l, o, u), written as 4 groups of 4.
const RecoveryCodes = 10

var crockford = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// ErrRecoveryCode: no unused recovery code matches.
var ErrRecoveryCode = model.Errorf(model.EINVALID, "code", "the recovery code is wrong or has been used")

// normalizeRecovery reads a typed code: case, spaces and dashes do not
// matter, o reads as 0 and i, l as 1 (Crockford).
func normalizeRecovery(code string) string {
	code = strings.ToLower(code)
	code = strings.NewReplacer(" ", "", "-", "", "o", "0", "i", "1", "l", "1").Replace(code)
	if len(code) > 64 {
		code = code[:64]
	}
	return code
}

// recoveryHash is HMAC-SHA-256 of the normalized code, keyed by Key and the
// user id (the same code of two users hashes differently).
func (a *Authenticator) recoveryHash(userID, code string) []byte {
	m := hmac.New(sha256.New, append(append([]byte(nil), a.Key...), userID...))
	m.Write([]byte(normalizeRecovery(code)))
	return m.Sum(nil)
}

// RegenerateRecoveryCodes replaces userID's recovery codes with
// RecoveryCodes new ones and returns them — the only time they are shown;
// only their hashes are stored.
func (a *Authenticator) RegenerateRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	if ok, err := a.Enrolled(ctx, userID); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrNotEnrolled
	}
	codes := make([]string, RecoveryCodes)
	hashes := make([][]byte, RecoveryCodes)
	for i := range codes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("totp: recovery code: %w", err)
		}
		s := crockford.EncodeToString(b)
		codes[i] = s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		hashes[i] = a.recoveryHash(userID, s)
	}
	if err := a.Store.ReplaceRecoveryCodes(ctx, userID, hashes, a.now().UTC()); err != nil {
		return nil, fmt.Errorf("totp: recovery codes: %w", err)
	}
	return codes, nil
}

// UseRecoveryCode accepts one unused recovery code of userID, once.
func (a *Authenticator) UseRecoveryCode(ctx context.Context, userID, code string) error {
	err := a.Store.UseRecoveryCode(ctx, userID, a.recoveryHash(userID, code), a.now().UTC())
	if errors.Is(err, model.ErrNotFound) {
		return ErrRecoveryCode
	}
	return err
}

// RecoveryCodesLeft counts userID's unused recovery codes.
func (a *Authenticator) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	return a.Store.RecoveryCodesLeft(ctx, userID)
}
