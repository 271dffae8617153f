package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"go.mau.fi/util/confusable"
	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
)

// ErrLoginName is returned for a name the PRECIS IdentifierClass refuses
// (RFC 8264 §9: spaces, controls, symbols outside ASCII, …).
var ErrLoginName = errors.New("not a valid user name (RFC 8265)")

// DisplayName is the login name as stored and shown: the PRECIS
// UsernameCasePreserved profile (RFC 8265 §3.4: width mapping, NFC,
// IdentifierClass), so "ａｌｉｃｅ" becomes "alice" at creation.
func DisplayName(name string) (string, error) {
	out, err := precis.UsernameCasePreserved.String(name)
	if err != nil || out == "" {
		return "", ErrLoginName
	}
	return out, nil
}

// LoginKey is what logins compare: the PRECIS UsernameCaseMapped profile
// (RFC 8265 §3.3: width mapping, case mapping, NFC). Two names with the same
// key are the same login.
func LoginKey(name string) (string, error) {
	out, err := precis.UsernameCaseMapped.String(name)
	if err != nil || out == "" {
		return "", ErrLoginName
	}
	return out, nil
}

// LoginKeyOrLower is LoginKey, or the plain lower case of a name PRECIS
// refuses (names stored before normalisation; lookups of such names then
// still find them, and never anything else).
func LoginKeyOrLower(name string) string {
	if k, err := LoginKey(name); err == nil {
		return k
	}
	return strings.ToLower(name)
}

// Skeleton is the stored form of a name's confusable skeleton: the SHA-256
// (hex) of the UTS #39 §4 skeleton of its login key, case-folded again and
// repeated until stable (the skeleton maps "0" to "O", which a
// case-insensitive login equates with "o"). Two names of a tenant with the
// same Skeleton look alike and are refused (one unique index). Only the
// digest is kept, so a deleted user's reservation holds no name.
func Skeleton(name string) string {
	s := LoginKeyOrLower(name)
	fold := cases.Fold()
	for i := 0; i < 4; i++ {
		n := fold.String(confusable.Skeleton(s))
		if n == s {
			break
		}
		s = n
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
