package adminapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestAdminTour is the README's 5-minute tour, as assertions: contexts,
// a template applied to a group (copy semantics), a user through its
// lifecycle, effective rights with their trace, a policy, the audit log.
func TestAdminTour(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()

			me := ad.Must(200, "GET", "/api/v1/me", nil).Map(t)
			if me["loginName"] != "admin" || me["domain"] != "CSP" {
				t.Fatalf("me: %v", me)
			}
			acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme Mobile", "number": "ACC-0042", "parentId": env.RootID})
			// Search by number prefix and by name substring, case-insensitively (R-CTX-1).
			for _, q := range []string{"acc-00", "MOBILE"} {
				var res struct{ Items []struct{ ID string } }
				ad.Must(200, "GET", "/api/v1/contexts?q="+q, nil).JSON(t, &res)
				if len(res.Items) != 1 || res.Items[0].ID != acct {
					t.Errorf("search %q: %+v", q, res.Items)
				}
			}
			tmpl := ad.ID("POST", "/api/v1/templates", map[string]any{"name": "SIM operator", "contextTypes": []string{"account"},
				"values": []map[string]string{
					{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "true"},
					{"module": "portal", "acl": "API IP Allow", "value": "10.0.0.0/8, 2001:db8::/32"},
				}})
			grp := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": acct, "name": "Operators", "templateId": tmpl})
			// Later template edits do not reach the group (copy semantics).
			ad.Must(200, "PATCH", "/api/v1/templates/"+tmpl, map[string]any{"values": []map[string]string{{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "false"}}})
			g := ad.Must(200, "GET", "/api/v1/groups/"+grp, nil).Map(t)
			if vals := g["values"].([]any); len(vals) != 2 {
				t.Fatalf("group values after template edit: %v", vals)
			}

			uid := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "olivia", "domain": "ENTERPRISE", "contexts": []string{acct},
				"password": "amber-kettle-fjord-1", "person": map[string]string{"firstName": "Olivia", "lastName": "Ops", "email": "olivia@acme.example", "language": "de"}})
			u := ad.Must(200, "GET", "/api/v1/users/"+uid, nil).Map(t)
			if u["status"] != "draft" || u["tenantId"] != env.RootID {
				t.Fatalf("new user: %v", u)
			}
			if strings.Contains(string(ad.Must(200, "GET", "/api/v1/users/"+uid, nil).Body), "argon2") {
				t.Fatal("the API exposes the password hash")
			}
			// A draft cannot log in.
			if r := env.As("olivia", "amber-kettle-fjord-1").Do("GET", "/api/v1/me", nil); r.Status != 401 {
				t.Fatalf("draft user authenticated: %d", r.Status)
			}
			ad.Must(200, "POST", "/api/v1/users/"+uid+"/activate", nil)
			ad.Must(204, "POST", "/api/v1/groups/"+grp+"/members", map[string]string{"userId": uid})

			var rights struct {
				Rights []struct {
					Module, Name, Value, SetBy string
					Assigned                   bool
				}
			}
			ad.Must(200, "GET", fmt.Sprintf("/api/v1/users/%s/rights?contextId=%s&module=portal", uid, acct), nil).JSON(t, &rights)
			got := map[string]string{}
			setBy := map[string]string{}
			for _, r := range rights.Rights {
				got[r.Name] = r.Value
				setBy[r.Name] = r.SetBy
				if r.Name == "Dashboard Panels" {
					t.Error("a User Preferences ACL appears in effective rights")
				}
			}
			if got["SIM - Price Plan Modify"] != "true" || setBy["SIM - Price Plan Modify"] != "Operators" {
				t.Errorf("SIM - Price Plan Modify = %q set by %q", got["SIM - Price Plan Modify"], setBy["SIM - Price Plan Modify"])
			}
			if got["API IP Allow"] != "10.0.0.0/8, 2001:db8::/32" {
				t.Errorf("API IP Allow = %q", got["API IP Allow"])
			}
			if len(rights.Rights) < 20 {
				t.Errorf("only %d portal rights reported", len(rights.Rights))
			}
			unassigned := 0
			for _, r := range rights.Rights {
				if !r.Assigned && r.Value == "true" {
					t.Errorf("unassigned right %s is true", r.Name)
				}
				if !r.Assigned {
					unassigned++
				}
			}
			if unassigned == 0 {
				t.Error("every right assigned: the catalog is not being reported")
			}

			// A policy on the account that does not grant the price plan right filters it (R-EFF-5).
			ad.Must(200, "PUT", "/api/v1/contexts/"+acct+"/policy", map[string]any{"values": []map[string]string{{"module": "portal", "acl": "API IP Allow", "value": "0.0.0.0/0"}}})
			ad.Must(200, "GET", fmt.Sprintf("/api/v1/users/%s/rights?contextId=%s&module=portal", uid, acct), nil).JSON(t, &rights)
			for _, r := range rights.Rights {
				if r.Name == "SIM - Price Plan Modify" && r.Value != "false" {
					t.Errorf("policy did not filter SIM - Price Plan Modify: %q", r.Value)
				}
				if r.Name == "API IP Allow" && r.Value != "10.0.0.0/8, 2001:db8::/32" {
					t.Errorf("policy assigning API IP Allow should keep the group's value, got %q", r.Value)
				}
			}
			ad.Must(204, "DELETE", "/api/v1/contexts/"+acct+"/policy", nil)

			// The user logs in with HTTP Basic and reads herself.
			if me := env.As("olivia", "amber-kettle-fjord-1").Must(200, "GET", "/api/v1/me", nil).Map(t); me["id"] != uid {
				t.Fatalf("olivia's /me: %v", me)
			}
			// Without cas rights she can administer nothing.
			if r := env.As("olivia", "amber-kettle-fjord-1").Do("GET", "/api/v1/users/"+uid+"/rights?contextId="+acct, nil); r.Status != http.StatusForbidden {
				t.Errorf("user without cas rights read rights: %d %s", r.Status, r.Body)
			}

			// Lifecycle: deactivate blocks login, reactivate restores it, delete anonymizes.
			ad.Must(200, "POST", "/api/v1/users/"+uid+"/deactivate", nil)
			if r := env.As("olivia", "amber-kettle-fjord-1").Do("GET", "/api/v1/me", nil); r.Status != 401 {
				t.Errorf("inactive user authenticated: %d", r.Status)
			}
			ad.Must(200, "POST", "/api/v1/users/"+uid+"/reactivate", nil)
			env.As("olivia", "amber-kettle-fjord-1").Must(200, "GET", "/api/v1/me", nil)
			del := ad.Must(200, "POST", "/api/v1/users/"+uid+"/delete", nil).Map(t)
			if del["status"] != "deleted" || strings.Contains(string(ad.Must(200, "GET", "/api/v1/users/"+uid, nil).Body), "olivia") {
				t.Errorf("deleted user not anonymized: %v", del)
			}
			for _, action := range []string{"reactivate", "activate", "deactivate", "delete"} {
				if r := ad.Do("POST", "/api/v1/users/"+uid+"/"+action, nil); r.Status != http.StatusConflict {
					t.Errorf("%s a deleted user: %d, want 409", action, r.Status)
				}
			}
			if r := ad.Do("DELETE", "/api/v1/users/"+uid, nil); r.Status != http.StatusConflict {
				t.Errorf("discarding a deleted user: %d, want 409", r.Status)
			}
			// The audit log still resolves the deleted user by id.
			var audit struct {
				Items []struct{ Action, TargetID, ActorID string }
			}
			ad.Must(200, "GET", "/api/v1/audit?targetId="+uid, nil).JSON(t, &audit)
			actions := map[string]bool{}
			for _, e := range audit.Items {
				actions[e.Action] = true
				if e.TargetID != uid {
					t.Errorf("filter by target returned %v", e)
				}
			}
			for _, want := range []string{"user.create", "user.activate", "user.deactivate", "user.reactivate", "user.delete", "group.member_add"} {
				if !actions[want] {
					t.Errorf("audit lacks %s for the deleted user: %v", want, actions)
				}
			}
			ad.Must(200, "GET", "/api/v1/audit?actorId="+uid, nil) // olivia acted on nothing, the query still works
			// Discard: a draft disappears for good.
			draft := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "temp", "domain": "ENTERPRISE", "contexts": []string{acct}})
			ad.Must(204, "DELETE", "/api/v1/users/"+draft, nil)
			ad.Must(404, "GET", "/api/v1/users/"+draft, nil)
		})
	}
}

