package adminapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// world is a small instance: tenant T1 with accounts A and B, tenant T2
// with account C; alice administers A only; bob lives in B, carol in C.
type world struct {
	env                          *sesametest.Env
	t1, t2, a, b, c              string
	tmpl, groupA, groupB, groupC string
	client                       string
	alice, bob, carol            string
}

const pw = "a-long-enough-password"

func casAdminValues(t *testing.T, admin *sesametest.Client) []map[string]string {
	var acls struct {
		Items []struct{ Module, Name, Type string }
	}
	admin.Must(200, "GET", "/api/v1/acls?module=cas", nil).JSON(t, &acls)
	var vals []map[string]string
	for _, a := range acls.Items {
		if a.Type == "boolean" {
			vals = append(vals, map[string]string{"module": "cas", "acl": a.Name, "value": "true"})
		}
	}
	if len(vals) < 10 {
		t.Fatalf("cas catalog too small: %d", len(vals))
	}
	return vals
}

func newWorld(t *testing.T, backend string) *world {
	env := sesametest.New(t, backend)
	ad := env.Admin()
	w := &world{env: env}
	w.t1 = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Tenant One", "parentId": env.RootID})
	w.t2 = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Tenant Two", "parentId": env.RootID})
	w.a = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "number": "A-100", "parentId": w.t1})
	w.b = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Beta", "number": "B-200", "parentId": w.t1})
	w.c = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Gamma", "number": "C-300", "parentId": w.t2})
	w.client = ad.ID("POST", "/api/v1/clients", map[string]any{"name": "Portal", "module": "portal", "protocol": "cas", "servicePatterns": []string{"https://portal.example.com/*"}})
	w.tmpl = ad.ID("POST", "/api/v1/templates", map[string]any{"name": "Account admin", "contextTypes": []string{"account"}, "values": casAdminValues(t, ad)})
	w.groupA = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.a, "name": "Account admins", "templateId": w.tmpl})
	w.groupB = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.b, "name": "Beta staff", "values": []map[string]string{{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "true"}}})
	w.groupC = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.c, "name": "Gamma admins", "templateId": w.tmpl})
	user := func(login, ctx, group string) string {
		id := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{ctx}, "status": "active", "password": pw,
			"person": map[string]string{"firstName": strings.ToUpper(login[:1]) + login[1:], "email": login + "@example.com"}})
		ad.Must(204, "POST", "/api/v1/groups/"+group+"/members", map[string]string{"userId": id})
		return id
	}
	w.alice = user("alice", w.a, w.groupA)
	w.bob = user("bob", w.b, w.groupB)
	w.carol = user("carol", w.c, w.groupC)
	return w
}

