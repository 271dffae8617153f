package oidcop_test

import (
	"context"
	"net/http"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestPlainHTTPRedirectNeedsDevelopmentFlag (issue 8 item 14): a client row
// stored before registration refused plain-http redirect URIs off
// loopback (written straight to the store here) gets no code sent there —
// op answers 400 as for an unregistered URI; a development client may.
func TestPlainHTTPRedirectNeedsDevelopmentFlag(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		legacy, err := f.env.Store.CreateClient(context.Background(), model.Client{Name: "Legacy", Module: "portal", Protocol: model.ProtocolOIDC,
			Public: true, GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"http://legacy.example.com/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		dev := f.env.Admin().ID("POST", "/api/v1/clients", map[string]any{"name": "Dev", "module": "portal", "protocol": "oidc",
			"public": true, "grantTypes": []string{"authorization_code"}, "redirectUris": []string{"http://dev.example.com/cb"}, "development": true})
		c := f.browser(t)
		for id, want := range map[string]int{legacy.ID: http.StatusBadRequest, dev: 0} {
			conf := oauth2.Config{ClientID: id, Endpoint: f.provider.Endpoint(), RedirectURL: map[string]string{legacy.ID: "http://legacy.example.com/cb", dev: "http://dev.example.com/cb"}[id],
				Scopes: []string{"openid"}}
			res := f.authorize(t, c, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "")
			switch {
			case want != 0 && (res.status != want || res.location != nil):
				t.Errorf("legacy http redirect: status %d, location %v", res.status, res.location)
			case want == 0 && !res.loginPage:
				t.Errorf("development client: no login page: %+v", res)
			}
		}
	})
}
