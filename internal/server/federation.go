package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/oidc"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/model"
)

// Federation configures delegated login (issue 10): how Sesame talks to
// customers' IdPs.
type Federation struct {
	// HTTPClient makes every back-channel request to IdPs; nil: one built
	// with oidc.NewHTTPClient from Limits.
	HTTPClient *http.Client
	// Limits bound the default client (federation.httpTimeout,
	// federation.maxAnswerBytes, federation.denyPrivateNetworks).
	Limits oidc.Limits
	// AllowPrivateNetworks turns off the default client's refusal of
	// loopback, private and link-local addresses (SSRF towards internal
	// services, cloud metadata): connections are configured by tenant
	// administrators, so the refusal is on unless this is set.
	AllowPrivateNetworks bool
	// KeyRefetchInterval is the least time between two JWKS fetches caused
	// by unknown key ids (federation.jwksRefetchInterval; default 30 s).
	KeyRefetchInterval time.Duration
	// DecryptionKeys are Sesame's ID token decryption keys, published at
	// /federation/jwks.json for IdPs that encrypt ID tokens.
	DecryptionKeys []oidc.DecryptionKey
	// CallbackTimeout bounds one IdP callback (default 20 s).
	CallbackTimeout time.Duration
	// MetadataRefresh is how often SAML connections given by metadata URL
	// fetch their IdP metadata again (certificate rollover; default 6 h,
	// negative: never).
	MetadataRefresh time.Duration
}

// DefaultMetadataRefresh is Federation.MetadataRefresh's default.
const DefaultMetadataRefresh = 6 * time.Hour

// client is the shared back-channel client.
func (f Federation) client() *http.Client {
	if f.HTTPClient != nil {
		return f.HTTPClient
	}
	l := f.Limits
	l.DenyPrivateNetworks = !f.AllowPrivateNetworks
	return oidc.NewHTTPClient(l)
}

const wellKnown = "/.well-known/openid-configuration"

// OIDCConfig maps a stored connection to its connector's settings.
func OIDCConfig(c model.Connection, secret string, keys []oidc.DecryptionKey) (oidc.Config, error) {
	o := c.OIDC
	cfg := oidc.Config{ClientID: o.ClientID, ClientSecret: secret, Scopes: o.Scopes, UseUserinfo: o.UseUserinfo,
		KeepRefreshToken: o.RefreshRoles, RPLogout: o.UpstreamLogout, DecryptionKeys: keys}
	switch c.Kind {
	case model.ConnectionOIDC:
		if o.DiscoveryURL == "" {
			// The connector discovers its endpoints; explicit OIDC
			// endpoints (with jwksUrl) are not supported by it yet.
			return cfg, connector.Errorf(connector.ReasonConfig, nil, "give the connection a discovery URL (explicit OIDC endpoints are not supported yet)")
		}
		cfg.Issuer = o.Issuer
		switch {
		case strings.HasSuffix(o.DiscoveryURL, wellKnown):
			cfg.DiscoveryURL = o.DiscoveryURL
		case cfg.Issuer == "":
			cfg.Issuer = strings.TrimRight(o.DiscoveryURL, "/")
		default:
			cfg.DiscoveryURL = strings.TrimRight(o.DiscoveryURL, "/") + wellKnown
		}
	case model.ConnectionOAuth2:
		cfg.AuthURL, cfg.TokenURL, cfg.UserinfoURL = o.AuthorizeURL, o.TokenURL, o.UserinfoURL
		if sub := federation.Effective(c.Mapping).Subject; sub != "" && !strings.Contains(sub, ".") {
			cfg.UserinfoSubjectClaim = sub
		}
		cfg.DecryptionKeys = nil
	default:
		return cfg, connector.Errorf(connector.ReasonConfig, nil, "kind "+c.Kind+" has no connector")
	}
	return cfg, nil
}

// openConnector opens connectors for the federation registry.
func openConnector(f Federation, keys *decryptionKeys, client *http.Client, log *slog.Logger, now func() time.Time,
	samlOpen func(context.Context, model.Connection) (connector.Connector, error)) federation.Opener[connector.Connector] {
	return func(ctx context.Context, c model.Connection, secret string) (connector.Connector, error) {
		if c.Kind == model.ConnectionSAML {
			return samlOpen(ctx, c)
		}
		var dk []oidc.DecryptionKey
		if c.Kind == model.ConnectionOIDC {
			var err error
			if dk, err = keys.get(ctx); err != nil {
				return nil, err
			}
		}
		cfg, err := OIDCConfig(c, secret, dk)
		if err != nil {
			return nil, err
		}
		return oidc.New(cfg, oidc.Options{HTTPClient: client, KeyRefetchInterval: f.KeyRefetchInterval, Now: now,
			Logger: log.With("connection", c.ID)})
	}
}

// federationJWKS serves Sesame's ID token encryption keys (public halves,
// use "enc") for IdPs that encrypt ID tokens (OIDC Core §10.2).
func federationJWKS(keys *decryptionKeys, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		dk, err := keys.get(r.Context())
		if err != nil {
			log.ErrorContext(r.Context(), "federation encryption keys", "err", err)
			w.Header().Set("Retry-After", "5")
			http.Error(w, "the key is not available, try again", http.StatusServiceUnavailable)
			return
		}
		body, err := oidc.EncryptionJWKS(dk)
		if err != nil {
			log.ErrorContext(r.Context(), "federation encryption keys", "err", err)
			http.Error(w, "the key is not available", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(body)
	}
}
