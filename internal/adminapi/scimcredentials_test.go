package adminapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSCIMCredentials: a root admin creates a tenant's SCIM credential;
// the token is in the creation answer only, only its SHA-256 is stored,
// the list never shows it, bad input is refused with the member named,
// revocation is audited and final.
func TestSCIMCredentials(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			tenant := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Contoso", "parentId": env.RootID})
			acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Sales", "number": "S-1", "parentId": tenant})
			other := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Other", "parentId": env.RootID})
			group := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": acct, "name": "Provisioned"})
			r := ad.Must(201, "POST", "/api/v1/scim-credentials", map[string]any{"tenantId": tenant, "name": " Entra ", "contextId": acct, "defaultGroups": []string{group}})
			var c struct {
				ID, TenantID, Name, Prefix, Token, ContextID string
				DefaultGroups                                []string
				Hash                                         *string
			}
			r.JSON(t, &c)
			if !strings.HasPrefix(c.Token, "scim_") || len(c.Token) != 48 || c.Prefix != c.Token[:13] || c.Name != "Entra" || c.Hash != nil ||
				c.TenantID != tenant || c.ContextID != acct || len(c.DefaultGroups) != 1 {
				t.Fatalf("created: %s", r.Body)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Error("the token may be cached")
			}
			h := sha256.Sum256([]byte(c.Token))
			stored, err := env.Store.GetSCIMCredentialByHash(context.Background(), hex.EncodeToString(h[:]))
			if err != nil || stored.ID != c.ID {
				t.Fatalf("stored by hash: %+v %v", stored, err)
			}
			for _, path := range []string{"/api/v1/scim-credentials", "/api/v1/scim-credentials?tenantId=" + tenant, "/api/v1/scim-credentials/" + c.ID} {
				body := string(ad.Must(200, "GET", path, nil).Body)
				if strings.Contains(body, c.Token) || strings.Contains(body, hex.EncodeToString(h[:])) || !strings.Contains(body, c.Prefix) {
					t.Errorf("%s shows more or less than metadata: %s", path, body)
				}
			}
			for _, bad := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{"tenantId": acct, "name": "x"}, "tenantId"},
				{map[string]any{"tenantId": env.RootID, "name": "x"}, "tenantId"},
				{map[string]any{"tenantId": tenant, "name": ""}, "name"},
				{map[string]any{"tenantId": tenant, "name": "x", "contextId": other}, "contextId"},
				{map[string]any{"tenantId": tenant, "name": "x", "connectionId": "nope"}, "connectionId"},
				{map[string]any{"tenantId": tenant, "name": "x", "defaultGroups": []string{group}}, "defaultGroups"},
				{map[string]any{"tenantId": tenant, "name": "x", "defaultDomain": "CSP"}, "defaultDomain"},
				{map[string]any{"tenantId": tenant, "name": "x", "token": "mine"}, "token"},
			} {
				r := ad.Do("POST", "/api/v1/scim-credentials", bad.body)
				if r.Status != 400 || !strings.Contains(string(r.Body), bad.field) {
					t.Errorf("%v: %d %s", bad.body, r.Status, r.Body)
				}
			}
			// The token works on /scim/v2 until revoked, and never on /api/v1.
			scim := func() int {
				return env.As("", "").Do("GET", "/scim/v2/Users", nil, "Authorization", "Bearer "+c.Token).Status
			}
			if got := scim(); got != 200 {
				t.Fatalf("scim with a fresh token: %d", got)
			}
			if r := env.As("", "").Do("GET", "/api/v1/contexts", nil, "Authorization", "Bearer "+c.Token); r.Status != 401 {
				t.Errorf("the SCIM token opens the admin API: %d", r.Status)
			}
			ad.Must(204, "DELETE", "/api/v1/scim-credentials/"+c.ID, nil)
			ad.Must(409, "DELETE", "/api/v1/scim-credentials/"+c.ID, nil)
			if got := scim(); got != 401 {
				t.Errorf("scim with a revoked token: %d", got)
			}
			got := ad.Must(200, "GET", "/api/v1/scim-credentials/"+c.ID, nil).Map(t)
			if got["revokedAt"] == nil {
				t.Errorf("revoked credential: %v", got)
			}
			evs, _, err := env.Store.ListAudit(context.Background(), model.AuditFilter{TargetID: c.ID, Page: model.Page{Limit: 10}})
			if err != nil || len(evs) != 2 {
				t.Fatalf("audit: %+v %v", evs, err)
			}
		})
	}
}
