package oidc

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Config is one connection's protocol settings. Exactly one mode:
//
//   - OpenID Connect: Issuer (discovery at Issuer + /.well-known/openid-configuration)
//     or DiscoveryURL (the issuer is then its prefix, OIDC Discovery §4), or both.
//   - Plain OAuth 2.0 (IdPs without ID tokens, GitHub-style): AuthURL, TokenURL
//     and UserinfoURL, no Issuer; the user is whoever userinfo names.
type Config struct {
	Issuer       string
	DiscoveryURL string

	AuthURL     string
	TokenURL    string
	UserinfoURL string
	// UserinfoSubjectClaim is the userinfo claim holding the subject in plain
	// OAuth 2.0 mode (default "sub"; GitHub: "id"). Numbers are accepted.
	UserinfoSubjectClaim string

	ClientID     string
	ClientSecret string
	// TokenAuth is how the client authenticates at the token endpoint:
	// "client_secret_basic" (default) or "client_secret_post".
	TokenAuth string
	// Scopes requested; default openid, profile, email (OIDC mode, where
	// openid is always added).
	Scopes []string

	// SigningAlgs is the explicit allow-list of ID token signature
	// algorithms (default RS256, PS256, ES256). none and HS* are refused:
	// a symmetric algorithm would let anyone holding the IdP's public key
	// sign (the classic RS→HS confusion).
	SigningAlgs []string
	// ClockSkew tolerated on exp, nbf and iat (default 2 minutes, at most 10).
	ClockSkew time.Duration

	// DecryptionKeys are Sesame's RSA keys (≥ 2048 bit) the IdP encrypts ID
	// tokens to; they are published with EncryptionJWKS. A JWE ID token is
	// decrypted first, then its inner JWS verified.
	DecryptionKeys []DecryptionKey
	// RequireEncryption refuses ID tokens that are not encrypted.
	RequireEncryption bool

	// UseUserinfo also asks the userinfo endpoint (OIDC mode); its sub must
	// be the ID token's (OIDC Core §5.3.4). Always on in OAuth 2.0 mode.
	UseUserinfo bool
	// KeepRefreshToken keeps the upstream refresh token in Identity.Data so
	// Refresh can re-ask the IdP for fresh claims (issue 10 item 6).
	KeepRefreshToken bool
	// RPLogout sends the browser to the IdP's end_session_endpoint after
	// Sesame's own logout (OpenID Connect RP-Initiated Logout 1.0).
	RPLogout bool
}

// DecryptionKey is one of Sesame's ID token decryption keys.
type DecryptionKey struct {
	ID  string // kid published in the JWKS and expected in the JWE header
	Key *rsa.PrivateKey
	// Algorithm, when set (RSA-OAEP or RSA-OAEP-256), is published as the
	// key's alg and is the only key algorithm accepted with this key.
	Algorithm string
}

// Allow-lists (issue 10 item 2). Anything else is refused.
var (
	allowedSigningAlgs = []string{
		string(jose.RS256), string(jose.RS384), string(jose.RS512),
		string(jose.PS256), string(jose.PS384), string(jose.PS512),
		string(jose.ES256), string(jose.ES384), string(jose.ES512),
		string(jose.EdDSA),
	}
	defaultSigningAlgs = []string{string(jose.RS256), string(jose.PS256), string(jose.ES256)}
	keyAlgs            = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256}
	contentEncs        = []jose.ContentEncryption{jose.A128GCM, jose.A256GCM, jose.A128CBC_HS256}
)

const (
	wellKnown        = "/.well-known/openid-configuration"
	defaultClockSkew = 2 * time.Minute
	maxClockSkew     = 10 * time.Minute
	minRSABits       = 2048
)

