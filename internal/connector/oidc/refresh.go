package oidc

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/connector"
)

// Refresh re-asks the IdP with the kept upstream refresh token (RFC 6749
// §6) and returns the Identity with fresh claims: from the new ID token
// (verified like at login; sub and any nonce unchanged, OIDC Core §12.2),
// and from userinfo when used. With neither, the claims are those of the
// ID token kept from login. Any failure — refresh token revoked, user
// disabled at the IdP, a token for another subject — is an error, and the
// caller fails its own refresh. The returned Data replaces the old (the IdP
// may rotate its refresh token).
func (c *Connector) Refresh(ctx context.Context, raw []byte) (connector.Identity, error) {
	var d data
	if err := json.Unmarshal(raw, &d); err != nil || d.Subject == "" {
		return connector.Identity{}, connector.Errorf(connector.ReasonRefresh, nil, "no identity data kept")
	}
	if d.RefreshToken == "" {
		return connector.Identity{}, connector.Errorf(connector.ReasonRefresh, nil, "no upstream refresh token kept")
	}
	ep, err := c.endpoints(ctx)
	if err != nil {
		return connector.Identity{}, err
	}
	ts := c.oauth2Config(ep, "").TokenSource(c.clientCtx(ctx), &oauth2.Token{RefreshToken: d.RefreshToken, Expiry: time.Unix(1, 0)})
	tok, err := ts.Token()
	if err != nil {
		return connector.Identity{}, classify(err, connector.ReasonRefresh, "token endpoint (refresh)")
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = d.RefreshToken // RFC 6749 §6: the old one stays valid
	}
	id, err := c.identity(ctx, ep, tok, d.Nonce, d.Subject)
	if err != nil {
		return connector.Identity{}, err
	}
	var nd data
	_ = json.Unmarshal(id.Data, &nd)
	if nd.IDToken == "" && !c.oauthOnly && d.IDToken != "" {
		// No new ID token: keep the login's for logout, and its claims when
		// userinfo did not give fresh ones.
		nd.IDToken = d.IDToken
		if !c.cfg.UseUserinfo {
			if p, err := payloadOf(d.IDToken); err == nil {
				var claims map[string]any
				if json.Unmarshal(p, &claims) == nil {
					id.Claims = claims
					id.Email, _ = claims["email"].(string)
					id.EmailVerified = claims["email_verified"] == true || claims["email_verified"] == "true"
				}
			}
		}
		if id.Data, err = json.Marshal(nd); err != nil {
			return connector.Identity{}, connector.Errorf(connector.ReasonRefresh, err, "encoding identity data")
		}
	}
	return id, nil
}

// Logout implements connector.Logouter: OIDC logout is always a redirect,
// to LogoutURL (none when it is "").
func (c *Connector) Logout(ctx context.Context, raw []byte, returnURL string) (connector.Action, error) {
	u, err := c.LogoutURL(ctx, raw, returnURL)
	return connector.Action{RedirectURL: u}, err
}

// LogoutURL returns the IdP's end_session_endpoint with id_token_hint,
// client_id and post_logout_redirect_uri (OpenID Connect RP-Initiated
// Logout 1.0 §2), or "" when the connection does not use RP logout or the
// IdP offers none. returnURL must be registered at the IdP as a post-logout
// redirect URI.
func (c *Connector) LogoutURL(ctx context.Context, raw []byte, returnURL string) (string, error) {
	if !c.cfg.RPLogout || c.oauthOnly {
		return "", nil
	}
	ep, err := c.endpoints(ctx)
	if err != nil {
		return "", err
	}
	if ep.endSession == "" {
		return "", nil
	}
	var d data
	_ = json.Unmarshal(raw, &d) // without data: no hint, the IdP may ask
	u, err := url.Parse(ep.endSession)
	if err != nil {
		return "", connector.Errorf(connector.ReasonDiscovery, err, "end_session_endpoint")
	}
	q := u.Query()
	if d.IDToken != "" {
		q.Set("id_token_hint", d.IDToken)
	}
	q.Set("client_id", c.cfg.ClientID)
	if returnURL != "" {
		q.Set("post_logout_redirect_uri", returnURL)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
