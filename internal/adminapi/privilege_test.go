package adminapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// val is one ACL value in a request body.
func val(module, acl, value string) map[string]string {
	return map[string]string{"module": module, "acl": acl, "value": value}
}

func casTrue(acls ...string) []map[string]string {
	var out []map[string]string
	for _, a := range acls {
		out = append(out, val("cas", a, "true"))
	}
	return out
}

// tenantAdmin is tenant T1 of the isolation world with tina, its admin:
// she manages groups and policies, resets passwords and manages API keys,
// and her API IP Allow is 10.0.0.0/8. Tom holds every cas right in T1;
// ursula only "CAS users - Read"; uma edits users but has no API key right.
type tenantAdmin struct {
	*world
	adminGroup, power, weak string
	tenantTmpl, weakTmpl    string
	tina, tom, ursula, uma  string
	tinaRights              []map[string]string
	tinaC, umaC             *sesametest.Client
}

func newTenantAdmin(t *testing.T, backend string) *tenantAdmin {
	w := newWorld(t, backend)
	ad := w.env.Admin()
	ta := &tenantAdmin{world: w}
	var roots struct{ Items []struct{ ID, Name string } }
	ad.Must(200, "GET", "/api/v1/groups?contextId="+w.env.RootID, nil).JSON(t, &roots)
	for _, g := range roots.Items {
		if g.Name == "Sesame administrators" {
			ta.adminGroup = g.ID
		}
	}
	if ta.adminGroup == "" {
		t.Fatalf("no global administrators group: %+v", roots.Items)
	}
	ta.tinaRights = append(casTrue("CAS users - Read", "CAS user groups - Read", "CAS user groups - Manage", "Access policies - Manage",
		"Password - Reset", "API keys - Manage", "Contexts - Read"), val("portal", "API IP Allow", "10.0.0.0/8"))
	admins := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.t1, "name": "Tenant admins", "values": ta.tinaRights})
	ta.power = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.t1, "name": "Power", "values": casAdminValues(t, ad)})
	ta.weak = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.t1, "name": "Weak",
		"values": []map[string]string{val("cas", "CAS users - Read", "true"), val("portal", "API IP Allow", "10.1.0.0/16")}})
	editors := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.t1, "name": "Editors", "values": casTrue("CAS users - Read", "CAS users - Create or Modify")})
	ta.tenantTmpl = ad.ID("POST", "/api/v1/templates", map[string]any{"name": "Tenant power", "contextTypes": []string{"tenant"}, "values": casAdminValues(t, ad)})
	ta.weakTmpl = ad.ID("POST", "/api/v1/templates", map[string]any{"name": "Tenant readers", "contextTypes": []string{"tenant"}, "values": casTrue("CAS users - Read")})
	user := func(login string, groups ...string) string {
		id := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{w.t1}, "status": "active", "password": pw})
		for _, g := range groups {
			ad.Must(204, "POST", "/api/v1/groups/"+g+"/members", map[string]string{"userId": id})
		}
		return id
	}
	ta.tina = user("tina", admins)
	ta.tom = user("tom", ta.power)
	ta.ursula = user("ursula")
	ta.uma = user("uma", editors)
	ta.tinaC, ta.umaC = w.env.As("tenant-one/tina", pw), w.env.As("tenant-one/uma", pw)
	return ta
}

