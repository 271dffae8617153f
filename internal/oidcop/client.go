package oidcop

import (
	"context"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/clients"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// client adapts a registered OIDC client (R-SSO-3) to op.Client.
type client struct {
	m        model.Client
	idTTL    time.Duration
	loginURL string
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string { return c.m.ID }

// RedirectURIs are matched exactly by op (RFC 6749 §3.1.2.3, no globs).
// Plain-http URIs to other than loopback hosts count only for development
// clients (registration refuses them otherwise; older rows are filtered).
func (c *client) RedirectURIs() []string {
	if c.m.Development {
		return c.m.RedirectURIs
	}
	out := make([]string, 0, len(c.m.RedirectURIs))
	for _, raw := range c.m.RedirectURIs {
		if u, err := clients.ParseURL(raw); err == nil && !clients.PlainHTTP(u) {
			out = append(out, raw)
		}
	}
	return out
}

// PostLogoutRedirectURIs: the registered redirect URIs, exactly.
func (c *client) PostLogoutRedirectURIs() []string { return c.RedirectURIs() }

func (c *client) ApplicationType() op.ApplicationType {
	if c.m.Public {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.m.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, 0, len(c.m.GrantTypes))
	for _, g := range c.m.GrantTypes {
		out = append(out, oidc.GrantType(g))
	}
	return out
}

func (c *client) LoginURL(id string) string { return c.loginURL + "?id=" + id }

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration      { return c.idTTL }

// DevMode lets registered http redirect URIs through: which URIs a client
// may use is the administrator's registration, matched exactly.
func (c *client) DevMode() bool { return true }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed: the scopes Sesame serves to everyone, and those the
// client's registration allows (AllowedScopes, e.g. sesame:admin); op
// drops any other requested scope (RFC 6749 §3.3).
func (c *client) IsScopeAllowed(scope string) bool { return scopeAllowed(c.m, scope) }

func scopeAllowed(c model.Client, scope string) bool {
	if scope == model.ScopeAdmin && c.Public {
		return false // never, whatever the registration says (RFC 9700 §2.3)
	}
	return slices.Contains(supportedScopes, scope) || slices.Contains(c.AllowedScopes, scope)
}

// IDTokenUserinfoClaimsAssertion puts profile and email claims in the ID
// token too, so apps need not call userinfo.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }

// oidcClient returns a registered OIDC client through the directory's
// client cache (the one client cache of the node: this node's changes take
// effect at once, another node's within its TTL; a missing client is never
// cached). A CAS client is not an OIDC client.
func (p *Provider) oidcClient(ctx context.Context, id string) (model.Client, error) {
	// PostgreSQL refuses NUL and invalid UTF-8 outright: such an id is
	// unknown, not a store failure (which would answer 503).
	if len(id) > 100 || !storable(id) {
		return model.Client{}, model.ErrNotFound
	}
	c, err := p.svc.Client(ctx, id)
	if err == nil && c.Protocol != model.ProtocolOIDC {
		return model.Client{}, model.ErrNotFound
	}
	return c, err
}

// checkSecret compares the presented secret's hash in constant time.
func checkSecret(c model.Client, secret string) bool {
	if c.Public || c.SecretHash == "" || secret == "" || len(secret) > 512 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(directory.SecretHash(secret)), []byte(c.SecretHash)) == 1
}
