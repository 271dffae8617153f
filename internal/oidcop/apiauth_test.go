package oidcop_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestAPIAuthorizeWithTokens (R-SSO-6, R-ACL-3): a portal authenticated by
// its own client credentials token asks POST /api/v1/authorize about an
// API caller holding a user access token from the authorization code
// flow; the answer follows the user's API IP Allow, and a revoked or
// forged token is denied.
func TestAPIAuthorizeWithTokens(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		g := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": f.acct, "name": "API users", "values": []map[string]string{
			{"module": "portal", "acl": "API IP Allow", "value": "10.0.0.0/8, 2001:db8::/32"}}})
		ad.Must(http.StatusNoContent, "POST", "/api/v1/groups/"+g+"/members", map[string]string{"userId": f.carol})
		user := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		pdp := f.newRP(t, "Portal PDP", "portal", map[string]any{"policyDecision": true})
		cc := clientcredentials.Config{ClientID: pdp.id, ClientSecret: pdp.secret, TokenURL: f.provider.Endpoint().TokenURL}
		portal, err := cc.Token(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ask := func(bearer, ip string) (int, map[string]any) {
			b, _ := json.Marshal(map[string]any{"credentials": map[string]string{"bearer": bearer}, "ip": ip, "module": "portal"})
			req, _ := http.NewRequest("POST", f.env.Server.URL+"/api/v1/authorize", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+portal.AccessToken)
			return doJSON(t, req)
		}
		for ip, want := range map[string]bool{"10.1.2.3": true, "2001:db8::7": true, "192.0.2.1": false, "2001:db9::1": false} {
			st, d := ask(user.AccessToken, ip)
			if st != http.StatusOK || d["allow"] != want {
				t.Errorf("ip %s: %d %v", ip, st, d)
			}
			if want && (d["contextId"] != f.acct || d["user"].(map[string]any)["id"] != f.carol) {
				t.Errorf("decision: %v", d)
			}
		}
		// The portal's client token opens nothing else of the API.
		for _, path := range []string{"/api/v1/users", "/api/v1/me", "/api/v1/contexts"} {
			if st := bearerGet(t, f.env.Server.URL+path, portal.AccessToken); st != http.StatusForbidden {
				t.Errorf("client token on %s: %d", path, st)
			}
		}
		status, _ := postForm(t, f.env.Server.URL+"/oauth2/revoke", map[string][]string{"token": {user.AccessToken}}, f.app1.id, f.app1.secret)
		if status != http.StatusOK {
			t.Fatalf("revoke: %d", status)
		}
		if st, d := ask(user.AccessToken, "10.1.2.3"); st != http.StatusOK || d["allow"] != false {
			t.Errorf("revoked token: %d %v", st, d)
		}
		if st, d := ask(user.AccessToken[:len(user.AccessToken)-4]+"AAAA", "10.1.2.3"); st != http.StatusOK || d["allow"] != false {
			t.Errorf("tampered token: %d %v", st, d)
		}
	})
}