// TestTenantAdminCannotEscalate (issue 8 item 6): a tenant admin who
// manages groups and policies cannot grant more than she holds — not to
// herself, not to others — nor take over a stronger account; each attempt
// is a 403 and changes nothing, while the same operations within her own
// rights work.
func TestTenantAdminCannotEscalate(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ta := newTenantAdmin(t, backend)
			ad, tina := ta.env.Admin(), ta.tinaC
			// A root admin's policy on account B, below tina's tenant, and a
			// global membership there.
			ad.Must(200, "PUT", "/api/v1/contexts/"+ta.b+"/policy", map[string]any{"values": casTrue("CAS users - Read")})
			ad.Must(204, "POST", "/api/v1/groups/"+ta.adminGroup+"/members", map[string]string{"userId": ta.bob, "contextId": ta.b})
			weakBefore := ad.Must(200, "GET", "/api/v1/groups/"+ta.weak, nil).Map(t)["values"]

			for _, c := range []struct {
				name, method, path string
				body               any
			}{
				{"(a) join the global administrators group", "POST", "/api/v1/groups/" + ta.adminGroup + "/members", map[string]string{"userId": ta.tina, "contextId": ta.t1}},
				{"(a) put someone in the global administrators group", "POST", "/api/v1/groups/" + ta.adminGroup + "/members", map[string]string{"userId": ta.ursula, "contextId": ta.t1}},
				{"(a) remove a global membership", "DELETE", "/api/v1/groups/" + ta.adminGroup + "/members/" + ta.bob + "?contextId=" + ta.b, nil},
				{"(b) create a group with a cas right she lacks", "POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "evil", "values": casTrue("Contexts - Manage")}},
				{"(b) create a group with a wider API IP Allow", "POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "evil", "values": []any{val("portal", "API IP Allow", "0.0.0.0/0")}}},
				{"(b) create a group with an app right she lacks", "POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "evil", "values": []any{val("portal", "SIM - Price Plan Modify", "true")}}},
				{"(b) create a group from a stronger template", "POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "evil", "templateId": ta.tenantTmpl}},
				{"(c) patch a group to add a right", "PATCH", "/api/v1/groups/" + ta.weak, map[string]any{"values": append(casTrue("CAS users - Read", "Clients - Manage"), val("portal", "API IP Allow", "10.1.0.0/16"))}},
				{"(c) patch a group to widen its IP ranges", "PATCH", "/api/v1/groups/" + ta.weak, map[string]any{"values": []any{val("cas", "CAS users - Read", "true"), val("portal", "API IP Allow", "10.1.0.0/16,192.0.2.0/24")}}},
				{"(c) map a role name onto a stronger group", "PATCH", "/api/v1/groups/" + ta.power, map[string]any{"roleNames": []string{"staff"}}},
				{"(d) apply a stronger template", "POST", "/api/v1/groups/" + ta.weak + "/apply-template", map[string]string{"templateId": ta.tenantTmpl}},
				{"(e) set a policy stronger than her rights", "PUT", "/api/v1/contexts/" + ta.t1 + "/policy", map[string]any{"values": casTrue("CAS users - Read", "Clients - Manage")}},
				{"(e) apply a stronger template as policy", "PUT", "/api/v1/contexts/" + ta.t1 + "/policy", map[string]any{"templateId": ta.tenantTmpl}},
				{"(e) lift a root admin's policy", "DELETE", "/api/v1/contexts/" + ta.b + "/policy", nil},
				{"(f) add herself to a stronger group", "POST", "/api/v1/groups/" + ta.power + "/members", map[string]string{"userId": ta.tina}},
				{"(f) add someone else to a stronger group", "POST", "/api/v1/groups/" + ta.power + "/members", map[string]string{"userId": ta.ursula}},
				{"(g) reset a stronger user's password", "PUT", "/api/v1/users/" + ta.tom + "/password", map[string]string{"password": "attacker-chosen-pw"}},
				{"(g) reset an account admin's password", "PUT", "/api/v1/users/" + ta.alice + "/password", map[string]string{"password": "attacker-chosen-pw"}},
				{"(g) mint an API key for a stronger user", "POST", "/api/v1/users/" + ta.tom + "/api-keys", map[string]string{"name": "backdoor"}},
			} {
				if r := tina.Do(c.method, c.path, c.body); r.Status != 403 {
					t.Errorf("%s: %s %s: status %d, want 403: %s", c.name, c.method, c.path, r.Status, r.Body)
				}
			}

			// Nothing was written.
			rights := ad.Must(200, "GET", "/api/v1/users/"+ta.tina+"/rights?contextId="+ta.t1+"&module=cas", nil).Map(t)
			for _, r := range rights["rights"].([]any) {
				r := r.(map[string]any)
				if r["name"] == "Clients - Manage" && r["value"] != "false" {
					t.Errorf("tina gained %v", r)
				}
			}
			if body := string(ad.Must(200, "GET", "/api/v1/groups?contextId="+ta.t1, nil).Body); strings.Contains(body, `"evil"`) {
				t.Errorf("a refused group was created: %s", body)
			}
			weak := ad.Must(200, "GET", "/api/v1/groups/"+ta.weak, nil).Map(t)
			if len(weak["values"].([]any)) != len(weakBefore.([]any)) || strings.Contains(string(ad.Must(200, "GET", "/api/v1/groups/"+ta.weak, nil).Body), "Clients") {
				t.Errorf("weak group changed: %v", weak["values"])
			}
			if rn := ad.Must(200, "GET", "/api/v1/groups/"+ta.power, nil).Map(t)["roleNames"]; rn != nil && len(rn.([]any)) > 0 {
				t.Errorf("role names mapped onto the power group: %v", rn)
			}
			if p := ad.Must(200, "GET", "/api/v1/contexts/"+ta.t1+"/policy", nil).Map(t); p["hasPolicy"] != false {
				t.Errorf("tenant policy set: %v", p)
			}
			if p := ad.Must(200, "GET", "/api/v1/contexts/"+ta.b+"/policy", nil).Map(t); p["hasPolicy"] != true {
				t.Errorf("root admin's policy lifted: %v", p)
			}
			for _, g := range []string{ta.power, ta.adminGroup} {
				body := string(ad.Must(200, "GET", "/api/v1/groups/"+g+"/members", nil).Body)
				if strings.Contains(body, ta.ursula) || strings.Contains(body, ta.tina) || g == ta.adminGroup && !strings.Contains(body, ta.bob) {
					t.Errorf("refused membership written in %s: %s", g, body)
				}
			}
			ta.env.As("tenant-one/tom", pw).Must(200, "GET", "/api/v1/me", nil)
			ta.env.As("tenant-one/alice", pw).Must(200, "GET", "/api/v1/me", nil)
			if body := string(ad.Must(200, "GET", "/api/v1/users/"+ta.tom+"/api-keys", nil).Body); strings.Contains(body, "backdoor") {
				t.Errorf("key minted for tom: %s", body)
			}

			// Within her own rights she does her job.
			tina.Must(201, "POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "Helpers",
				"values": []any{val("cas", "CAS users - Read", "true"), val("cas", "Clients - Manage", "false"), val("portal", "API IP Allow", "10.2.0.0/16,10.3.0.1")}})
			tina.Must(201, "POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "Her peers", "values": ta.tinaRights})
			tina.Must(200, "PATCH", "/api/v1/groups/"+ta.weak, map[string]any{"values": []any{val("cas", "CAS users - Read", "true"),
				val("cas", "Password - Reset", "true"), val("portal", "API IP Allow", "10.1.0.0/16")}})
			tina.Must(200, "PATCH", "/api/v1/groups/"+ta.power, map[string]any{"name": "Power users"}) // grants nothing
			tina.Must(200, "POST", "/api/v1/groups/"+ta.weak+"/apply-template", map[string]string{"templateId": ta.weakTmpl})
			tina.Must(204, "POST", "/api/v1/groups/"+ta.weak+"/members", map[string]string{"userId": ta.ursula})
			tina.Must(200, "PUT", "/api/v1/contexts/"+ta.b+"/policy", map[string]any{"values": casTrue("CAS users - Read", "Password - Reset")})
			tina.Must(204, "PUT", "/api/v1/users/"+ta.ursula+"/password", map[string]string{"password": "another-long-password"})
			tina.Must(201, "POST", "/api/v1/users/"+ta.ursula+"/api-keys", map[string]string{"name": "for ursula"})
			tina.Must(204, "DELETE", "/api/v1/groups/"+ta.weak+"/members/"+ta.ursula, nil)
			// A root administrator assigns the global group.
			ad.Must(204, "POST", "/api/v1/groups/"+ta.adminGroup+"/members", map[string]string{"userId": ta.ursula, "contextId": ta.t1})
		})
	}
}

// TestAPIKeyForOthersNeedsTheRight (issue 8 item 8): minting or revoking a
// key for someone else needs "API keys - Manage" (module cas), not just
// "CAS users - Create or Modify"; an admin's key for another user is
// audited as on-behalf.
func TestAPIKeyForOthersNeedsTheRight(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ta := newTenantAdmin(t, backend)
			ad := ta.env.Admin()
			if r := ta.umaC.Do("POST", "/api/v1/users/"+ta.ursula+"/api-keys", map[string]string{"name": "x"}); r.Status != 403 {
				t.Errorf("key for another user without API keys - Manage: %d %s", r.Status, r.Body)
			}
			key := ad.Must(201, "POST", "/api/v1/users/"+ta.ursula+"/api-keys", map[string]string{"name": "by admin"}).Map(t)["id"].(string)
			if r := ta.umaC.Do("DELETE", "/api/v1/users/"+ta.ursula+"/api-keys/"+key, nil); r.Status != 403 {
				t.Errorf("revoking another user's key without API keys - Manage: %d %s", r.Status, r.Body)
			}
			ta.umaC.Must(201, "POST", "/api/v1/me/api-keys", map[string]string{"name": "her own"})
			var ev struct {
				Items []struct {
					ActorID, TargetID string
					Details           map[string]any
				}
			}
			ad.Must(200, "GET", "/api/v1/audit?action=user.api_key.create&limit=50", nil).JSON(t, &ev)
			found := 0
			for _, e := range ev.Items {
				switch e.TargetID {
				case ta.ursula:
					found++
					if e.Details["onBehalf"] != true || e.ActorID == ta.ursula {
						t.Errorf("admin's key for ursula not audited as on-behalf: %+v", e)
					}
				case ta.uma:
					found++
					if _, ok := e.Details["onBehalf"]; ok {
						t.Errorf("uma's own key audited as on-behalf: %+v", e)
					}
				}
			}
			if found != 2 {
				t.Errorf("key creations audited: %d of 2: %+v", found, ev.Items)
			}
		})
	}
}

