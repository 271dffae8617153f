package scim_test

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestConnectionBoundCredential: a credential tied to a connection
// provisions delegated users (no password: no password login) linked to
// the connection by their externalId, so the first sign-in through the
// connection reaches the provisioned user instead of creating another;
// the credential's default groups are joined.
func TestConnectionBoundCredential(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			w := &world{t: t, env: env}
			ad := env.Admin()
			w.tenant = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Fabrikam", "parentId": env.RootID})
			conn := ad.ID("POST", "/api/v1/connections", map[string]any{"tenantId": w.tenant, "kind": "oidc", "name": "Fabrikam Entra",
				"oidc": map[string]any{"discoveryUrl": "https://login.microsoftonline.com/t/v2.0", "clientId": "c"}})
			group := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.tenant, "name": "Everyone"})
			r := ad.Must(201, "POST", "/api/v1/scim-credentials", map[string]any{"tenantId": w.tenant, "name": "Entra", "connectionId": conn, "defaultGroups": []string{group}})
			var c struct{ ID, Token string }
			r.JSON(t, &c)
			w.credID, w.token = c.ID, c.Token
			u := w.do(201, "POST", "/Users", map[string]any{"userName": "kim@fabrikam.example", "externalId": "oid-4711",
				"emails": []any{map[string]any{"value": "kim@fabrikam.example", "primary": true}}, "name": map[string]any{"givenName": "Kim"}})
			id := u["id"].(string)
			if gs, _ := u["groups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["value"] != group {
				t.Errorf("default group: %v", u["groups"])
			}
			stored, err := env.Store.GetUser(t.Context(), id)
			if err != nil || stored.Kind != model.KindDelegated || stored.PasswordHash != "" {
				t.Fatalf("stored user: %+v %v", stored, err)
			}
			link, err := env.Store.GetIdentityLink(t.Context(), conn, "oid-4711")
			if err != nil || link.UserID != id {
				t.Fatalf("identity link: %+v %v", link, err)
			}
			// The first sign-in through the connection finds this user.
			cn, err := env.Store.GetConnection(t.Context(), conn)
			if err != nil {
				t.Fatal(err)
			}
			cn.Enabled = true
			got, outcome, err := (&federation.Provisioner{Dir: env.Svc}).Provision(t.Context(), cn, federation.Profile{Subject: "oid-4711", Email: "kim@fabrikam.example", FirstName: "Kim"})
			if err != nil || got.ID != id || outcome == federation.Created {
				t.Errorf("sign-in through the connection: %+v %s %v", got, outcome, err)
			}
			// A second user with the same externalId under this connection
			// is refused (the link is one person's).
			r2 := w.scim(w.token, "POST", "/Users", map[string]any{"userName": "other@fabrikam.example", "externalId": "oid-4711"})
			scimError(t, r2, 409, "uniqueness", "externalId")
		})
	}
}
