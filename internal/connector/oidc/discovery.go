package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"

	"github.com/sesame-sso/sesame/internal/connector"
)

// endpoints of the upstream: from discovery (OIDC mode) or the config
// (OAuth 2.0 mode).
type endpoints struct {
	issuer, auth, token, userinfo, jwks, endSession string
	// issParam: the IdP sends RFC 9207's iss parameter, so its absence is
	// refused (RFC 9207 §2.4).
	issParam bool
}

// discoveryDoc is the part of OpenID Connect Discovery 1.0 §3 (and RFC 9207
// §3) this connector uses.
type discoveryDoc struct {
	Issuer     string `json:"issuer"`
	Auth       string `json:"authorization_endpoint"`
	Token      string `json:"token_endpoint"`
	Userinfo   string `json:"userinfo_endpoint"`
	JWKS       string `json:"jwks_uri"`
	EndSession string `json:"end_session_endpoint"`
	ISSParam   bool   `json:"authorization_response_iss_parameter_supported"`
}

// endpoints returns the cached endpoints, discovering them on first use
// (connections are opened without network; a failed discovery is retried
// by the next call).
func (c *Connector) endpoints(ctx context.Context) (*endpoints, error) {
	if ep := c.ep.Load(); ep != nil {
		return ep, nil
	}
	c.discMu.Lock()
	defer c.discMu.Unlock()
	if ep := c.ep.Load(); ep != nil {
		return ep, nil
	}
	var d discoveryDoc
	if err := getJSON(ctx, c.client, c.cfg.DiscoveryURL, "", &d); err != nil {
		return nil, classify(err, connector.ReasonDiscovery, "discovery")
	}
	// OIDC Discovery §4.3: the issuer in the document is exactly the one
	// the connection names, or the document is refused (mix-up).
	if d.Issuer != c.cfg.Issuer {
		return nil, connector.Errorf(connector.ReasonDiscovery, nil, fmt.Sprintf("document names issuer %q, connection expects %q", clip(d.Issuer), c.cfg.Issuer))
	}
	for name, u := range map[string]string{"authorization_endpoint": d.Auth, "token_endpoint": d.Token, "jwks_uri": d.JWKS} {
		if u == "" {
			return nil, connector.Errorf(connector.ReasonDiscovery, nil, name+" missing")
		}
	}
	for name, u := range map[string]string{"authorization_endpoint": d.Auth, "token_endpoint": d.Token, "jwks_uri": d.JWKS, "userinfo_endpoint": d.Userinfo, "end_session_endpoint": d.EndSession} {
		if u == "" {
			continue
		}
		if err := checkURL(u); err != nil {
			return nil, connector.Errorf(connector.ReasonDiscovery, err, name)
		}
	}
	if c.cfg.UseUserinfo && d.Userinfo == "" {
		return nil, connector.Errorf(connector.ReasonConfig, nil, "userinfo wanted but the IdP has no userinfo_endpoint")
	}
	ep := &endpoints{issuer: d.Issuer, auth: d.Auth, token: d.Token, userinfo: d.Userinfo, jwks: d.JWKS, endSession: d.EndSession, issParam: d.ISSParam}
	c.keys.url = ep.jwks
	c.ep.Store(ep)
	c.log.DebugContext(ctx, "oidc: discovered", "issuer", ep.issuer, "iss_parameter", ep.issParam, "end_session", ep.endSession != "")
	return ep, nil
}

// getJSON GETs u with the bounded client and decodes a 200 JSON answer.
// bearer, when set, is sent as an access token (RFC 6750 §2.1).
func getJSON(ctx context.Context, client *http.Client, u, bearer string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{code: resp.StatusCode}
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "application/json" && !(len(ct) > 5 && ct[len(ct)-5:] == "+json") {
		return fmt.Errorf("answer is %q, not JSON", clip(ct))
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("answer is not valid JSON: %w", err)
	}
	return nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("answered HTTP %d", e.code) }
