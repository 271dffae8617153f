package oidcop_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestDiscoveryAdvertisesWhatIsServed: the discovery document names the
// configured issuer and only the flows Sesame serves (OIDC Discovery §3).
func TestDiscoveryAdvertisesWhatIsServed(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		resp, err := http.Get(f.env.Server.URL + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var d struct {
			Issuer     string   `json:"issuer"`
			Responses  []string `json:"response_types_supported"`
			Grants     []string `json:"grant_types_supported"`
			PKCE       []string `json:"code_challenge_methods_supported"`
			Device     string   `json:"device_authorization_endpoint"`
			Scopes     []string `json:"scopes_supported"`
			Backchan   bool     `json:"backchannel_logout_supported"`
			Introspect string   `json:"introspection_endpoint"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d.Issuer != f.env.Server.URL || !slices.Equal(d.Responses, []string{"code"}) || !slices.Equal(d.PKCE, []string{"S256"}) ||
			!slices.Equal(d.Grants, []string{"authorization_code", "refresh_token", "client_credentials"}) || d.Device != "" ||
			!slices.Contains(d.Scopes, "rights") || !d.Backchan || d.Introspect != f.env.Server.URL+"/oauth2/introspect" {
			t.Errorf("discovery: %+v", d)
		}
		// Implicit flow: refused even if a client asks.
		res := f.authorize(t, f.browser(t), f.env.Server.URL+"/oauth2/authorize?response_type=id_token&client_id="+f.app1.id+
			"&redirect_uri="+f.app1.conf.RedirectURL+"&scope=openid&nonce=n&state=s", "", "")
		frag, _ := url.ParseQuery(res.location.Fragment)
		if res.code != "" || frag.Get("id_token") != "" || (res.err == "" && frag.Get("error") == "") {
			t.Errorf("implicit flow: %+v, fragment %v", res, frag)
		}
	})
}
