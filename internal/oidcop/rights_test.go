package oidcop_test

import (
	"net/http"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestRightsOnRequest (R-SSO-4): effective rights are not in the tokens;
// with scope "rights" they come from userinfo and introspection, for the
// token's context and module, and /api/v1/me/rights answers for the
// bearer's context and module.
func TestRightsOnRequest(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		g := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": f.acct, "name": "Operators", "values": []map[string]string{
			{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "true"}}})
		ad.Must(http.StatusNoContent, "POST", "/api/v1/groups/"+g+"/members", map[string]string{"userId": f.carol})

		plain := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		if _, ok := f.introspect(t, f.app1, plain.AccessToken)["rights"]; ok {
			t.Fatal("rights released without scope rights")
		}
		app := &rp{srv: f.app1.srv, id: f.app1.id, secret: f.app1.secret, conf: f.app1.conf, verifier: f.app1.verifier}
		app.conf.Scopes = append(append([]string{}, app.conf.Scopes...), "rights")
		tok := f.login(t, f.browser(t), app, "carol", carolPW)
		for name, m := range map[string]map[string]any{"introspection": f.introspect(t, f.app1, tok.AccessToken), "userinfo": userinfo(t, f, tok)} {
			rights, _ := m["rights"].(map[string]any)
			if rights["SIM - Price Plan Modify"] != "true" || m["context_id"] != f.acct || m["module"] != "portal" {
				t.Errorf("%s: %v", name, m)
			}
		}
		req, _ := http.NewRequest("GET", f.env.Server.URL+"/api/v1/me/rights", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		st, res := doJSON(t, req)
		if st != http.StatusOK || res["contextId"] != f.acct || res["module"] != "portal" {
			t.Fatalf("/me/rights: %d %v", st, res)
		}
		found := false
		for _, r := range res["rights"].([]any) {
			r := r.(map[string]any)
			if r["name"] == "SIM - Price Plan Modify" && r["value"] == "true" {
				found = true
			}
		}
		if !found {
			t.Errorf("/me/rights lacks the group's right: %v", res)
		}
	})
}

func userinfo(t *testing.T, f *fixture, tok *oauth2.Token) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", f.env.Server.URL+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	st, m := doJSON(t, req)
	if st != http.StatusOK {
		t.Fatalf("userinfo: %d %v", st, m)
	}
	return m
}