// TestTenantAdminCannotLiftRestrictions (issue 8 item 6): a group later in
// evaluation order can hold a right back ("Zz restrict" sets Clients -
// Manage false over "Aa clients"' true, R-EFF-2). Leaving that group,
// deleting it or dropping the value would give tina a right she does not
// hold: refused, nothing changes. Changes that lift nothing still work.
func TestTenantAdminCannotLiftRestrictions(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ta := newTenantAdmin(t, backend)
			ad, tina := ta.env.Admin(), ta.tinaC
			clients := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "Aa clients", "values": casTrue("Clients - Manage")})
			restrict := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "Zz restrict",
				"values": []any{val("cas", "Clients - Manage", "false"), val("cas", "CAS users - Read", "true")}})
			for _, g := range []string{clients, restrict} {
				ad.Must(204, "POST", "/api/v1/groups/"+g+"/members", map[string]string{"userId": ta.tina})
				ad.Must(204, "POST", "/api/v1/groups/"+g+"/members", map[string]string{"userId": ta.ursula})
			}
			clientsManage := func(user string) string {
				var res struct {
					Rights []struct{ Name, Value string }
				}
				ad.Must(200, "GET", "/api/v1/users/"+user+"/rights?contextId="+ta.t1+"&module=cas", nil).JSON(t, &res)
				for _, r := range res.Rights {
					if r.Name == "Clients - Manage" {
						return r.Value
					}
				}
				return ""
			}
			if clientsManage(ta.tina) != "false" {
				t.Fatal("setup: the restriction does not hold")
			}
			for _, c := range []struct {
				name, method, path string
				body               any
			}{
				{"leave the restricting group", "DELETE", "/api/v1/groups/" + restrict + "/members/" + ta.tina, nil},
				{"take someone out of it", "DELETE", "/api/v1/groups/" + restrict + "/members/" + ta.ursula, nil},
				{"drop the restricting value", "PATCH", "/api/v1/groups/" + restrict, map[string]any{"values": casTrue("CAS users - Read")}},
				{"apply a template without it", "POST", "/api/v1/groups/" + restrict + "/apply-template", map[string]string{"templateId": ta.weakTmpl}},
				{"delete the restricting group", "DELETE", "/api/v1/groups/" + restrict, nil},
			} {
				if r := tina.Do(c.method, c.path, c.body); r.Status != 403 {
					t.Errorf("%s: %s %s: status %d, want 403: %s", c.name, c.method, c.path, r.Status, r.Body)
				}
			}
			if clientsManage(ta.tina) != "false" || clientsManage(ta.ursula) != "false" {
				t.Error("a restriction was lifted")
			}
			// Lifting nothing is fine: a restricting group without members
			// goes, a value change that keeps the restriction passes.
			empty := tina.ID("POST", "/api/v1/groups", map[string]any{"contextId": ta.t1, "name": "Zz unused", "values": []any{val("cas", "Clients - Manage", "false")}})
			tina.Must(204, "DELETE", "/api/v1/groups/"+empty, nil)
			tina.Must(200, "PATCH", "/api/v1/groups/"+restrict, map[string]any{"values": []any{val("cas", "Clients - Manage", "false")}})
			tina.Must(204, "POST", "/api/v1/groups/"+ta.weak+"/members", map[string]string{"userId": ta.ursula})
			tina.Must(204, "DELETE", "/api/v1/groups/"+ta.weak+"/members/"+ta.ursula, nil)
			// A root administrator holding the right may lift it.
			ad.Must(204, "DELETE", "/api/v1/groups/"+restrict+"/members/"+ta.ursula, nil)
			if clientsManage(ta.ursula) != "true" {
				t.Error("the root admin's lift did not take effect")
			}
		})
	}
}

