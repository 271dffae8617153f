package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
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

// plainHTTPReason: RFC 8252 §8.3 / RFC 9700 §4.1.1 — an http redirect
// hands the code or ticket to anyone on the network path.
const plainHTTPReason = "plain http is allowed only for loopback hosts (127.0.0.1, [::1], localhost) unless the client is marked as a development client"

// validateWebOrigins checks the browser origins a public client's
// JavaScript may call the token endpoints from (CORS): bare origins
// (scheme://host[:port]), https unless loopback or development.
func validateWebOrigins(c model.Client) error {
	if len(c.WebOrigins) > 0 && !c.Public {
		return model.Invalid("webOrigins", "web origins are for public (browser) clients only; a confidential client calls from its server")
	}
	if len(c.WebOrigins) > 20 {
		return model.Invalid("webOrigins", "at most 20 web origins")
	}
	for _, o := range c.WebOrigins {
		canon, err := clients.ParseOrigin(o)
		if err != nil {
			return model.Invalid("webOrigins", "%q %v", o, err)
		}
		if u, _ := url.Parse(canon); clients.PlainHTTP(u) && !c.Development {
			return model.Invalid("webOrigins", "%q: %s", o, plainHTTPReason)
		}
	}
	return nil
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
			if u, _ := clients.ParseURL(strings.TrimSuffix(p, "*")); u != nil && clients.PlainHTTP(u) && !c.Development {
				return model.Invalid("servicePatterns", "%q: %s", p, plainHTTPReason)
			}
		}
		if len(c.WebOrigins) > 0 {
			return model.Invalid("webOrigins", "web origins are for public OIDC (browser) clients only")
		}
	case model.ProtocolOIDC:
		for _, u := range c.RedirectURIs {
			pu, err := clients.ParseURL(u)
			if err != nil {
				return model.Invalid("redirectUris", "%q %v", u, err)
			}
			if clients.PlainHTTP(pu) && !c.Development {
				return model.Invalid("redirectUris", "%q: %s", u, plainHTTPReason)
			}
		}
		if err := validateWebOrigins(c); err != nil {
			return err
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
		if err := validateTokenSettings(c); err != nil {
			return err
		}
	default:
		return model.Invalid("protocol", "must be oidc or cas")
	}
	if c.Protocol != model.ProtocolOIDC && (len(c.AllowedScopes) > 0 || len(c.Audience) > 0 || c.PolicyDecision) {
		return model.Invalid("allowedScopes", "allowed scopes, audience and policyDecision are settings of OIDC clients")
	}
	if c.LogoutURL != "" {
		// The back-channel / single-logout target receives logout tokens and
		// ticket ids: https like every other URL of the client.
		u, err := clients.ParseURL(c.LogoutURL)
		if err != nil {
			return model.Invalid("logoutUrl", "%v", err)
		}
		if clients.PlainHTTP(u) && !c.Development {
			return model.Invalid("logoutUrl", plainHTTPReason)
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
	cs, err := s.listCASClients(ctx)
	if err != nil {
		return model.Client{}, err
	}
	for _, c := range cs {
		for _, p := range c.ServicePatterns {
			// Registration refuses plain http off loopback for other than
			// development clients; a row written before that rule is not
			// trusted either.
			if clients.MatchService(p, service) && (c.Development || !strings.HasPrefix(p, "http:") || loopbackURL(service)) {
				return c, nil
			}
		}
	}
	return model.Client{}, model.Errorf(model.ENOTFOUND, "service", "service is not registered")
}

// loopbackURL reports whether raw is a URL to a loopback host.
func loopbackURL(raw string) bool {
	u, err := clients.ParseURL(raw)
	return err == nil && clients.IsLoopback(u.Hostname())
}
