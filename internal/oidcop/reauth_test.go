package oidcop_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// loginPageFor follows authURL in c and returns the login page's return
// URL (the /oauth2/login hand-off of the stored request); it fails when no
// login page shows.
func (f *fixture) loginPageFor(t *testing.T, c *http.Client, authURL string) string {
	t.Helper()
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `name="password"`) {
		t.Fatalf("no login page for %s: %d at %s", authURL, resp.StatusCode, resp.Request.URL)
	}
	return resp.Request.URL.Query().Get("return")
}

// plainLogin signs in on /login itself, not for any app's request.
func (f *fixture) plainLogin(t *testing.T, c *http.Client) {
	t.Helper()
	resp, err := c.Get(f.env.Server.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.PostForm(f.env.Server.URL+"/login", url.Values{"username": {"carol"}, "password": {carolPW}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "carol") || strings.Contains(string(b), `name="password"`) {
		t.Fatalf("plain login failed: %d %s", resp.StatusCode, b)
	}
}

// TestForcedReauthentication: prompt=login and max_age (OIDC Core
// §3.1.2.1) are answered only by a session whose login was started for
// that very authorization request (issue 9 §1) — a login seconds ago, or
// one made on the side while the request waited, does not count; the ID
// token's amr and auth_time say what happened (checked with go-oidc).
func TestForcedReauthentication(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		first := f.login(t, c, f.app1, "carol", carolPW)
		_, claims := f.idToken(t, f.app1, first)
		if fmt.Sprint(claims["amr"]) != "[pwd]" {
			t.Errorf("amr after a password login: %v, want [pwd]", claims["amr"])
		}
		firstAuth, _ := claims["auth_time"].(float64)

		// A live session does not answer prompt=login or max_age=0.
		for _, opt := range []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0")} {
			ret := f.loginPageFor(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), opt))
			if !strings.HasPrefix(ret, "/oauth2/login?") {
				t.Fatalf("login page returns to %q", ret)
			}
			// A login made on the side (plain /login) while the request
			// waits is fresh, but not this request's: still a prompt.
			f.plainLogin(t, c)
			resp, err := c.Get(f.env.Server.URL + ret)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), `name="password"`) {
				t.Errorf("a side login answered a forced re-authentication: %d at %s", resp.StatusCode, resp.Request.URL)
			}
		}

		// The real thing: the login started for the request answers it,
		// once; the new ID token says so.
		time.Sleep(1100 * time.Millisecond) // auth_time has second resolution
		tok := f.login(t, c, f.app1, "carol", carolPW, oauth2.SetAuthURLParam("prompt", "login"))
		_, claims = f.idToken(t, f.app1, tok)
		if at, _ := claims["auth_time"].(float64); at <= firstAuth {
			t.Errorf("auth_time %v not after the first login's %v", at, firstAuth)
		}
		if fmt.Sprint(claims["amr"]) != "[pwd]" {
			t.Errorf("amr: %v", claims["amr"])
		}
		// Without prompt=login the same session answers at once (SSO).
		res := f.authorize(t, c, f.app2.conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "")
		if res.code == "" {
			t.Errorf("SSO after the forced login: %+v", res)
		}
	})
}
