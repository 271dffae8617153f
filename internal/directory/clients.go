package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/clients"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Grant types a client may be allowed (RFC 6749).
var grantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}

// SecretHash is how client secrets are stored: SHA-256 of a 256-bit random
// secret (a slow hash adds nothing to a secret of that entropy, and keeps
// the token path fast).
func SecretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func validateClient(c model.Client) error {
	switch c.Protocol {
	case model.ProtocolCAS:
		if len(c.ServicePatterns) == 0 {
			return model.Invalid("servicePatterns", "a CAS service needs at least one service URL pattern")
		}
		for _, p := range c.ServicePatterns {
			if err := clients.ValidatePattern(p); err != nil {
				return model.Invalid("servicePatterns", "%v", err)
			}
		}
	case model.ProtocolOIDC:
		for _, u := range c.RedirectURIs {
			if _, err := clients.ParseURL(u); err != nil {
				return model.Invalid("redirectUris", "%q %v", u, err)
			}
		}
		for _, g := range c.GrantTypes {
			if !slices.Contains(grantTypes, g) {
				return model.Invalid("grantTypes", "%q is not one of %v", g, grantTypes)
			}
		}
		if slices.Contains(c.GrantTypes, "authorization_code") && len(c.RedirectURIs) == 0 {
			return model.Invalid("redirectUris", "the authorization code grant needs at least one redirect URI")
		}
		if c.Public && slices.Contains(c.GrantTypes, "client_credentials") {
			return model.Invalid("grantTypes", "a public client cannot use client_credentials")
		}
	default:
		return model.Invalid("protocol", "must be oidc or cas")
	}
	if c.LogoutURL != "" {
		if _, err := clients.ParseURL(c.LogoutURL); err != nil {
			return model.Invalid("logoutUrl", "%v", err)
		}
	}
	if c.AccessTTL < 0 || c.AccessTTL > 24*time.Hour || c.RefreshTTL < 0 || c.RefreshTTL > 90*24*time.Hour {
		return model.Invalid("accessTtl", "token lifetimes must be between 0 (default) and 24 h (access) / 90 days (refresh)")
	}
	return nil
}

// CreateClient registers an application. For a confidential OIDC client
// the generated secret is returned once and only its hash is stored.
func (s *Service) CreateClient(ctx context.Context, a Actor, c model.Client) (model.Client, string, error) {
	defer s.clients.reset()
	if err := validateClient(c); err != nil {
		return c, "", err
	}
	secret := ""
	if c.Protocol == model.ProtocolOIDC && !c.Public {
		secret = session.Token()
		c.SecretHash = SecretHash(secret)
	}
	var out model.Client
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, catalog.ClientsManage); err != nil {
			return err
		}
		var err error
		if out, err = st.CreateClient(ctx, c); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "client.create", "client", out.ID, "", map[string]any{"name": out.Name, "protocol": out.Protocol})
	})
	return out, secret, err
}

// GetClient reads a client (root admins with "Clients - Manage").
func (s *Service) GetClient(ctx context.Context, a Actor, id string) (model.Client, error) {
	if err := s.atRoot(ctx, s.store, a, catalog.ClientsManage); err != nil {
		return model.Client{}, err
	}
	return s.store.GetClient(ctx, id)
}

// ListClients lists clients.
func (s *Service) ListClients(ctx context.Context, a Actor) ([]model.Client, error) {
	if err := s.atRoot(ctx, s.store, a, catalog.ClientsManage); err != nil {
		return nil, err
	}
	return s.store.ListClients(ctx, "")
}

// UpdateClient changes a client (not its protocol or secret).
func (s *Service) UpdateClient(ctx context.Context, a Actor, id string, fn func(model.Client) (model.Client, error)) (model.Client, error) {
	defer s.clients.reset()
	var out model.Client
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, catalog.ClientsManage); err != nil {
			return err
		}
		var err error
		out, err = st.UpdateClient(ctx, id, func(old model.Client) (model.Client, error) {
			c, err := fn(old)
			if err != nil {
				return c, err
			}
			c.Protocol, c.SecretHash, c.Public = old.Protocol, old.SecretHash, old.Public
			return c, validateClient(c)
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "client.update", "client", id, "", map[string]any{"name": out.Name})
	})
	return out, err
}

// DeleteClient removes a client.
func (s *Service) DeleteClient(ctx context.Context, a Actor, id string) error {
	defer s.clients.reset()
	return s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, catalog.ClientsManage); err != nil {
			return err
		}
		if err := st.DeleteClient(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "client.delete", "client", id, "", nil)
	})
}

// FindCASService returns the CAS client whose patterns allow service.
func (s *Service) FindCASService(ctx context.Context, service string) (model.Client, error) {
	cs, err := s.casClients(ctx)
	if err != nil {
		return model.Client{}, err
	}
	for _, c := range cs {
		for _, p := range c.ServicePatterns {
			if clients.MatchService(p, service) {
				return c, nil
			}
		}
	}
	return model.Client{}, model.Errorf(model.ENOTFOUND, "service", "service is not registered")
}
