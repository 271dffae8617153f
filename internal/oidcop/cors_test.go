package oidcop_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestCORSOnlyForRegisteredOrigins (issue 8 item 11): op used to reflect
// any Origin with credentials on every /oauth2/* endpoint. Now only a
// public client's registered web origins get Access-Control-Allow-Origin,
// only on token, revoke, userinfo and keys, never with credentials; an
// unregistered origin's preflight gets none, and its actual request is
// refused before op runs (a code is not redeemed for it).
func TestCORSOnlyForRegisteredOrigins(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		const spaOrigin, evil = "https://spa.example.com", "https://evil.example.com"
		spa := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "SPA", "module": "portal", "protocol": "oidc",
			"public": true, "grantTypes": []string{"authorization_code"}, "redirectUris": []string{spaOrigin + "/cb"},
			"webOrigins": []string{spaOrigin}}).Map(t)["id"].(string)
		// A user token of a confidential client.
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		base := f.env.Server.URL
		type call struct {
			name, method, path, origin, body, auth string
			allow                                  bool
			status                                 int // 0: any
		}
		form := func(v url.Values) string { return v.Encode() }
		for _, c := range []call{
			{"preflight token, registered", "OPTIONS", "/oauth2/token", spaOrigin, "", "", true, http.StatusNoContent},
			{"preflight token, unregistered", "OPTIONS", "/oauth2/token", evil, "", "", false, 0},
			{"preflight userinfo, unregistered", "OPTIONS", "/oauth2/userinfo", evil, "", "", false, 0},
			{"preflight keys, registered", "OPTIONS", "/oauth2/keys", spaOrigin, "", "", true, http.StatusNoContent},
			{"preflight null origin", "OPTIONS", "/oauth2/token", "null", "", "", false, 0},
			{"preflight introspect", "OPTIONS", "/oauth2/introspect", spaOrigin, "", "", false, 0},
			{"preflight authorize", "OPTIONS", "/oauth2/authorize", evil, "", "", false, 0},
			{"token, registered origin of the client", "POST", "/oauth2/token", spaOrigin,
				form(url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "client_id": {spa}, "redirect_uri": {spaOrigin + "/cb"}, "code_verifier": {strings.Repeat("v", 43)}}), "", true, http.StatusBadRequest},
			{"token, unregistered origin", "POST", "/oauth2/token", evil,
				form(url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "client_id": {spa}}), "", false, http.StatusForbidden},
			{"token, origin of another client", "POST", "/oauth2/token", spaOrigin,
				form(url.Values{"grant_type": {"client_credentials"}}), f.app1.id + ":" + f.app1.secret, false, http.StatusForbidden},
			{"revoke, unregistered origin", "POST", "/oauth2/revoke", evil, form(url.Values{"token": {"x"}, "client_id": {spa}}), "", false, http.StatusForbidden},
			{"keys, registered", "GET", "/oauth2/keys", spaOrigin, "", "", true, http.StatusOK},
			{"keys, unregistered", "GET", "/oauth2/keys", evil, "", "", false, http.StatusForbidden},
			{"userinfo, token of a client without origins", "GET", "/oauth2/userinfo", spaOrigin, "", "Bearer " + tok.AccessToken, false, http.StatusForbidden},
			{"userinfo, unregistered", "GET", "/oauth2/userinfo", evil, "", "Bearer " + tok.AccessToken, false, http.StatusForbidden},
			{"introspect", "POST", "/oauth2/introspect", spaOrigin, form(url.Values{"token": {"x"}}), f.app1.id + ":" + f.app1.secret, false, 0},
			{"discovery", "GET", "/.well-known/openid-configuration", evil, "", "", false, 0},
		} {
			req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
			req.Header.Set("Origin", c.origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if c.method == "OPTIONS" {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization")
			}
			if c.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			switch {
			case strings.HasPrefix(c.auth, "Bearer "):
				req.Header.Set("Authorization", c.auth)
			case c.auth != "":
				id, secret, _ := strings.Cut(c.auth, ":")
				req.SetBasicAuth(id, secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if c.allow && acao != c.origin || !c.allow && acao != "" {
				t.Errorf("%s: Access-Control-Allow-Origin %q", c.name, acao)
			}
			if cred := resp.Header.Get("Access-Control-Allow-Credentials"); cred != "" {
				t.Errorf("%s: Access-Control-Allow-Credentials %q", c.name, cred)
			}
			if c.status != 0 && resp.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
			}
		}
	})
}
