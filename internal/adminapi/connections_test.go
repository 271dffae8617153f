package adminapi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const upstreamSecret = "upstream-client-secret-7f3a9c"

func oidcConnection(tenant, name string) map[string]any {
	return map[string]any{"tenantId": tenant, "kind": "oidc", "name": name,
		"oidc":         map[string]any{"discoveryUrl": "https://login.example.com/tenant/v2.0", "clientId": "sesame-app", "scopes": []string{"openid", "email", "profile"}},
		"clientSecret": upstreamSecret,
		"mapping":      map[string]any{"preset": "entra"},
		"domains":      []map[string]any{{"domain": "acme.example"}},
	}
}

// TestConnectionsAPI: create, read, replace and delete a connection; the
// client secret is write-only and sealed at rest; the answer shows the
// redirect URL to register at the IdP; errors name the field; every change
// is audited without the secret (R-FED-1, R-FED-2).
func TestConnectionsAPI(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ad := w.env.Admin()
			w.env.Handler.API.SetIssuer("https://sso.example.com/")
			r := ad.Must(201, "POST", "/api/v1/connections", oidcConnection(w.t1, "Acme Entra ID"))
			if strings.Contains(string(r.Body), upstreamSecret) {
				t.Fatalf("the client secret came back: %s", r.Body)
			}
			c := r.Map(t)
			id := c["id"].(string)
			if c["hasClientSecret"] != true || c["version"] != float64(1) || c["enabled"] != true || c["tenantId"] != w.t1 {
				t.Errorf("created: %v", c)
			}
			if want := "https://sso.example.com/login/idp/" + id + "/callback"; c["redirectUrl"] != want {
				t.Errorf("redirectUrl = %v, want %s", c["redirectUrl"], want)
			}
			if d := c["domains"].([]any)[0].(map[string]any); d["domain"] != "acme.example" || d["verified"] != false {
				t.Errorf("domain: %v", d)
			}
			// Sealed at rest with the master key, bound to the row.
			stored, err := w.env.Store.GetConnection(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(stored.SealedSecret, []byte(seal.Prefix)) || bytes.Contains(stored.SealedSecret, []byte(upstreamSecret)) {
				t.Fatalf("the secret is not sealed at rest: %q", stored.SealedSecret)
			}
			if sec, err := w.env.Svc.ConnectionSecret(stored); err != nil || sec != upstreamSecret {
				t.Fatalf("ConnectionSecret = %q, %v", sec, err)
			}
			got := ad.Must(200, "GET", "/api/v1/connections/"+id, nil)
			if strings.Contains(string(got.Body), upstreamSecret) || strings.Contains(string(got.Body), "sesame-sealed") {
				t.Fatalf("GET shows the secret: %s", got.Body)
			}
			// PUT without clientSecret keeps it; the version is bumped.
			in := oidcConnection(w.t1, "Acme (Entra)")
			delete(in, "clientSecret")
			in["version"] = 1
			up := ad.Must(200, "PUT", "/api/v1/connections/"+id, in).Map(t)
			if up["hasClientSecret"] != true || up["version"] != float64(2) || up["name"] != "Acme (Entra)" {
				t.Errorf("updated: %v", up)
			}
			// A stale version is refused: two admins do not overwrite each other.
			if r := ad.Do("PUT", "/api/v1/connections/"+id, in); r.Status != 409 {
				t.Errorf("stale version: %d %s", r.Status, r.Body)
			}
			// Another owner cannot be set by PUT.
			moved := oidcConnection(w.t2, "x")
			if r := ad.Do("PUT", "/api/v1/connections/"+id, moved); r.Status != 400 || r.Map(t)["field"] != "tenantId" {
				t.Errorf("moving a connection: %d %s", r.Status, r.Body)
			}
			// "" removes the secret.
			in["clientSecret"], in["version"] = "", 0
			if up := ad.Must(200, "PUT", "/api/v1/connections/"+id, in).Map(t); up["hasClientSecret"] != false {
				t.Errorf("secret not removed: %v", up)
			}
			// Errors name the field.
			for _, c := range []struct {
				field  string
				change func(m map[string]any)
			}{
				{"oidc.clientId", func(m map[string]any) { m["oidc"].(map[string]any)["clientId"] = "" }},
				{"oidc.discoveryUrl", func(m map[string]any) {
					m["oidc"].(map[string]any)["discoveryUrl"] = "http://idp.example.com/"
				}},
				{"oidc.discoveryUrl", func(m map[string]any) { m["oidc"] = map[string]any{"clientId": "x"} }},
				{"oidc.userinfoUrl", func(m map[string]any) {
					m["kind"] = "oauth2"
					m["oidc"] = map[string]any{"clientId": "x", "authorizeUrl": "https://gh.example/authorize", "tokenUrl": "https://gh.example/token"}
				}},
				{"saml.idpMetadata", func(m map[string]any) { m["kind"] = "saml" }},
				{"kind", func(m map[string]any) { m["kind"] = "ldap" }},
				{"name", func(m map[string]any) { m["name"] = "" }},
				{"tenantId", func(m map[string]any) { m["tenantId"] = w.a }}, // an account owns none
				{"tenantId", func(m map[string]any) { m["tenantId"] = "no-such-context" }},
				{"mapping.preset", func(m map[string]any) { m["mapping"] = map[string]any{"preset": "adfs"} }},
				{"mapping.roles", func(m map[string]any) { m["mapping"] = map[string]any{"roles": []string{"a..b"}} }},
				{"mapping.contextRoles.key", func(m map[string]any) {
					m["mapping"] = map[string]any{"contextRoles": map[string]any{"claim": "accounts", "role": "role"}}
				}},
				{"mapping.accountKey", func(m map[string]any) { m["mapping"] = map[string]any{"accountKey": "name"} }},
				{"oidc.scopes", func(m map[string]any) { m["oidc"].(map[string]any)["scopes"] = []string{"open id"} }},
				{"domains", func(m map[string]any) { m["domains"] = []map[string]any{{"domain": "not a domain"}} }},
				{"profileUrl", func(m map[string]any) { m["profileUrl"] = "javascript:alert(1)" }},
				{"userDomain", func(m map[string]any) { m["userDomain"] = "NOPE" }},
				{"clientSecret", func(m map[string]any) { m["clientSecret"] = "a\nb" }},
			} {
				m := oidcConnection(w.t1, "Bad")
				c.change(m)
				r := ad.Do("POST", "/api/v1/connections", m)
				if r.Status != 400 || r.Map(t)["field"] != c.field {
					t.Errorf("want 400 naming %s: %d %s", c.field, r.Status, r.Body)
				}
			}
			// Plain OAuth 2.0 with explicit endpoints (GitHub-style).
			gh := map[string]any{"tenantId": w.t1, "kind": "oauth2", "name": "GitHub",
				"oidc": map[string]any{"clientId": "gh", "authorizeUrl": "https://github.example/login/oauth/authorize",
					"tokenUrl": "https://github.example/login/oauth/access_token", "userinfoUrl": "https://api.github.example/user"},
				"mapping": map[string]any{"subject": "id", "email": "email", "firstName": "name", "noEmailVerified": true}}
			ad.Must(201, "POST", "/api/v1/connections", gh)
			// At least five connections at once (R-FED-1).
			for _, n := range []string{"Two", "Three", "Four"} {
				ad.Must(201, "POST", "/api/v1/connections", oidcConnection(w.t2, "IdP "+n))
			}
			var list struct{ Items []map[string]any }
			ad.Must(200, "GET", "/api/v1/connections", nil).JSON(t, &list)
			if len(list.Items) != 5 {
				t.Errorf("%d connections listed, want 5", len(list.Items))
			}
			ad.Must(200, "GET", "/api/v1/connections?tenantId="+w.t2, nil).JSON(t, &list)
			if len(list.Items) != 3 {
				t.Errorf("%d connections of tenant two, want 3", len(list.Items))
			}
			// Audited, never with the secret.
			var audit struct{ Items []map[string]any }
			ad.Must(200, "GET", "/api/v1/audit?targetId="+id, nil).JSON(t, &audit)
			actions := map[string]bool{}
			for _, e := range audit.Items {
				actions[e["action"].(string)] = true
			}
			if !actions["connection.create"] || !actions["connection.update"] {
				t.Errorf("audit: %v", audit.Items)
			}
			all := ad.Must(200, "GET", "/api/v1/audit?limit=500", nil)
			if strings.Contains(string(all.Body), upstreamSecret) {
				t.Error("the audit log holds the client secret")
			}
			ad.Must(204, "DELETE", "/api/v1/connections/"+id, nil)
			ad.Must(404, "GET", "/api/v1/connections/"+id, nil)
			ad.Must(404, "DELETE", "/api/v1/connections/"+id, nil)
		})
	}
}

