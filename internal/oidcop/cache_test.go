package oidcop_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// testClock is the real time plus an offset the test moves forward, so
// cache TTLs pass without sleeping.
type testClock struct{ off atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *testClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// clientTTL is the client cache's TTL (directory/clientcache.go), the
// longest of the caches on the token path.
const clientTTL = 5 * time.Second

// TestClientDeletionAcrossNodes (issue 8 item 20, ARCHITECTURE cache
// table): a deleted client's access tokens stop working on the node that
// deleted it at once — userinfo and introspection by the resource server
// listed in its audience — and on another node within the client cache's
// TTL.
func TestClientDeletionAcrossNodes(t *testing.T) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) {
			clk := &testClock{}
			f := setup(t, b, sesametest.Options{Now: clk.now})
			other := f.env.Node(t, sesametest.Options{Now: clk.now})
			rs := f.newRP(t, "Resource server", "portal", nil)
			app := f.newRP(t, "Doomed app", "portal", map[string]any{"audience": []string{rs.id}})
			tok := f.login(t, f.browser(t), app, "carol", carolPW)
			for name, base := range map[string]string{"this node": f.env.Server.URL, "other node": other.Server.URL} {
				if st := bearerGet(t, base+"/oauth2/userinfo", tok.AccessToken); st != http.StatusOK {
					t.Fatalf("%s: userinfo before deletion: %d", name, st)
				}
			}
			if got := f.introspect(t, rs, tok.AccessToken); got["active"] != true {
				t.Fatalf("introspection by the audience before deletion: %v", got)
			}
			f.env.Admin().Must(http.StatusNoContent, "DELETE", "/api/v1/clients/"+app.id, nil)
			if st := bearerGet(t, f.env.Server.URL+"/oauth2/userinfo", tok.AccessToken); st != http.StatusUnauthorized {
				t.Errorf("this node: userinfo right after deletion: %d, want 401", st)
			}
			if got := f.introspect(t, rs, tok.AccessToken); got["active"] != false {
				t.Errorf("this node: introspection right after deletion: %v", got)
			}
			clk.advance(clientTTL)
			if st := bearerGet(t, other.Server.URL+"/oauth2/userinfo", tok.AccessToken); st != http.StatusUnauthorized {
				t.Errorf("other node: userinfo after the TTL: %d, want 401", st)
			}
		})
	}
}

// userTTL is the user cache's and the verified-token live state's TTL.
const userTTL = time.Second

// TestUserDeactivationAcrossNodes (item 20, ARCHITECTURE cache table): a
// deactivated user's token stops at once on the node that deactivated
// them and on another node within the user cache's TTL.
func TestUserDeactivationAcrossNodes(t *testing.T) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) {
			clk := &testClock{}
			f := setup(t, b, sesametest.Options{Now: clk.now})
			other := f.env.Node(t, sesametest.Options{Now: clk.now})
			tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
			for name, base := range map[string]string{"this node": f.env.Server.URL, "other node": other.Server.URL} {
				if st := bearerGet(t, base+"/oauth2/userinfo", tok.AccessToken); st != http.StatusOK {
					t.Fatalf("%s before: %d", name, st)
				}
			}
			f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
			if st := bearerGet(t, f.env.Server.URL+"/oauth2/userinfo", tok.AccessToken); st != http.StatusUnauthorized {
				t.Errorf("this node right after deactivation: %d, want 401", st)
			}
			clk.advance(userTTL)
			if st := bearerGet(t, other.Server.URL+"/oauth2/userinfo", tok.AccessToken); st != http.StatusUnauthorized {
				t.Errorf("other node after the TTL: %d, want 401", st)
			}
		})
	}
}

// TestDeclaredClientWorksAtOnce (item 20): a client whose id was asked for
// before it existed (ids chosen by `sesame apply`) works at once after it
// is created, on this node and on another: a missing client is never
// cached (the old oidcop client cache kept the not-found answer 5 s).
func TestDeclaredClientWorksAtOnce(t *testing.T) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) {
			f := setup(t, b, sesametest.Options{})
			other := f.env.Node(t, sesametest.Options{})
			nodes := map[string]string{"this node": f.env.Server.URL, "other node": other.Server.URL}
			cc := func(base, secret string) int {
				st, _ := postForm(t, base+"/oauth2/token", map[string][]string{"grant_type": {"client_credentials"}}, "declared-app", secret)
				return st
			}
			for name, base := range nodes {
				if st := cc(base, "not-yet"); st != http.StatusUnauthorized && st != http.StatusBadRequest {
					t.Fatalf("%s: unknown client: %d", name, st)
				}
			}
			_, secret, err := f.env.Svc.CreateClient(f.ctx, directory.System, model.Client{ID: "declared-app", Name: "Declared", Module: "portal",
				Protocol: model.ProtocolOIDC, GrantTypes: []string{"client_credentials"}})
			if err != nil {
				t.Fatal(err)
			}
			for name, base := range nodes {
				if st := cc(base, secret); st != http.StatusOK {
					t.Errorf("%s: new client refused: %d", name, st)
				}
			}
		})
	}
}
