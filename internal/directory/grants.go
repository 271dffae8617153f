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

// revokeSessionGrants revokes, inside the caller's transaction, the token
// families (grants) of ended sessions: their access tokens fail
// introspection at once, although the user stays active (a password reset;
// a deactivation also fails them through the user's status). The logout
// announcement after commit revokes them again, harmlessly.
func (s *Service) revokeSessionGrants(ctx context.Context, st storage.Storage, ended []endedSession) error {
	until := s.now().Add(max(s.tokenLifetime, minTokenLifetime))
	for _, e := range ended {
		grants, err := st.SessionGrants(ctx, e.s.ID)
		if err != nil {
			return err
		}
		for _, g := range grants {
			if err := st.RevokeGrant(ctx, g.ID, until); err != nil {
				return err
			}
		}
	}
	return nil
}