// TestConnectionTenancy: a tenant's administrator manages the tenant's
// connections only — another tenant's are neither listed, read, changed
// nor deleted, and none is created for it; an account administrator sees
// none; only a root administrator marks a home-realm domain verified
// (R-CTX-2, R-USR-4).
func TestConnectionTenancy(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ad := w.env.Admin()
			admins := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.t1, "name": "Tenant admins", "values": casAdminValues(t, ad)})
			tina := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "tina", "domain": "ENTERPRISE", "contexts": []string{w.t1}, "status": "active", "password": pw})
			ad.Must(204, "POST", "/api/v1/groups/"+admins+"/members", map[string]string{"userId": tina})
			other := ad.ID("POST", "/api/v1/connections", oidcConnection(w.t2, "Tenant Two IdP"))
			ta := w.env.As("tenant-one/tina", pw)

			own := ta.ID("POST", "/api/v1/connections", oidcConnection(w.t1, "Tenant One IdP"))
			ta.Must(200, "GET", "/api/v1/connections/"+own, nil)
			var list struct{ Items []map[string]any }
			ta.Must(200, "GET", "/api/v1/connections", nil).JSON(t, &list)
			if len(list.Items) != 1 || list.Items[0]["id"] != own {
				t.Errorf("tenant admin lists %v", list.Items)
			}
			ta.Must(200, "GET", "/api/v1/connections?tenantId="+w.t2, nil).JSON(t, &list)
			if len(list.Items) != 0 {
				t.Errorf("tenant admin lists the other tenant's: %v", list.Items)
			}
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/api/v1/connections/" + other, nil},
				{"PUT", "/api/v1/connections/" + other, oidcConnection(w.t2, "pwned")},
				{"PUT", "/api/v1/connections/" + other, oidcConnection(w.t1, "pwned")},
				{"DELETE", "/api/v1/connections/" + other, nil},
				{"POST", "/api/v1/connections", oidcConnection(w.t2, "evil")},
				{"POST", "/api/v1/connections", oidcConnection(w.env.RootID, "evil")},
			} {
				r := ta.Do(c.method, c.path, c.body)
				if r.Status != 404 && r.Status != 400 && r.Status != 403 {
					t.Errorf("%s %s as tenant one's admin: %d %s", c.method, c.path, r.Status, r.Body)
				}
				if strings.Contains(string(r.Body), "Tenant Two IdP") {
					t.Errorf("%s %s leaked the other connection: %s", c.method, c.path, r.Body)
				}
			}
			if got := ad.Must(200, "GET", "/api/v1/connections/"+other, nil).Map(t); got["name"] != "Tenant Two IdP" || got["version"] != float64(1) {
				t.Errorf("the other tenant's connection changed: %v", got)
			}
			// The account admin of A sees no connection of her tenant.
			alice := w.env.As("tenant-one/alice", pw)
			alice.Must(404, "GET", "/api/v1/connections/"+own, nil)
			alice.Must(200, "GET", "/api/v1/connections", nil).JSON(t, &list)
			if len(list.Items) != 0 {
				t.Errorf("account admin lists %v", list.Items)
			}
			// Verifying a domain: root only.
			in := oidcConnection(w.t1, "Tenant One IdP")
			in["domains"] = []map[string]any{{"domain": "acme.example", "verified": true}}
			if r := ta.Do("PUT", "/api/v1/connections/"+own, in); r.Status != 403 || r.Map(t)["field"] != "domains" {
				t.Errorf("tenant admin verified a domain: %d %s", r.Status, r.Body)
			}
			ad.Must(200, "PUT", "/api/v1/connections/"+own, in)
			// …and a verified domain belongs to one connection.
			in2 := oidcConnection(w.t2, "Tenant Two IdP")
			in2["domains"] = in["domains"]
			if r := ad.Do("PUT", "/api/v1/connections/"+other, in2); r.Status != 409 || r.Map(t)["field"] != "domains" {
				t.Errorf("second verified claim of a domain: %d %s", r.Status, r.Body)
			}
			// The tenant admin keeps the verified state when re-saving.
			in["name"] = "Renamed"
			if got := ta.Must(200, "PUT", "/api/v1/connections/"+own, in).Map(t); got["domains"].([]any)[0].(map[string]any)["verified"] != true {
				t.Errorf("verified state lost: %v", got)
			}
		})
	}
}
