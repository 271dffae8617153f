package oidcop_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestWrongSecretDoesNotBurnTheCode: a code exchange with a wrong client
// secret is refused (401 invalid_client) before the code is redeemed, so
// the client's retry with the right secret gets its tokens instead of a
// replay alarm that revokes the grant (RFC 6749 §4.1.3). An unknown client
// id does not burn the code either.
func TestWrongSecretDoesNotBurnTheCode(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		verifier := oauth2.GenerateVerifier()
		res := f.authorize(t, f.browser(t), f.app1.conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "carol", carolPW)
		if res.code == "" {
			t.Fatalf("no code: %+v", res)
		}
		exchange := func(id, secret string) (int, string) {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {res.code}, "redirect_uri": {f.app1.conf.RedirectURL},
				"code_verifier": {verifier}}
			req, _ := http.NewRequest("POST", f.env.Server.URL+"/oauth2/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := exchange(f.app1.id, "not-the-secret"); code != 401 || !strings.Contains(body, "invalid_client") {
			t.Fatalf("wrong secret: %d %s", code, body)
		}
		if code, body := exchange("no-such-client", "x"); code != 401 || !strings.Contains(body, "invalid_client") {
			t.Fatalf("unknown client: %d %s", code, body)
		}
		if code, body := exchange(f.app1.id, f.app1.secret); code != 200 || !strings.Contains(body, "access_token") {
			t.Fatalf("the right secret after a wrong one: %d %s", code, body)
		}
	})
}
