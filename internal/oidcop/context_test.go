package oidcop_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestContextSwitch (R-SSO-5, R-PRT-1): a partner assigned to an account
// starts a login in a customer context below it with the authorize
// parameter; a token holder switches with /oauth2/switch-context; a
// context outside their reach is refused both ways.
func TestContextSwitch(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		cust := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "customer", "name": "Globex", "number": "C-7", "parentId": f.acct})
		other := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Initech", "parentId": f.env.RootID})
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW, oauth2.SetAuthURLParam("context", cust))
		if r := f.introspect(t, f.app1, tok.AccessToken); r["context_id"] != cust {
			t.Fatalf("login with context: %v", r)
		}
		res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("context", other)), "", "")
		if res.code != "" || res.err != "access_denied" {
			t.Fatalf("login into a foreign context: %+v", res)
		}
		// Token holder: switch back to the account, then try the foreign one.
		sw := func(ctxID string) (int, map[string]any) {
			req, _ := http.NewRequest("POST", f.env.Server.URL+"/oauth2/switch-context", nil)
			req.URL.RawQuery = ""
			req.Body = http.NoBody
			form := url.Values{"context_id": {ctxID}}
			req, _ = http.NewRequest("POST", f.env.Server.URL+"/oauth2/switch-context", stringsReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			return doJSON(t, req)
		}
		st, body := sw(f.acct)
		if st != http.StatusOK || body["context_id"] != f.acct {
			t.Fatalf("switch: %d %v", st, body)
		}
		if r := f.introspect(t, f.app1, body["access_token"].(string)); r["active"] != true || r["context_id"] != f.acct || r["sub"] != f.carol {
			t.Fatalf("switched token: %v", r)
		}
		if st, body := sw(other); st != http.StatusForbidden || body["error"] != "access_denied" {
			t.Fatalf("switch to a foreign context: %d %v", st, body)
		}
	})
}
