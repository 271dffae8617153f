package authn

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// SCIM bearer tokens (issue 12): "scim_" and 256 random bits, stored as
// their SHA-256 only (like API keys). A token opens /scim/v2 of its own
// tenant and nothing else: the admin API never accepts one (it is neither
// an API key nor an access token), and internal/scim scopes every read and
// write to the credential's tenant.

// scimTouchEvery bounds the last-used writes: at most one a minute per
// credential (the bulk of a provisioning cycle is hundreds of requests).
const scimTouchEvery = time.Minute

// AuthenticateSCIM finds the live credential a SCIM bearer token belongs
// to. Unknown, malformed and revoked tokens are all EUNAUTHORIZED with the
// same message.
func (s *Service) AuthenticateSCIM(ctx context.Context, token string) (model.SCIMCredential, error) {
	bad := model.Errorf(model.EUNAUTHORIZED, "", "invalid SCIM bearer token")
	if !strings.HasPrefix(token, model.SCIMTokenPrefix) || len(token) > 200 {
		return model.SCIMCredential{}, bad
	}
	c, err := s.store.GetSCIMCredentialByHash(ctx, HashAPIKey(token))
	if errors.Is(err, model.ErrNotFound) {
		return model.SCIMCredential{}, bad
	}
	if err != nil {
		return model.SCIMCredential{}, err
	}
	if c.RevokedAt != nil {
		return model.SCIMCredential{}, bad
	}
	now := s.now()
	if c.LastUsedAt == nil || now.Sub(*c.LastUsedAt) > scimTouchEvery {
		if err := s.store.TouchSCIMCredential(ctx, c.ID, now); err != nil {
			s.log.WarnContext(ctx, "scim credential last use", "credential", c.ID, "err", err)
		}
	}
	return c, nil
}
