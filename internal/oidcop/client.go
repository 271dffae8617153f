package oidcop

import (
	"context"
	"crypto/subtle"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
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
func (c *client) RedirectURIs() []string { return c.m.RedirectURIs }

// PostLogoutRedirectURIs: the registered redirect URIs, exactly.
func (c *client) PostLogoutRedirectURIs() []string { return c.m.RedirectURIs }

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

// IsScopeAllowed: only the scopes Sesame knows.
func (c *client) IsScopeAllowed(scope string) bool { return slices.Contains(supportedScopes, scope) }

// IDTokenUserinfoClaimsAssertion puts profile and email claims in the ID
// token too, so apps need not call userinfo.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }

// clientCache keeps clients for a few seconds so the token path costs no
// query per call; a changed or deleted client takes effect within ttl.
type clientCache struct {
	store storage.Storage
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]cachedClient
}

type cachedClient struct {
	c   model.Client
	err error
	at  time.Time
}

func (cc *clientCache) get(ctx context.Context, id string) (model.Client, error) {
	// PostgreSQL refuses NUL and invalid UTF-8 outright: such an id is
	// unknown, not a store failure (which would answer 503).
	if len(id) > 100 || !storable(id) {
		return model.Client{}, model.ErrNotFound
	}
	now := cc.now()
	cc.mu.Lock()
	e, ok := cc.m[id]
	cc.mu.Unlock()
	if ok && now.Sub(e.at) < cc.ttl {
		return e.c, e.err
	}
	c, err := cc.store.GetClient(ctx, id)
	if err == nil && c.Protocol != model.ProtocolOIDC {
		err = model.ErrNotFound
	}
	if err != nil && model.ErrorCode(err) != model.ENOTFOUND {
		return c, err // a store failure is not cached
	}
	cc.mu.Lock()
	if cc.m == nil || len(cc.m) > 10000 {
		cc.m = map[string]cachedClient{}
	}
	cc.m[id] = cachedClient{c: c, err: err, at: now}
	cc.mu.Unlock()
	return c, err
}

// checkSecret compares the presented secret's hash in constant time.
func checkSecret(c model.Client, secret string) bool {
	if c.Public || c.SecretHash == "" || secret == "" || len(secret) > 512 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(directory.SecretHash(secret)), []byte(c.SecretHash)) == 1
}
