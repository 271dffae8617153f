package oidcop_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

func bearerDo(t *testing.T, method, u, token, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	st, _ := doJSON(t, req)
	return st
}

// TestAdminAPINeedsAdminTokens (issue 8 item 2, RFC 9068 §4, RFC 9700
// §2.3): the root admin's access token from an ordinary app opens the
// user's own view but not the admin API (no root user can be created with
// it); only a confidential client registered for sesame:admin gets a
// token with that scope and the admin audience, and loses the admin API
// at once when the registration is withdrawn. A public client cannot be
// registered for it, and a client not registered for it cannot ask.
func TestAdminAPINeedsAdminTokens(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		newRoot := `{"loginName":"mallory","domain":"CSP","contexts":["` + f.env.RootID + `"],"status":"active","password":"mossy-anvil-echo-1"}`
		// An ordinary portal receives the admin's token…
		portalTok := f.login(t, f.browser(t), f.app1, "admin", sesametest.AdminPassword)
		if st := bearerDo(t, "POST", base+"/api/v1/users", portalTok.AccessToken, newRoot); st != http.StatusForbidden {
			t.Errorf("ordinary token creates a root user: %d", st)
		}
		for _, path := range []string{"/api/v1/users", "/api/v1/clients", "/api/v1/me/api-keys", "/api/v1/audit"} {
			if st := bearerGet(t, base+path, portalTok.AccessToken); st != http.StatusForbidden {
				t.Errorf("ordinary token on %s: %d", path, st)
			}
		}
		if st := bearerDo(t, "POST", base+"/api/v1/me/api-keys", portalTok.AccessToken, `{"name":"stolen"}`); st != http.StatusForbidden {
			t.Errorf("ordinary token mints an API key: %d", st)
		}
		// …which still serves the user's own view.
		for _, path := range []string{"/api/v1/me", "/api/v1/me/rights", "/api/v1/me/contexts", "/oauth2/userinfo"} {
			if st := bearerGet(t, base+path, portalTok.AccessToken); st != http.StatusOK {
				t.Errorf("ordinary token on %s: %d", path, st)
			}
		}
		// Asking for sesame:admin without the registration: the scope is dropped.
		asked := &rp{srv: f.app1.srv, id: f.app1.id, secret: f.app1.secret, conf: f.app1.conf}
		asked.conf.Scopes = []string{"openid", "sesame:admin"}
		tok := f.login(t, f.browser(t), asked, "admin", sesametest.AdminPassword)
		if st := bearerGet(t, base+"/api/v1/users", tok.AccessToken); st != http.StatusForbidden {
			t.Errorf("unregistered client asking for sesame:admin: %d", st)
		}
		// A public client cannot be registered for it.
		r := f.env.Admin().Do("POST", "/api/v1/clients", map[string]any{"name": "SPA", "module": "portal", "protocol": "oidc", "public": true,
			"redirectUris": []string{"http://127.0.0.1:9/cb"}, "grantTypes": []string{"authorization_code"}, "allowedScopes": []string{"sesame:admin"}})
		if r.Status != http.StatusBadRequest || r.Map(t)["field"] != "allowedScopes" {
			t.Errorf("public client with sesame:admin: %d %s", r.Status, r.Body)
		}
		// The console is registered for it.
		console := f.newRP(t, "Console", "portal", map[string]any{"allowedScopes": []string{"sesame:admin"}})
		console.conf.Scopes = []string{"openid", "sesame:admin", "offline_access"}
		adminTok := f.login(t, f.browser(t), console, "admin", sesametest.AdminPassword)
		in := f.introspect(t, console, adminTok.AccessToken)
		if aud, _ := in["aud"].([]any); !slices.Contains(aud, any(base+"/api/v1")) || !strings.Contains(in["scope"].(string), "sesame:admin") {
			t.Errorf("admin token: aud %v scope %v", in["aud"], in["scope"])
		}
		if st := bearerGet(t, base+"/api/v1/users", adminTok.AccessToken); st != http.StatusOK {
			t.Errorf("admin token on /api/v1/users: %d", st)
		}
		refreshed, err := console.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: adminTok.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		if st := bearerGet(t, base+"/api/v1/users", refreshed.AccessToken); st != http.StatusOK {
			t.Errorf("refreshed admin token: %d", st)
		}
		// Withdrawn: the same tokens stop at once.
		f.env.Admin().Must(http.StatusOK, "PATCH", "/api/v1/clients/"+console.id, map[string]any{"allowedScopes": []string{}})
		for _, tk := range []string{adminTok.AccessToken, refreshed.AccessToken} {
			if st := bearerDo(t, "POST", base+"/api/v1/users", tk, newRoot); st != http.StatusForbidden {
				t.Errorf("admin token after the scope was withdrawn: %d", st)
			}
		}
		// A client credentials token has no user: not for /me nor userinfo.
		cc := f.ccToken(t, f.app2)
		for _, path := range []string{"/api/v1/me", "/oauth2/userinfo"} {
			if st := bearerGet(t, base+path, cc); st != http.StatusForbidden {
				t.Errorf("client token on %s: %d", path, st)
			}
		}
	})
}

// TestIntrospectionOnlyForAudience (issue 8 item 2, RFC 7662 §4): a client
// learns about a token only when it was issued to it or names it in aud
// while the token's client still lists it; any other client gets
// active:false.
func TestIntrospectionOnlyForAudience(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		rs := f.newRP(t, "Resource server", "rm", nil)
		app := f.newRP(t, "App", "portal", map[string]any{"audience": []string{rs.id}})
		tok := f.login(t, f.browser(t), app, "carol", carolPW)
		for name, c := range map[string]*rp{"own client": app, "listed resource server": rs} {
			if got := f.introspect(t, c, tok.AccessToken); got["active"] != true {
				t.Errorf("%s: %v", name, got)
			}
		}
		if got := f.introspect(t, f.app2, tok.AccessToken); len(got) != 1 || got["active"] != false {
			t.Errorf("unrelated client learns about the token: %v", got)
		}
		f.env.Admin().Must(http.StatusOK, "PATCH", "/api/v1/clients/"+app.id, map[string]any{"audience": []string{}})
		if got := f.introspect(t, rs, tok.AccessToken); got["active"] != false {
			t.Errorf("resource server after it was removed from the audience: %v", got)
		}
		if got := f.introspect(t, app, tok.AccessToken); got["active"] != true {
			t.Errorf("own client: %v", got)
		}
	})
}

// ccToken gets app a client credentials token.
func (f *fixture) ccToken(t *testing.T, app *rp) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: app.id, ClientSecret: app.secret, TokenURL: f.provider.Endpoint().TokenURL}
	tok, err := cc.Token(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}
