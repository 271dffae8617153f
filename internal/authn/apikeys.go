package authn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
)

// User API keys (R-SSO-6): "sk_" followed by 256 random bits in unpadded
// base64url; only the SHA-256 is stored (internal/directory creates them).

const (
	// apiKeyLen is len("sk_") + 43 base64url characters (32 bytes).
	apiKeyLen = len(model.APIKeyPrefix) + 43
	// touchEvery throttles the last-used write to one per key and minute.
	touchEvery = time.Minute
)

// LooksLikeAPIKey reports whether s has the shape of an API key, so callers
// can tell a key from a password or a JWT without a database lookup.
func LooksLikeAPIKey(s string) bool {
	if len(s) != apiKeyLen || !strings.HasPrefix(s, model.APIKeyPrefix) {
		return false
	}
	for _, c := range s[len(model.APIKeyPrefix):] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// HashAPIKey is the stored form of a key: lowercase hex SHA-256. A key has
// 256 bits of entropy, so a fast hash is enough (no salt, no stretching),
// and lookups by hash do not leak anything useful through timing.
func HashAPIKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// AuthenticateAPIKey finds the active user an API key belongs to. Every
// failure — malformed, unknown, expired, user not active — is the one
// ErrBadCredentials.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (model.User, model.APIKey, error) {
	if !LooksLikeAPIKey(key) {
		return model.User{}, model.APIKey{}, ErrBadCredentials
	}
	k, err := s.store.GetAPIKeyByHash(ctx, HashAPIKey(key))
	if errors.Is(err, model.ErrNotFound) {
		return model.User{}, model.APIKey{}, ErrBadCredentials
	}
	if err != nil {
		return model.User{}, model.APIKey{}, fmt.Errorf("api key: %w", err)
	}
	now := s.now()
	if k.Expired(now) {
		return model.User{}, model.APIKey{}, ErrBadCredentials
	}
	u, err := s.store.GetUser(ctx, k.UserID)
	if errors.Is(err, model.ErrNotFound) {
		return model.User{}, model.APIKey{}, ErrBadCredentials
	}
	if err != nil {
		return model.User{}, model.APIKey{}, fmt.Errorf("api key user: %w", err)
	}
	if u.Status != model.StatusActive {
		return model.User{}, model.APIKey{}, ErrBadCredentials
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= touchEvery {
		if err := s.store.TouchAPIKey(ctx, k.ID, now); err != nil {
			s.log.Warn("api key: record last use", "key", k.ID, "err", err)
		}
	}
	return u, k, nil
}

// AuthenticateBasic checks HTTP Basic credentials (R-SSO-6): the secret is
// either the user's password or one of the user's API keys. It returns the
// user and how they authenticated (ViaBasic or ViaAPIKey).
func (s *Service) AuthenticateBasic(ctx context.Context, login, secret string) (model.User, string, error) {
	if LooksLikeAPIKey(secret) {
		u, _, err := s.AuthenticateAPIKey(ctx, secret)
		switch {
		case err == nil:
			if ok, err := s.loginNames(ctx, login, u); err != nil {
				return model.User{}, "", err
			} else if !ok {
				return model.User{}, "", ErrBadCredentials
			}
			return u, ViaAPIKey, nil
		case !errors.Is(err, ErrBadCredentials):
			return model.User{}, "", err
		}
		// Not a key after all: a password of the same shape.
	}
	u, err := s.Authenticate(ctx, login, secret)
	if err != nil {
		return model.User{}, "", err
	}
	return u, ViaBasic, nil
}

// loginNames reports whether login ("name" or "slug/name", as in
// Authenticate) names user u.
func (s *Service) loginNames(ctx context.Context, login string, u model.User) (bool, error) {
	tenantID, name, ok, err := s.loginTenant(ctx, login)
	if err != nil || !ok {
		return false, err
	}
	return tenantID == u.TenantID && identity.LoginKeyOrLower(name) == identity.LoginKeyOrLower(u.LoginName), nil
}
