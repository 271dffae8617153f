package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// User API keys (R-SSO-6): legacy API callers send a key as the password
// of HTTP Basic (with the user's login name) or as a bearer token. A key is
// "sk_" followed by 256 random bits in unpadded base64url; only its SHA-256
// is stored, with a short visible prefix. A key works only while its user
// is active and the key has not expired.

const (
	// apiKeyShown is how much of a key stays visible (prefix included).
	apiKeyShown = len(model.APIKeyPrefix) + 8
	// maxAPIKeysPerUser bounds what one user (or a script gone wrong) can
	// pile up.
	maxAPIKeysPerUser = 25
)

// NewAPIKey is the input of CreateAPIKey.
type NewAPIKey struct {
	Name string `json:"name"`
	// ExpiresAt is optional; it must lie in the future.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// CreatedAPIKey is a new key's metadata with the key itself, which is shown
// this once and never again.
type CreatedAPIKey struct {
	model.APIKey
	Key string `json:"key" doc:"The API key (sk_ followed by 256 random bits, base64url), shown in this answer only (only its SHA-256 is stored): use it as a bearer token or as the password of HTTP Basic." example:"sk_Xq3vW8mXr5TzL0pWk9bYh3NcJ6dFa1sGe7uRt2yIo4Pl"`
}

func newAPIKeySecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("api key: %w", err)
	}
	return model.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func validateAPIKeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", model.Invalid("name", "is required (at most 100 characters)")
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", model.Invalid("name", "must be valid UTF-8 without control characters")
	}
	return name, nil
}

// apiKeyOwner loads the user whose keys are managed and checks that the
// actor may manage them: users manage their own keys; anyone else needs
// right in every context of the user, like other user changes (R-USR-4),
// and no weaker cas rights than the user's (issue 8 item 6).
// Users outside the actor's reach look missing.
func (s *Service) apiKeyOwner(ctx context.Context, st storage.Storage, a Actor, userID, right string) (model.User, error) {
	if !a.System && a.User.ID != "" && a.User.ID == userID {
		if a.User.Status != model.StatusActive {
			return model.User{}, model.Errorf(model.EUNAUTHORIZED, "", "the account is not active")
		}
		return st.GetUser(ctx, userID)
	}
	u, err := s.visibleUser(ctx, st, a, userID)
	if err != nil {
		return u, err
	}
	if right != "" {
		if err := s.authorizeOnUser(ctx, st, a, right, u); err != nil {
			return u, err
		}
	}
	return u, nil
}

// CreateAPIKey creates an API key for user userID and returns it with the
// key, shown once (R-SSO-6). An API key cannot mint further keys for its own
// user: a leaked key must not be able to outlive its revocation.
func (s *Service) CreateAPIKey(ctx context.Context, a Actor, userID string, in NewAPIKey) (CreatedAPIKey, error) {
	name, err := validateAPIKeyName(in.Name)
	if err != nil {
		return CreatedAPIKey{}, err
	}
	now := s.now()
	if in.ExpiresAt != nil {
		if !in.ExpiresAt.After(now) {
			return CreatedAPIKey{}, model.Invalid("expiresAt", "must lie in the future")
		}
		t := in.ExpiresAt.UTC()
		in.ExpiresAt = &t
	}
	secret, err := newAPIKeySecret()
	if err != nil {
		return CreatedAPIKey{}, err
	}
	var out CreatedAPIKey
	err = s.tx(ctx, func(st storage.Storage) error {
		u, err := s.apiKeyOwner(ctx, st, a, userID, rightAPIKeysManage)
		if err != nil {
			return err
		}
		if !a.System && a.User.ID == u.ID && a.Via == ViaAPIKey {
			return model.Errorf(model.EFORBIDDEN, "", "an API key cannot create API keys: authenticate with your password or a token")
		}
		if u.Status == model.StatusDeleted {
			return model.Errorf(model.ECONFLICT, "status", "a deleted user cannot get API keys")
		}
		have, err := st.ListAPIKeys(ctx, u.ID)
		if err != nil {
			return err
		}
		if len(have) >= maxAPIKeysPerUser {
			return model.Errorf(model.ECONFLICT, "", "a user has at most %d API keys: delete one first", maxAPIKeysPerUser)
		}
		k, err := st.CreateAPIKey(ctx, model.APIKey{UserID: u.ID, Name: name, Prefix: secret[:apiKeyShown],
			Hash: authn.HashAPIKey(secret), ExpiresAt: in.ExpiresAt})
		if err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		out = CreatedAPIKey{APIKey: k, Key: secret}
		details := map[string]any{"keyId": k.ID, "name": k.Name, "prefix": k.Prefix}
		if a.System || a.User.ID != u.ID {
			// Minted by an admin for someone else: the event's actor is
			// the admin, the target the key's owner.
			details["onBehalf"] = true
		}
		if k.ExpiresAt != nil {
			details["expiresAt"] = k.ExpiresAt
		}
		return s.audit(ctx, st, a, "user.api_key.create", "user", u.ID, firstContext(u), details)
	})
	return out, err
}

// ListAPIKeys lists a user's API keys, metadata only.
func (s *Service) ListAPIKeys(ctx context.Context, a Actor, userID string) ([]model.APIKey, error) {
	if _, err := s.apiKeyOwner(ctx, s.store, a, userID, ""); err != nil {
		return nil, err
	}
	return s.store.ListAPIKeys(ctx, userID)
}

// DeleteAPIKey revokes one of a user's API keys; it stops working at once.
func (s *Service) DeleteAPIKey(ctx context.Context, a Actor, userID, keyID string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := s.apiKeyOwner(ctx, st, a, userID, rightAPIKeysManage)
		if err != nil {
			return err
		}
		if err := st.DeleteAPIKey(ctx, u.ID, keyID); err != nil {
			return err
		}
		details := map[string]any{"keyId": keyID}
		if a.System || a.User.ID != u.ID {
			details["onBehalf"] = true
		}
		return s.audit(ctx, st, a, "user.api_key.delete", "user", u.ID, firstContext(u), details)
	})
}