// normalize checks c and fills defaults; errors name the field.
func (c Config) normalize() (Config, error) {
	oauthOnly := c.AuthURL != "" || c.TokenURL != "" || c.UserinfoURL != ""
	oidcMode := c.Issuer != "" || c.DiscoveryURL != ""
	switch {
	case oauthOnly && oidcMode:
		return c, errors.New("set either issuer/discovery URL (OpenID Connect) or authorize/token/userinfo URLs (OAuth 2.0), not both")
	case !oauthOnly && !oidcMode:
		return c, errors.New("issuer or discovery URL required (or authorize, token and userinfo URLs)")
	}
	if c.ClientID == "" {
		return c, errors.New("client id required")
	}
	switch c.TokenAuth {
	case "":
		c.TokenAuth = "client_secret_basic"
	case "client_secret_basic", "client_secret_post":
	default:
		return c, fmt.Errorf("token auth %q: want client_secret_basic or client_secret_post", c.TokenAuth)
	}
	if oidcMode {
		if c.DiscoveryURL != "" && c.Issuer == "" {
			if !strings.HasSuffix(c.DiscoveryURL, wellKnown) {
				return c, fmt.Errorf("discovery URL %q does not end in %s: set the issuer too", c.DiscoveryURL, wellKnown)
			}
			c.Issuer = strings.TrimSuffix(c.DiscoveryURL, wellKnown)
		}
		if c.DiscoveryURL == "" {
			c.DiscoveryURL = strings.TrimSuffix(c.Issuer, "/") + wellKnown
		}
		for name, u := range map[string]string{"issuer": c.Issuer, "discovery URL": c.DiscoveryURL} {
			if err := checkURL(u); err != nil {
				return c, fmt.Errorf("%s: %w", name, err)
			}
		}
		if len(c.Scopes) == 0 {
			c.Scopes = []string{"openid", "profile", "email"}
		} else if !slices.Contains(c.Scopes, "openid") {
			c.Scopes = append([]string{"openid"}, c.Scopes...)
		}
	} else {
		for name, u := range map[string]string{"authorize URL": c.AuthURL, "token URL": c.TokenURL, "userinfo URL": c.UserinfoURL} {
			if u == "" {
				return c, fmt.Errorf("%s required in OAuth 2.0 mode", name)
			}
			if err := checkURL(u); err != nil {
				return c, fmt.Errorf("%s: %w", name, err)
			}
		}
		if c.UserinfoSubjectClaim == "" {
			c.UserinfoSubjectClaim = "sub"
		}
		if len(c.DecryptionKeys) > 0 || c.RequireEncryption || c.RPLogout {
			return c, errors.New("decryption keys and RP logout need OpenID Connect (no ID token in OAuth 2.0 mode)")
		}
		c.UseUserinfo = true
	}
	if len(c.SigningAlgs) == 0 {
		c.SigningAlgs = slices.Clone(defaultSigningAlgs)
	}
	for _, a := range c.SigningAlgs {
		if !slices.Contains(allowedSigningAlgs, a) {
			return c, fmt.Errorf("signing algorithm %q not allowed (allowed: %s)", a, strings.Join(allowedSigningAlgs, ", "))
		}
	}
	switch {
	case c.ClockSkew == 0:
		c.ClockSkew = defaultClockSkew
	case c.ClockSkew < 0 || c.ClockSkew > maxClockSkew:
		return c, fmt.Errorf("clock skew %s outside 0..%s", c.ClockSkew, maxClockSkew)
	}
	for i, k := range c.DecryptionKeys {
		if err := k.check(); err != nil {
			return c, fmt.Errorf("decryption key %d: %w", i, err)
		}
	}
	if c.RequireEncryption && len(c.DecryptionKeys) == 0 {
		return c, errors.New("encryption required but no decryption key")
	}
	return c, nil
}

func (k DecryptionKey) check() error {
	if k.Key == nil {
		return errors.New("no RSA key")
	}
	if k.Key.N.BitLen() < minRSABits {
		return fmt.Errorf("RSA key of %d bits, at least %d required", k.Key.N.BitLen(), minRSABits)
	}
	if k.Algorithm != "" && !slices.Contains(keyAlgs, jose.KeyAlgorithm(k.Algorithm)) {
		return fmt.Errorf("key algorithm %q not allowed (RSA-OAEP, RSA-OAEP-256)", k.Algorithm)
	}
	return nil
}

// checkURL accepts https URLs, and http only towards a loopback host (tests,
// a local IdP); tokens and secrets never travel in clear over a network.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q: want an absolute URL without user info or fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("%q: https required", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