// TestAccountAdminIsolation walks every endpoint as alice, admin of account
// A, aimed at account B (same tenant) and account C (other tenant): nothing
// is read, nothing changes (R-USR-4, R-CTX-2).
func TestAccountAdminIsolation(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			alice := w.env.As("tenant-one/alice", pw)
			covered := map[string]bool{}
			keyOf := map[string]string{}
			for _, u := range []string{w.bob, w.carol} {
				keyOf[u] = w.env.Admin().Must(201, "POST", "/api/v1/users/"+u+"/api-keys", map[string]string{"name": "ci"}).Map(t)["id"].(string)
			}
			connOf := map[string]string{}
			for _, ten := range []string{w.t1, w.t2} {
				connOf[ten] = w.env.Admin().ID("POST", "/api/v1/connections", map[string]any{"tenantId": ten, "kind": "oidc", "name": "IdP",
					"oidc": map[string]any{"discoveryUrl": "https://idp.example.com", "clientId": "c"}})
			}
			scimOf := map[string]string{}
			for _, ten := range []string{w.t1, w.t2} {
				scimOf[ten] = w.env.Admin().ID("POST", "/api/v1/scim-credentials", map[string]any{"tenantId": ten, "name": "Entra"})
			}
			for _, target := range []struct{ name, ctx, group, user, parent string }{
				{"same tenant", w.b, w.groupB, w.bob, w.t1},
				{"other tenant", w.c, w.groupC, w.carol, w.t2},
			} {
				conn := map[string]any{"tenantId": target.parent, "kind": "oidc", "name": "pwned",
					"oidc": map[string]any{"discoveryUrl": "https://evil.example.com", "clientId": "c"}}
				calls := []struct {
					route, method, path string
					body                any
				}{
					{"GET /api/v1/contexts/{id}", "GET", "/api/v1/contexts/" + target.ctx, nil},
					{"PATCH /api/v1/contexts/{id}", "PATCH", "/api/v1/contexts/" + target.ctx, map[string]string{"name": "pwned"}},
					{"DELETE /api/v1/contexts/{id}", "DELETE", "/api/v1/contexts/" + target.ctx, nil},
					{"GET /api/v1/contexts/{id}/ancestors", "GET", "/api/v1/contexts/" + target.ctx + "/ancestors", nil},
					{"GET /api/v1/contexts/{id}/policy", "GET", "/api/v1/contexts/" + target.ctx + "/policy", nil},
					{"PUT /api/v1/contexts/{id}/policy", "PUT", "/api/v1/contexts/" + target.ctx + "/policy", map[string]any{"values": []any{}}},
					{"DELETE /api/v1/contexts/{id}/policy", "DELETE", "/api/v1/contexts/" + target.ctx + "/policy", nil},
					{"POST /api/v1/contexts", "POST", "/api/v1/contexts", map[string]string{"type": "account", "name": "sub", "parentId": target.ctx}},
					{"PATCH /api/v1/contexts/{id}", "PATCH", "/api/v1/contexts/" + w.a, map[string]string{"parentId": target.ctx}},
					{"GET /api/v1/groups", "GET", "/api/v1/groups?contextId=" + target.ctx, nil},
					{"POST /api/v1/groups", "POST", "/api/v1/groups", map[string]string{"contextId": target.ctx, "name": "evil"}},
					{"GET /api/v1/groups/{id}", "GET", "/api/v1/groups/" + target.group, nil},
					{"PATCH /api/v1/groups/{id}", "PATCH", "/api/v1/groups/" + target.group, map[string]string{"name": "pwned"}},
					{"DELETE /api/v1/groups/{id}", "DELETE", "/api/v1/groups/" + target.group, nil},
					{"POST /api/v1/groups/{id}/apply-template", "POST", "/api/v1/groups/" + target.group + "/apply-template", map[string]string{"templateId": w.tmpl}},
					{"GET /api/v1/groups/{id}/members", "GET", "/api/v1/groups/" + target.group + "/members", nil},
					{"POST /api/v1/groups/{id}/members", "POST", "/api/v1/groups/" + target.group + "/members", map[string]string{"userId": w.alice}},
					{"POST /api/v1/groups/{id}/members", "POST", "/api/v1/groups/" + w.groupA + "/members", map[string]string{"userId": target.user}},
					{"DELETE /api/v1/groups/{id}/members/{userId}", "DELETE", "/api/v1/groups/" + target.group + "/members/" + target.user, nil},
					{"GET /api/v1/users/{id}", "GET", "/api/v1/users/" + target.user, nil},
					{"PATCH /api/v1/users/{id}", "PATCH", "/api/v1/users/" + target.user, map[string]any{"person": map[string]string{"firstName": "pwned"}}},
					{"DELETE /api/v1/users/{id}", "DELETE", "/api/v1/users/" + target.user, nil},
					{"PUT /api/v1/users/{id}/contexts", "PUT", "/api/v1/users/" + target.user + "/contexts", map[string]any{"contexts": []string{w.a}}},
					{"PUT /api/v1/users/{id}/contexts", "PUT", "/api/v1/users/" + w.alice + "/contexts", map[string]any{"contexts": []string{w.a, target.ctx}}},
					{"POST /api/v1/users/{id}/{action}", "POST", "/api/v1/users/" + target.user + "/deactivate", nil},
					{"POST /api/v1/users/{id}/{action}", "POST", "/api/v1/users/" + target.user + "/delete", nil},
					{"PUT /api/v1/users/{id}/password", "PUT", "/api/v1/users/" + target.user + "/password", map[string]string{"password": "attacker-chosen-pw"}},
					{"POST /api/v1/users/{id}/unlock", "POST", "/api/v1/users/" + target.user + "/unlock", nil},
					{"POST /api/v1/users/{id}/reset", "POST", "/api/v1/users/" + target.user + "/reset", nil},
					{"GET /api/v1/users/{id}/two-factor", "GET", "/api/v1/users/" + target.user + "/two-factor", nil},
					{"PUT /api/v1/users/{id}/two-factor", "PUT", "/api/v1/users/" + target.user + "/two-factor", map[string]string{"otp": "disabled", "totp": "denied"}},
					{"DELETE /api/v1/users/{id}/two-factor/totp", "DELETE", "/api/v1/users/" + target.user + "/two-factor/totp", nil},
					{"GET /api/v1/users/{id}/rights", "GET", "/api/v1/users/" + target.user + "/rights?contextId=" + target.ctx, nil},
					{"GET /api/v1/users/{id}/rights", "GET", "/api/v1/users/" + w.alice + "/rights?contextId=" + target.ctx, nil},
					{"POST /api/v1/users", "POST", "/api/v1/users", map[string]any{"loginName": "mallory", "domain": "ENTERPRISE", "contexts": []string{target.ctx}, "password": pw}},
					{"POST /api/v1/templates", "POST", "/api/v1/templates", map[string]any{"name": "evil", "contextTypes": []string{"account"}}},
					{"PATCH /api/v1/templates/{id}", "PATCH", "/api/v1/templates/" + w.tmpl, map[string]string{"name": "pwned"}},
					{"DELETE /api/v1/templates/{id}", "DELETE", "/api/v1/templates/" + w.tmpl, nil},
					{"PUT /api/v1/templates/{id}/csv", "PUT", "/api/v1/templates/" + w.tmpl + "/csv", "module,category,acl,type,value\n"},
					{"PUT /api/v1/modules/{name}", "PUT", "/api/v1/modules/evil", map[string]any{"acls": []any{}}},
					{"GET /api/v1/clients", "GET", "/api/v1/clients", nil},
					{"POST /api/v1/clients", "POST", "/api/v1/clients", map[string]any{"name": "evil", "module": "portal", "protocol": "cas", "servicePatterns": []string{"https://evil.example/*"}}},
					{"GET /api/v1/clients/{id}", "GET", "/api/v1/clients/" + w.client, nil},
					{"PATCH /api/v1/clients/{id}", "PATCH", "/api/v1/clients/" + w.client, map[string]any{"servicePatterns": []string{"https://evil.example/*"}}},
					{"DELETE /api/v1/clients/{id}", "DELETE", "/api/v1/clients/" + w.client, nil},
					{"PUT /api/v1/domains/{name}", "PUT", "/api/v1/domains/EVIL", map[string]string{"kind": "local", "placement": "root"}},
					{"GET /api/v1/users/{id}/api-keys", "GET", "/api/v1/users/" + target.user + "/api-keys", nil},
					{"POST /api/v1/users/{id}/api-keys", "POST", "/api/v1/users/" + target.user + "/api-keys", map[string]string{"name": "backdoor"}},
					{"DELETE /api/v1/users/{id}/api-keys/{keyId}", "DELETE", "/api/v1/users/" + target.user + "/api-keys/" + keyOf[target.user], nil},
					{"DELETE /api/v1/users/{id}/api-keys/{keyId}", "DELETE", "/api/v1/users/" + w.alice + "/api-keys/" + keyOf[target.user], nil},
					{"DELETE /api/v1/me/api-keys/{keyId}", "DELETE", "/api/v1/me/api-keys/" + keyOf[target.user], nil},
					{"GET /api/v1/me/rights", "GET", "/api/v1/me/rights?contextId=" + target.ctx, nil},
					{"GET /api/v1/connections/{id}", "GET", "/api/v1/connections/" + connOf[target.parent], nil},
					{"PUT /api/v1/connections/{id}", "PUT", "/api/v1/connections/" + connOf[target.parent], conn},
					{"DELETE /api/v1/connections/{id}", "DELETE", "/api/v1/connections/" + connOf[target.parent], nil},
					{"POST /api/v1/connections/{id}/saml/rotate-key", "POST", "/api/v1/connections/" + connOf[target.parent] + "/saml/rotate-key", nil},
					{"POST /api/v1/connections/{id}/saml/retire-key", "POST", "/api/v1/connections/" + connOf[target.parent] + "/saml/retire-key", nil},
					{"POST /api/v1/connections/{id}/saml/refresh-metadata", "POST", "/api/v1/connections/" + connOf[target.parent] + "/saml/refresh-metadata", nil},
					{"POST /api/v1/connections", "POST", "/api/v1/connections", conn},
					{"GET /api/v1/scim-credentials/{id}", "GET", "/api/v1/scim-credentials/" + scimOf[target.parent], nil},
					{"DELETE /api/v1/scim-credentials/{id}", "DELETE", "/api/v1/scim-credentials/" + scimOf[target.parent], nil},
					{"POST /api/v1/scim-credentials", "POST", "/api/v1/scim-credentials", map[string]any{"tenantId": target.parent, "name": "backdoor"}},
					{"GET /api/v1/message-templates", "GET", "/api/v1/message-templates", nil},
					{"GET /api/v1/message-templates/{type}/{language}", "GET", "/api/v1/message-templates/welcome/en", nil},
					{"PUT /api/v1/message-templates/{type}/{language}", "PUT", "/api/v1/message-templates/welcome/en", map[string]string{"subject": "pwned", "text": "pwned"}},
					{"DELETE /api/v1/message-templates/{type}/{language}", "DELETE", "/api/v1/message-templates/welcome/en", nil},
				}
				for _, c := range calls {
					covered[c.route] = true
					var r sesametest.Response
					if s, ok := c.body.(string); ok {
						r = alice.Do(c.method, c.path, []byte(s), "Content-Type", "text/csv")
					} else {
						r = alice.Do(c.method, c.path, c.body)
					}
					if r.Status < 400 || r.Status >= 500 {
						t.Errorf("%s: %s %s as account admin of A: status %d, want 4xx: %s", target.name, c.method, c.path, r.Status, r.Body)
					}
					if strings.Contains(string(r.Body), target.user) && c.method == "GET" {
						t.Errorf("%s: %s %s leaked the target user id", target.name, c.method, c.path)
					}
				}
			}
			// Lists only show A.
			for _, c := range []struct{ route, path, leak string }{
				{"GET /api/v1/contexts", "/api/v1/contexts?limit=500", "Beta"},
				{"GET /api/v1/contexts", "/api/v1/contexts?q=gamma", "Gamma"},
				{"GET /api/v1/users", "/api/v1/users?limit=500", "bob"},
				{"GET /api/v1/users", "/api/v1/users?q=carol", "carol"},
				{"GET /api/v1/audit", "/api/v1/audit?limit=500", w.bob},
				{"GET /api/v1/audit", "/api/v1/audit?targetId=" + w.carol, w.carol},
				{"GET /api/v1/connections", "/api/v1/connections", connOf[w.t2]},
				{"GET /api/v1/connections", "/api/v1/connections?tenantId=" + w.t1, connOf[w.t1]},
				{"GET /api/v1/scim-credentials", "/api/v1/scim-credentials", scimOf[w.t2]},
				{"GET /api/v1/scim-credentials", "/api/v1/scim-credentials?tenantId=" + w.t1, scimOf[w.t1]},
			} {
				covered[c.route] = true
				r := alice.Must(200, "GET", c.path, nil)
				if strings.Contains(string(r.Body), c.leak) {
					t.Errorf("GET %s as account admin of A shows %q: %s", c.path, c.leak, r.Body)
				}
			}
			// The caller's own view shows nothing of B or C.
			for _, c := range []struct{ route, path, leak string }{
				{"GET /api/v1/me/contexts", "/api/v1/me/contexts?limit=500", "Beta"},
				{"GET /api/v1/me/contexts", "/api/v1/me/contexts?q=gamma", "Gamma"},
				{"GET /api/v1/me/api-keys", "/api/v1/me/api-keys", keyOf[w.bob]},
				{"GET /api/v1/me/rights", "/api/v1/me/rights?module=portal", w.b},
			} {
				covered[c.route] = true
				r := alice.Must(200, "GET", c.path, nil)
				if strings.Contains(string(r.Body), c.leak) {
					t.Errorf("GET %s as account admin of A shows %q: %s", c.path, c.leak, r.Body)
				}
			}
			// Her own keys are hers to make; a policy decision about bob's
			// credentials tells her nothing without them.
			covered["POST /api/v1/me/api-keys"] = true
			alice.Must(201, "POST", "/api/v1/me/api-keys", map[string]string{"name": "mine"})
			covered["POST /api/v1/authorize"] = true
			// Only policy-decision clients may ask (issue 8 item 5).
			d := alice.Must(403, "POST", "/api/v1/authorize", map[string]any{"credentials": map[string]string{"login": "tenant-one/bob", "password": "guess-guess-guess"},
				"ip": "192.0.2.1", "module": "portal"}).Map(t)
			if d["allow"] != nil || strings.Contains(fmt.Sprint(d), w.bob) {
				t.Errorf("authorize with a guessed password: %v", d)
			}
			// Instance-wide reads every admin may do.
			for _, route := range []string{"GET /api/v1/me", "GET /api/v1/modules", "GET /api/v1/acls", "GET /api/v1/domains",
				"GET /api/v1/templates", "GET /api/v1/templates/{id}", "GET /api/v1/templates/{id}/csv"} {
				covered[route] = true
			}
			alice.Must(200, "GET", "/api/v1/templates/"+w.tmpl+"/csv", nil)
			for _, route := range w.env.Server.Config.Handler.(interface{ Routes() []string }).Routes() {
				if !covered[route] {
					t.Errorf("route %s is not walked by the isolation test", route)
				}
			}
			// Nothing changed in B or C, as the root admin sees it.
			ad := w.env.Admin()
			for _, u := range []string{w.bob, w.carol} {
				got := ad.Must(200, "GET", "/api/v1/users/"+u, nil).Map(t)
				if got["status"] != "active" || got["person"].(map[string]any)["firstName"] == "pwned" {
					t.Errorf("user %s was changed: %v", u, got)
				}
				if len(got["contexts"].([]any)) != 1 {
					t.Errorf("user %s contexts changed: %v", u, got["contexts"])
				}
			}
			for _, g := range []string{w.groupB, w.groupC} {
				got := ad.Must(200, "GET", "/api/v1/groups/"+g, nil).Map(t)
				if got["name"] == "pwned" {
					t.Errorf("group %s renamed", g)
				}
			}
			for _, c := range []string{w.b, w.c} {
				got := ad.Must(200, "GET", "/api/v1/contexts/"+c, nil).Map(t)
				if got["name"] == "pwned" || got["hasPolicy"] == true {
					t.Errorf("context %s changed: %v", c, got)
				}
			}
			if cl := ad.Must(200, "GET", "/api/v1/clients/"+w.client, nil).Map(t); cl["servicePatterns"].([]any)[0] != "https://portal.example.com/*" {
				t.Errorf("client changed: %v", cl)
			}
			for _, id := range connOf {
				if got := ad.Must(200, "GET", "/api/v1/connections/"+id, nil).Map(t); got["name"] != "IdP" || got["version"] != float64(1) {
					t.Errorf("connection changed: %v", got)
				}
			}
			if ad.Must(200, "GET", "/api/v1/templates/"+w.tmpl, nil).Map(t)["name"] != "Account admin" {
				t.Error("template changed")
			}
			for _, u := range []string{w.bob, w.carol} {
				var ks struct{ Items []struct{ ID, Name string } }
				ad.Must(200, "GET", "/api/v1/users/"+u+"/api-keys", nil).JSON(t, &ks)
				if len(ks.Items) != 1 || ks.Items[0].ID != keyOf[u] {
					t.Errorf("api keys of %s changed: %+v", u, ks.Items)
				}
			}
			aliceNow := ad.Must(200, "GET", "/api/v1/users/"+w.alice, nil).Map(t)
			if ctxs := aliceNow["contexts"].([]any); len(ctxs) != 1 || ctxs[0] != w.a {
				t.Errorf("alice widened her own contexts: %v", ctxs)
			}
			// And alice can do her job in A.
			id := alice.ID("POST", "/api/v1/users", map[string]any{"loginName": "dave", "domain": "ENTERPRISE", "contexts": []string{w.a}, "password": pw})
			alice.Must(204, "POST", "/api/v1/groups/"+w.groupA+"/members", map[string]string{"userId": id})
			alice.Must(200, "GET", "/api/v1/users/"+id+"/rights?contextId="+w.a+"&module=cas", nil)
			list := alice.Must(200, "GET", "/api/v1/users?limit=500", nil)
			if !strings.Contains(string(list.Body), "dave") || !strings.Contains(string(list.Body), "alice") {
				t.Errorf("alice cannot see her own account's users: %s", list.Body)
			}
			if !slices.Contains(w.env.Server.Config.Handler.(interface{ Routes() []string }).Routes(), "GET /api/v1/users") {
				t.Error("routes list incomplete")
			}
		})
	}
}

func TestUnauthenticated(t *testing.T) {
	env := sesametest.New(t, "sqlite")
	for _, c := range []*sesametest.Client{env.As("", ""), env.As("admin", "wrong-password"), env.As("nobody", "whatever-pass")} {
		r := c.Do("GET", "/api/v1/users", nil)
		if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("login %q: status %d, want 401 with a challenge", c.Login, r.Status)
		}
		if strings.Contains(string(r.Body), "nobody") || strings.Contains(string(r.Body), "exist") {
			t.Errorf("401 body reveals account existence: %s", r.Body)
		}
	}
}
