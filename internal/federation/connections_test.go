package federation_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

type fakeConnector struct {
	version int64
	secret  string
}

// TestConnectionsRegistry: a connector is opened once per version of its
// connection, with the opened secret; an update reopens it; a disabled or
// deleted connection is refused.
func TestConnectionsRegistry(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			sec := "s3cret-upstream"
			in := directory.ConnectionInput{TenantID: f.tenant, Kind: model.ConnectionOIDC, Name: "Reg",
				OIDC: model.OIDCSettings{DiscoveryURL: "https://idp.example", ClientID: "c"}, ClientSecret: &sec}
			c, err := f.env.Svc.CreateConnection(bg, directory.System, in)
			if err != nil {
				t.Fatal(err)
			}
			var opens atomic.Int32
			reg := &federation.Connections[fakeConnector]{Dir: f.env.Svc, Open: func(_ context.Context, c model.Connection, secret string) (fakeConnector, error) {
				opens.Add(1)
				return fakeConnector{version: c.Version, secret: secret}, nil
			}}
			for range 3 {
				_, conn, err := reg.Get(bg, c.ID)
				if err != nil || conn.version != 1 || conn.secret != sec {
					t.Fatalf("Get = %+v, %v", conn, err)
				}
			}
			if opens.Load() != 1 {
				t.Fatalf("opened %d times, want once", opens.Load())
			}
			// Asked for as another kind (a SAML endpoint given this OIDC
			// connection's id): not found, cached or not, and never opened.
			for _, fresh := range []bool{false, true} {
				r := reg
				if fresh {
					r = &federation.Connections[fakeConnector]{Dir: f.env.Svc, Open: reg.Open}
				}
				if _, _, err := r.GetKind(bg, c.ID, model.ConnectionSAML); !errors.Is(err, model.ErrNotFound) {
					t.Fatalf("as SAML (fresh cache %v): %v", fresh, err)
				}
			}
			if opens.Load() != 1 {
				t.Fatalf("a connection of another kind was opened (%d opens)", opens.Load())
			}
			in.Name, in.ClientSecret = "Reg 2", nil
			if _, err := f.env.Svc.UpdateConnection(bg, directory.System, c.ID, in); err != nil {
				t.Fatal(err)
			}
			got, conn, err := reg.Get(bg, c.ID)
			if err != nil || conn.version != 2 || got.Name != "Reg 2" || conn.secret != sec || opens.Load() != 2 {
				t.Fatalf("after update: %+v %+v %v (%d opens)", got, conn, err, opens.Load())
			}
			off := false
			in.Enabled = &off
			if _, err := f.env.Svc.UpdateConnection(bg, directory.System, c.ID, in); err != nil {
				t.Fatal(err)
			}
			if _, _, err := reg.Get(bg, c.ID); !errors.Is(err, federation.ErrDisabled) {
				t.Fatalf("disabled: %v", err)
			}
			if err := f.env.Svc.DeleteConnection(bg, directory.System, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := reg.Get(bg, c.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("deleted: %v", err)
			}
		})
	}
}

// TestRefresh: an upstream refresh updates the linked user (a role removed
// at the IdP is gone at once) and never creates or moves a user.
func TestRefresh(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			u, _ := f.mustLogin(t, map[string]any{"sub": "rf", "roles": []any{"READER"}, "accounts": []any{"X-1:Admin"}})
			other, _ := f.mustLogin(t, map[string]any{"sub": "someone-else"})
			if !f.right(t, u, f.x, "SIM - Activate") {
				t.Fatal("Admin for X missing")
			}
			u2, out, err := f.prov.Refresh(bg, f.conn, federation.Identity{Claims: map[string]any{"sub": "rf", "roles": []any{"READER"}, "accounts": []any{"X-1:User"}}}, u.ID)
			if err != nil || u2.ID != u.ID || out != federation.Updated {
				t.Fatalf("refresh: %v %s %v", u2.ID, out, err)
			}
			if f.right(t, u, f.x, "SIM - Activate") {
				t.Error("Admin for X removed at the IdP survived the refresh")
			}
			// Another subject's identity does not refresh this user, an
			// unknown subject creates nobody.
			for _, sub := range []string{"someone-else", "never-seen"} {
				if _, _, err := f.prov.Refresh(bg, f.conn, federation.Identity{Claims: map[string]any{"sub": sub}}, u.ID); !errors.Is(err, federation.ErrNotLinked) {
					t.Errorf("refresh as %s: %v", sub, err)
				}
			}
			if _, err := f.env.Svc.IdentityLink(bg, f.conn.ID, "never-seen"); !errors.Is(err, model.ErrNotFound) {
				t.Error("a refresh linked a new identity")
			}
			// A deactivated user's refresh fails.
			if _, err := f.env.Svc.Transition(bg, directory.System, other.ID, model.StatusInactive); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.prov.Refresh(bg, f.conn, federation.Identity{Claims: map[string]any{"sub": "someone-else"}}, other.ID); !errors.Is(err, federation.ErrNotLinked) {
				t.Errorf("refresh of an inactive user: %v", err)
			}
		})
	}
}

// TestLoginHelpers: the login page's buttons (enabled connections of the
// tenant), home-realm discovery by verified domain only, and a delegated
// user's profile / password links from its connection (R-FED-5, R-USR-3).
func TestLoginHelpers(t *testing.T) {
	f := setup(t, "sqlite", false)
	in := directory.ConnectionInput{TenantID: f.tenant, Kind: model.ConnectionOIDC, Name: "Second",
		OIDC:       model.OIDCSettings{DiscoveryURL: "https://idp2.example", ClientID: "c"},
		Domains:    []model.ConnectionDomain{{Domain: "acme.example", Verified: true}, {Domain: "unverified.example"}},
		ProfileURL: "https://idp2.example/profile", PasswordURL: "https://idp2.example/password"}
	second, err := f.env.Svc.CreateConnection(bg, directory.System, in)
	if err != nil {
		t.Fatal(err)
	}
	off := false
	in.Name, in.Enabled, in.Domains = "Off", &off, []model.ConnectionDomain{{Domain: "off.example", Verified: true}}
	if _, err := f.env.Svc.CreateConnection(bg, directory.System, in); err != nil {
		t.Fatal(err)
	}
	cs, err := f.env.Svc.LoginConnections(bg, f.tenant)
	if err != nil || len(cs) != 2 || cs[0].Name != "Acme IdP" || cs[1].Name != "Second" {
		t.Fatalf("login connections %+v, %v", cs, err)
	}
	if c, err := f.env.Svc.ConnectionForEmail(bg, "Jane@ACME.example"); err != nil || c.ID != second.ID {
		t.Fatalf("home realm: %+v, %v", c, err)
	}
	for _, email := range []string{"x@unverified.example", "x@off.example", "no-at-sign", "x@"} {
		if _, err := f.env.Svc.ConnectionForEmail(bg, email); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("home realm for %s: %v", email, err)
		}
	}
	u, _, err := f.prov.Login(bg, second, federation.Identity{Claims: map[string]any{"sub": "p"}})
	if err != nil {
		t.Fatal(err)
	}
	prof, pw, err := f.env.Svc.IdPAccountURLs(bg, u)
	if err != nil || prof != "https://idp2.example/profile" || pw != "https://idp2.example/password" {
		t.Fatalf("account URLs %q %q %v", prof, pw, err)
	}
}