// TestUserDomainRules checks R-USR-2: CSP users only at root, ENTERPRISE
// users never at root, login names unique per tenant only.
func TestUserDomainRules(t *testing.T) {
	env := sesametest.New(t, "sqlite")
	ad := env.Admin()
	t1 := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "T1", "parentId": env.RootID})
	t2 := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "T2", "parentId": env.RootID})
	a1 := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "A1", "parentId": t1})
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"loginName": "x", "domain": "CSP", "contexts": []string{a1}}, "contexts"},
		{map[string]any{"loginName": "x", "domain": "ENTERPRISE", "contexts": []string{env.RootID}}, "contexts"},
		{map[string]any{"loginName": "x", "domain": "NOPE", "contexts": []string{a1}}, "domain"},
		{map[string]any{"loginName": "x", "domain": "ENTERPRISE", "contexts": []string{a1, t2}}, "contexts"},
		{map[string]any{"loginName": "x", "domain": "ENTERPRISE", "contexts": []string{}}, "contexts"},
		{map[string]any{"loginName": "", "domain": "ENTERPRISE", "contexts": []string{a1}}, "loginName"},
		{map[string]any{"loginName": "x", "domain": "ENTERPRISE", "contexts": []string{a1}, "password": "short"}, "password"},
		{map[string]any{"loginName": "x", "domain": "ENTERPRISE", "contexts": []string{a1}, "person": map[string]string{"email": "not-an-email"}}, "person.email"},
	} {
		r := ad.Do("POST", "/api/v1/users", c.body)
		if r.Status != 400 || r.Map(t)["field"] != c.field {
			t.Errorf("%v: %d %s, want 400 naming %s", c.body, r.Status, r.Body, c.field)
		}
	}
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "sam", "domain": "ENTERPRISE", "contexts": []string{a1}})
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "sam", "domain": "ENTERPRISE", "contexts": []string{t2}}) // other tenant: fine
	if r := ad.Do("POST", "/api/v1/users", map[string]any{"loginName": "SAM", "domain": "ENTERPRISE", "contexts": []string{t1}}); r.Status != 409 {
		t.Errorf("same login in one tenant: %d %s", r.Status, r.Body)
	}
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "ops", "domain": "CSP", "contexts": []string{env.RootID}})
}
