package adminapi_test

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestMarketplaceConnectionAPI (R-SAML-7, seed 002): a connection's claim
// mapping carries the organisation claims and the marketplace mark, and
// shows them back; a mapping without the uid claim, a malformed claim
// name is refused with a 400 naming the field; the virtual-email mark of a user is shown, and an
// administrator cannot set it.
func TestMarketplaceConnectionAPI(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ad := w.env.Admin()
			mapping := map[string]any{"marketplace": true,
				"organisation": map[string]any{"uid": "group_uid", "name": "group_name", "role": "group_role"}}
			in := oidcConnection(w.t1, "Vagalam")
			in["mapping"] = mapping
			c := ad.Must(201, "POST", "/api/v1/connections", in).Map(t)
			got := ad.Must(200, "GET", "/api/v1/connections/"+c["id"].(string), nil).Map(t)["mapping"].(map[string]any)
			org, _ := got["organisation"].(map[string]any)
			if got["marketplace"] != true || org["uid"] != "group_uid" || org["name"] != "group_name" || org["role"] != "group_role" {
				t.Fatalf("mapping shown back: %v", got)
			}
			for _, tc := range []struct {
				field  string
				change func(m map[string]any)
			}{
				{"mapping.organisation.uid", func(m map[string]any) {
					m["mapping"] = map[string]any{"organisation": map[string]any{"name": "group_name"}}
				}},
				{"mapping.organisation.name", func(m map[string]any) {
					m["mapping"] = map[string]any{"organisation": map[string]any{"uid": "group_uid", "name": "group name\n"}}
				}},
				{"mapping.organisation.role", func(m map[string]any) {
					m["mapping"] = map[string]any{"organisation": map[string]any{"uid": "group_uid", "role": "a..b"}}
				}},
			} {
				m := oidcConnection(w.t1, "Bad")
				m["domains"] = nil
				tc.change(m)
				if r := ad.Do("POST", "/api/v1/connections", m); r.Status != 400 || r.Map(t)["field"] != tc.field {
					t.Errorf("want 400 naming %s: %d %s", tc.field, r.Status, r.Body)
				}
			}
			if r := ad.Do("POST", "/api/v1/connections", map[string]any{"tenantId": w.t1, "kind": "oidc", "name": "x",
				"mapping": map[string]any{"organisation": map[string]any{"uid": "g", "groupUid": "x"}}}); r.Status != 400 {
				t.Errorf("unknown organisation member: %d %s", r.Status, r.Body)
			}
			// A user shows the mark; the API cannot set it.
			u := ad.Must(201, "POST", "/api/v1/users", map[string]any{"loginName": "mia", "domain": "ENTERPRISE", "contexts": []string{w.a},
				"person": map[string]any{"email": "mia@example.com"}}).Map(t)
			if v, ok := u["emailUndeliverable"]; !ok || v != false {
				t.Errorf("user view: %v", u)
			}
			if r := ad.Do("POST", "/api/v1/users", map[string]any{"loginName": "mo", "domain": "ENTERPRISE", "contexts": []string{w.a},
				"emailUndeliverable": true}); r.Status != 400 {
				t.Errorf("an administrator set the mark: %d %s", r.Status, r.Body)
			}
		})
	}
}
