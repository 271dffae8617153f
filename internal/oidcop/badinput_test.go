package oidcop_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestOIDCEndpointsRefuseBadInput sends hostile input to every OAuth/OIDC
// endpoint: each answers a 4xx with a reason, never a 5xx or a stack trace.
func TestOIDCEndpointsRefuseBadInput(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		form := "application/x-www-form-urlencoded"
		huge := strings.Repeat("A", 2<<20)
		for _, c := range []struct {
			name, method, path, ctype, body, auth string
		}{
			{"authorize without params", "GET", "/oauth2/authorize", "", "", ""},
			{"authorize unknown client", "GET", "/oauth2/authorize?client_id=nope&redirect_uri=http://x/&response_type=code", "", "", ""},
			{"authorize NUL client", "GET", "/oauth2/authorize?client_id=%00&redirect_uri=%00&response_type=code", "", "", ""},
			{"authorize bad encoding", "GET", "/oauth2/authorize?client_id=%zz", "", "", ""},
			{"authorize huge client id", "GET", "/oauth2/authorize?response_type=code&redirect_uri=http://x/&client_id=" + strings.Repeat("c", 6000), "", "", ""},
			{"login hand-off without id", "GET", "/oauth2/login", "", "", ""},
			{"login hand-off unknown id", "GET", "/oauth2/login?id=does-not-exist", "", "", ""},
			{"login hand-off huge id", "GET", "/oauth2/login?id=" + strings.Repeat("i", 5000), "", "", ""},
			{"token no body", "POST", "/oauth2/token", form, "", ""},
			{"token JSON body", "POST", "/oauth2/token", "application/json", `{"grant_type":"client_credentials"}`, ""},
			{"token huge body", "POST", "/oauth2/token", form, "grant_type=client_credentials&x=" + huge, ""},
			{"token bad basic", "POST", "/oauth2/token", form, "grant_type=client_credentials", "Basic !!!"},
			{"token bad percent", "POST", "/oauth2/token", form, "grant_type=%zz", ""},
			{"introspect no auth", "POST", "/oauth2/introspect", form, "token=x", ""},
			{"introspect bad basic", "POST", "/oauth2/introspect", form, "token=x", "Basic !!!"},
			{"introspect huge", "POST", "/oauth2/introspect", form, "token=" + huge, ""},
			{"revoke no auth", "POST", "/oauth2/revoke", form, "token=x", ""},
			{"revoke no token", "POST", "/oauth2/revoke", form, "", ""},
			{"userinfo no token", "GET", "/oauth2/userinfo", "", "", ""},
			{"userinfo garbage token", "GET", "/oauth2/userinfo", "", "", "Bearer a.b.c"},
			{"userinfo POST huge", "POST", "/oauth2/userinfo", form, "access_token=" + huge, ""},
			{"switch no token", "POST", "/oauth2/switch-context", form, "context_id=x", ""},
			{"switch garbage", "POST", "/oauth2/switch-context", form, "context_id=x", "Bearer x"},
			{"logout bad hint", "GET", "/oauth2/logout?id_token_hint=not.a.jwt", "", "", ""},
			{"logout foreign redirect", "GET", "/oauth2/logout?post_logout_redirect_uri=https://evil.example/", "", "", ""},
			{"discovery POST", "POST", "/.well-known/openid-configuration", form, "", ""},
			{"keys with body", "POST", "/oauth2/keys", form, "x=1", ""},
			{"unknown oauth2 path", "GET", "/oauth2/nope", "", "", ""},
		} {
			req, _ := http.NewRequest(c.method, f.env.Server.URL+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 || strings.Contains(string(b), "goroutine") || strings.Contains(string(b), "panic") {
				t.Errorf("%s: %d %.300s", c.name, resp.StatusCode, b)
			}
			if loc := resp.Header.Get("Location"); strings.Contains(loc, "evil.example") {
				t.Errorf("%s: redirected to %s", c.name, loc)
			}
			if resp.StatusCode < 300 && c.name != "logout bad hint" {
				t.Errorf("%s: accepted with %d: %.200s", c.name, resp.StatusCode, b)
			}
		}
	})
}
