package scim_test

import (
	"fmt"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// The request sequences below replay what the provisioning services send,
// with their payload shapes and quirks, as published in:
//   - Entra ID: Microsoft Learn, "Tutorial: Develop and plan provisioning
//     for a SCIM endpoint in Microsoft Entra ID" (section "Understand the
//     Microsoft Entra SCIM implementation": the request/response examples
//     for user and group operations) and "Known issues and resolutions
//     with SCIM 2.0 protocol compliance of the Microsoft Entra user
//     provisioning service" (capitalised "Replace", "False" as a string,
//     no-path operations, enterprise URN paths).
//   - Okta: developer.okta.com, "SCIM 2.0 protocol reference" (create
//     user, retrieve by filter, PUT update, PATCH active false, group
//     push: PATCH replace with id and displayName, members add and
//     members[value eq "…"] remove).

const entraSource = "Microsoft Learn: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"

// TestEntraSequence: Entra ID's create / get-by-filter / patch /
// deactivate / delete order, users and groups, on both backends.
func TestEntraSequence(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			t.Logf("sequence from %s", entraSource)
			userName := "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"
			// 1. Entra looks the user up first.
			if n := total(t, w.do(200, "GET", `/Users?filter=userName+eq+%22`+userName+`%22`, nil)); n != 0 {
				t.Fatalf("user exists before create: %d", n)
			}
			// 2. Create.
			u := w.do(201, "POST", "/Users", map[string]any{
				"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
				"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": userName, "active": true,
				"emails": []any{map[string]any{"primary": true, "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}},
				"meta":   map[string]any{"resourceType": "User"},
				"name":   map[string]any{"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
				"roles":  []any{},
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Sales", "employeeNumber": "E-17"},
			})
			id := u["id"].(string)
			meta := u["meta"].(map[string]any)
			if u["userName"] != userName || u["active"] != true || meta["version"] == "" || meta["location"] == "" || meta["created"] == "" {
				t.Fatalf("created: %v", u)
			}
			// 3. Get by id and by filter (externalId too, and the
			// enterprise department).
			w.do(200, "GET", "/Users/"+id, nil)
			for _, f := range []string{`userName eq "` + userName + `"`, `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
				`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"`, `emails[value co "fd0ea19b"]`} {
				if got := first(t, w.do(200, "GET", "/Users?filter="+query(f), nil)); got["id"] != id {
					t.Errorf("filter %s: %v", f, got)
				}
			}
			// Dates compare as dates (gt/ge/lt/le, RFC 7644 §3.4.2.2).
			created := meta["created"].(string)
			if total(t, w.do(200, "GET", "/Users?filter="+query(`meta.created ge "`+created+`" and meta.lastModified le "2999-01-01T00:00:00Z"`), nil)) != 1 ||
				total(t, w.do(200, "GET", "/Users?filter="+query(`meta.created lt "`+created+`"`), nil)) != 0 ||
				total(t, w.do(200, "GET", "/Users?filter="+query(`not (meta.created gt "2000-01-01T00:00:00Z")`), nil)) != 0 {
				t.Error("date filters")
			}
			// 4. Patch: Entra's capitalised Replace, a filtered path, an
			// enterprise URN path, a replace without path.
			p := w.do(200, "PATCH", "/Users/"+id, patch(
				op("Replace", `emails[type eq "work"].value`, "updatedEmail@microsoft.com"),
				op("Replace", "name.familyName", "updatedFamilyName"),
				op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", map[string]any{"value": "mgr-1"}),
				op("Replace", "", map[string]any{"displayName": "Updated Name", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Marketing"}),
			))
			em := p["emails"].([]any)[0].(map[string]any)
			ent := p["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
			if em["value"] != "updatedEmail@microsoft.com" || p["name"].(map[string]any)["familyName"] != "updatedFamilyName" ||
				p["displayName"] != "Updated Name" || ent["department"] != "Marketing" || ent["manager"].(map[string]any)["value"] != "mgr-1" {
				t.Fatalf("patched: %v", p)
			}
			if total(t, w.do(200, "GET", "/Users?filter="+query(`emails.value eq "UPDATEDEMAIL@microsoft.com"`), nil)) != 1 {
				t.Error("the patched email is not searchable")
			}
			// 5. Deactivate with "False" as a string.
			if d := w.do(200, "PATCH", "/Users/"+id, patch(op("Replace", "active", "False"))); d["active"] != false {
				t.Fatalf("deactivated: %v", d)
			}
			if total(t, w.do(200, "GET", "/Users?filter="+query("active eq false"), nil)) != 1 {
				t.Error("inactive user not found by active eq false")
			}
			w.do(200, "PATCH", "/Users/"+id, patch(op("Replace", "active", "True")))
			// Groups: create, find by displayName without members, add and
			// remove a member with a value list, rename, delete.
			g := w.do(201, "POST", "/Groups", map[string]any{"externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName",
				"meta": map[string]any{"resourceType": "Group"}, "schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}})
			gid := g["id"].(string)
			found := first(t, w.do(200, "GET", "/Groups?excludedAttributes=members&filter="+query(`displayName eq "displayName"`), nil))
			if found["id"] != gid || found["members"] != nil {
				t.Errorf("group by name: %v", found)
			}
			w.do(204, "PATCH", "/Groups/"+gid, patch(op("Add", "members", []any{map[string]any{"$ref": nil, "value": id}})))
			if got := w.do(200, "GET", "/Groups/"+gid, nil); len(got["members"].([]any)) != 1 {
				t.Fatalf("member not added: %v", got)
			}
			if got := w.do(200, "GET", "/Users/"+id, nil); len(got["groups"].([]any)) != 1 {
				t.Errorf("user's groups: %v", got["groups"])
			}
			w.do(204, "PATCH", "/Groups/"+gid, patch(op("Remove", "members", []any{map[string]any{"$ref": nil, "value": id}})))
			w.do(204, "PATCH", "/Groups/"+gid, patch(op("Replace", "displayName", "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName")))
			if got := w.do(200, "GET", "/Groups/"+gid, nil); got["displayName"] != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" || len(got["members"].([]any)) != 0 {
				t.Errorf("group after patches: %v", got)
			}
			w.do(204, "DELETE", "/Groups/"+gid, nil)
			w.do(404, "GET", "/Groups/"+gid, nil)
			// 6. Delete: the directory's deletion (anonymised).
			w.do(204, "DELETE", "/Users/"+id, nil)
			w.do(404, "GET", "/Users/"+id, nil)
			stored, err := w.env.Store.GetUser(t.Context(), id)
			if err != nil || stored.Status != "deleted" || stored.LoginName != "deleted-"+id || stored.Person.Email != "" {
				t.Errorf("deleted user: %+v %v", stored, err)
			}
			if total(t, w.do(200, "GET", "/Users?filter="+query(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), nil)) != 0 {
				t.Error("the deleted user's externalId is still searchable")
			}
		})
	}
}

// TestOktaSequence: Okta's create / filter / PUT / PATCH active=false and
// group push, on both backends.
func TestOktaSequence(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			t.Log("sequence from developer.okta.com: SCIM 2.0 protocol reference")
			if total(t, w.do(200, "GET", "/Users?filter="+query(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", nil)) != 0 {
				t.Fatal("user exists before create")
			}
			body := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "test.user@okta.local",
				"name":        map[string]any{"givenName": "Test", "familyName": "User"},
				"emails":      []any{map[string]any{"primary": true, "value": "test.user@okta.local", "type": "work"}},
				"displayName": "Test User", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7", "groups": []any{},
				"password": "1mz050nq", "active": true}
			u := w.do(201, "POST", "/Users", body)
			id := u["id"].(string)
			got := first(t, w.do(200, "GET", "/Users?filter="+query(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", nil))
			if got["id"] != id || got["password"] != nil {
				t.Fatalf("by filter: %v", got)
			}
			body["id"], body["name"] = id, map[string]any{"givenName": "Another", "familyName": "User"}
			if p := w.do(200, "PUT", "/Users/"+id, body); p["name"].(map[string]any)["givenName"] != "Another" {
				t.Fatalf("put: %v", p)
			}
			if p := w.do(200, "PATCH", "/Users/"+id, patch(op("replace", "", map[string]any{"active": false}))); p["active"] != false {
				t.Fatalf("deactivated: %v", p)
			}
			g := w.do(201, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Test SCIMv2", "members": []any{}})
			gid := g["id"].(string)
			w.do(204, "PATCH", "/Groups/"+gid, patch(op("replace", "", map[string]any{"id": gid, "displayName": "Test SCIMv2 renamed"})))
			w.do(204, "PATCH", "/Groups/"+gid, patch(op("add", "members", []any{map[string]any{"value": id, "display": "test.user@okta.local"}})))
			if got := w.do(200, "GET", "/Groups/"+gid, nil); len(got["members"].([]any)) != 1 || got["displayName"] != "Test SCIMv2 renamed" {
				t.Fatalf("group: %v", got)
			}
			w.do(204, "PATCH", "/Groups/"+gid, patch(op("remove", fmt.Sprintf(`members[value eq "%s"]`, id), nil)))
			if got := w.do(200, "GET", "/Groups/"+gid, nil); len(got["members"].([]any)) != 0 {
				t.Fatalf("member not removed: %v", got)
			}
			w.do(204, "DELETE", "/Groups/"+gid, nil)
		})
	}
}
