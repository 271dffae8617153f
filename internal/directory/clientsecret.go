package directory

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// RotateClientSecret gives a confidential OIDC client a new secret and
// returns it — the only time it is seen; only its hash is stored, and the
// old secret stops working at once ("Clients - Manage" at root; audited as
// client.secret_set).
func (s *Service) RotateClientSecret(ctx context.Context, a Actor, id string) (model.Client, string, error) {
	secret := session.Token()
	c, err := s.SetClientSecretHash(ctx, a, id, SecretHash(secret))
	if err != nil {
		return c, "", err
	}
	return c, secret, nil
}