// TestContextAssignmentGrantsNoMore (issue 8 item 6): assigning a context is
// a grant when a delegated user's IdP role matches a group there (R-EFF-1):
// uma, who edits users but holds no Clients - Manage, cannot assign dan to
// account B where "B operators" gives that role the right; nor can she move
// tom, who holds more cas rights than she does. Assigning ursula works.
func TestContextAssignmentGrantsNoMore(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ta := newTenantAdmin(t, backend)
			ad, ctx := ta.env.Admin(), context.Background()
			ad.Must(200, "PUT", "/api/v1/domains/IDP", map[string]string{"kind": "delegated", "placement": "enterprise"})
			dan, err := ta.env.Store.CreateUser(ctx, model.User{LoginName: "dan", TenantID: ta.t1, Domain: "IDP", Kind: model.KindDelegated,
				Status: model.StatusActive, Contexts: []string{ta.t1}})
			if err != nil {
				t.Fatal(err)
			}
			if err := ta.env.Store.SetUserRoles(ctx, dan.ID, []model.RoleAssignment{{Role: "operator"}}); err != nil {
				t.Fatal(err)
			}
			ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": ta.b, "name": "B operators", "roleNames": []string{"operator"},
				"values": casTrue("Clients - Manage")})
			for _, c := range []struct{ name, user string }{{"delegated user into a role-mapped right", dan.ID}, {"a stronger user", ta.tom}} {
				if r := ta.umaC.Do("PUT", "/api/v1/users/"+c.user+"/contexts", map[string]any{"contexts": []string{ta.t1, ta.b}}); r.Status != 403 {
					t.Errorf("%s: status %d, want 403: %s", c.name, r.Status, r.Body)
				}
				if ctxs := ad.Must(200, "GET", "/api/v1/users/"+c.user, nil).Map(t)["contexts"].([]any); len(ctxs) != 1 {
					t.Errorf("%s: contexts changed: %v", c.name, ctxs)
				}
			}
			ta.umaC.Must(200, "PUT", "/api/v1/users/"+ta.ursula+"/contexts", map[string]any{"contexts": []string{ta.t1, ta.b}})
			ad.Must(200, "PUT", "/api/v1/users/"+dan.ID+"/contexts", map[string]any{"contexts": []string{ta.t1, ta.b}})
		})
	}
}
