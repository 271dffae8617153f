package directory

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/storage"
)

// minTokenLifetime is the shortest bound on how long a signed token stays
// valid (oidcop's maxTokenTTL is never below it).
const minTokenLifetime = 24*time.Hour + time.Minute

// SetTokenLifetime tells the service how long anything the OIDC provider
// signs may stay valid, so grants it revokes stay revoked that long. Call
// at start-up, before serving.
func (s *Service) SetTokenLifetime(d time.Duration) { s.tokenLifetime = d }

// revokeUserGrants revokes, inside the caller's transaction, every token
// family (grant) of the user — those of live sessions and those whose
// session already expired — so their access tokens fail introspection at
// once although the user stays active (a password reset; a deactivation
// fails them through the user's status). The logout announcement after
// commit revokes the live sessions' grants again, harmlessly.
func (s *Service) revokeUserGrants(ctx context.Context, st storage.Storage, userID string) error {
	grants, err := st.UserGrants(ctx, userID)
	if err != nil {
		return err
	}
	until := s.now().Add(max(s.tokenLifetime, minTokenLifetime))
	for _, g := range grants {
		if err := st.RevokeGrant(ctx, g.ID, until); err != nil {
			return err
		}
	}
	return nil
}
