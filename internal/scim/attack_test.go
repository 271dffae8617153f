package scim_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

func newUser(w *world, name string) string {
	w.t.Helper()
	u := w.do(201, "POST", "/Users", map[string]any{"userName": name, "externalId": "ext-" + name,
		"emails": []any{map[string]any{"value": name + "@example.com", "primary": true}}})
	return u["id"].(string)
}

// TestBadInputAndAttacks: the list, each refused with a clear
// SCIM error and nothing written.
func TestBadInputAndAttacks(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ann := newUser(w, "ann")
			// A token of tenant B reads and writes nothing of tenant A.
			_, _, tokB := w.newTenant("Fabrikam")
			for _, req := range []struct{ method, path string }{{"GET", "/Users/" + ann}, {"PUT", "/Users/" + ann},
				{"PATCH", "/Users/" + ann}, {"DELETE", "/Users/" + ann}} {
				var body any = patch(op("replace", "active", false))
				if req.method == "PUT" {
					body = map[string]any{"userName": "stolen"}
				}
				r := w.scim(tokB, req.method, req.path, body)
				scimError(t, r, 404, "", "not found")
				if strings.Contains(string(r.Body), "ann") {
					t.Errorf("%s leaks: %s", req.path, r.Body)
				}
			}
			if r := w.scim(tokB, "GET", "/Users?filter="+query(`userName eq "ann"`), nil); !strings.Contains(string(r.Body), `"totalResults":0`) {
				t.Errorf("tenant B finds A's user: %s", r.Body)
			}
			if r := w.scim(tokB, "GET", "/Users", nil); strings.Contains(string(r.Body), ann) {
				t.Errorf("tenant B lists A's user: %s", r.Body)
			}
			// Unknown, malformed, missing tokens; a SCIM token on the admin API.
			scimError(t, w.scim("scim_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "GET", "/Users", nil), 401, "", "invalid")
			scimError(t, w.env.As("", "").Do("GET", "/scim/v2/Users", nil), 401, "", "bearer")
			if r := w.env.As("", "").Do("GET", "/api/v1/users", nil, "Authorization", "Bearer "+w.token); r.Status != 401 {
				t.Errorf("SCIM token on the admin API: %d %s", r.Status, r.Body)
			}
			// Bad filters: the error names the position; no SQL error.
			scimError(t, w.scim(w.token, "GET", "/Users?filter="+query(`userName eq`), nil), 400, "invalidFilter", "position 12")
			scimError(t, w.scim(w.token, "GET", "/Users?filter="+query(`userName xx "a"`), nil), 400, "invalidFilter", "position 10")
			scimError(t, w.scim(w.token, "GET", "/Users?filter="+query(`(userName eq "a"`), nil), 400, "invalidFilter", "position 17")
			scimError(t, w.scim(w.token, "GET", "/Users?filter="+query(`password eq "a"`), nil), 400, "invalidFilter", "position 1")
			scimError(t, w.scim(w.token, "GET", "/Users?filter="+query(`userName eq "a`), nil), 400, "invalidFilter", "position 13")
			// Injection: data, never SQL.
			for _, f := range []string{`userName eq "ann' OR '1'='1"`, `userName co "%"`, `userName eq "\u0027; DROP TABLE users; --"`} {
				if r := w.do(200, "GET", "/Users?filter="+query(f), nil); total(t, r) != 0 {
					t.Errorf("filter %s matched: %v", f, r)
				}
			}
			w.do(200, "GET", "/Users/"+ann, nil)
			// Huge count is capped; a count that is not a number is refused.
			if r := w.do(200, "GET", "/Users?count=100000000", nil); r["itemsPerPage"].(float64) > 200 {
				t.Errorf("count not capped: %v", r["itemsPerPage"])
			}
			scimError(t, w.scim(w.token, "GET", "/Users?count=99999999999999999999999", nil), 400, "invalidValue", "count")
			// Oversized body.
			big := map[string]any{"userName": "big", "displayName": strings.Repeat("x", 2<<20)}
			scimError(t, w.scim(w.token, "POST", "/Users", big), 413, "", "larger")
			// Unknown attribute, unknown schema, duplicate userName.
			scimError(t, w.scim(w.token, "POST", "/Users", map[string]any{"userName": "x", "shoeSize": "42"}), 400, "invalidValue", "shoeSize")
			scimError(t, w.scim(w.token, "POST", "/Users", map[string]any{"userName": "x", "schemas": []string{"urn:example:evil"}}), 400, "invalidValue", "urn:example:evil")
			scimError(t, w.scim(w.token, "POST", "/Users", map[string]any{"userName": "ANN"}), 409, "uniqueness", "taken")
			// Read-only attributes in PATCH and PUT.
			scimError(t, w.scim(w.token, "PATCH", "/Users/"+ann, patch(op("replace", "id", "other"))), 400, "mutability", "read-only")
			scimError(t, w.scim(w.token, "PATCH", "/Users/"+ann, patch(op("replace", "meta.created", "2020-01-01T00:00:00Z"))), 400, "mutability", "read-only")
			scimError(t, w.scim(w.token, "PUT", "/Users/"+ann, map[string]any{"id": "someone-else", "userName": "ann"}), 400, "mutability", "id")
			scimError(t, w.scim(w.token, "PATCH", "/Users/"+ann, patch(op("replace", "nosuch.attr", "x"))), 400, "invalidPath", "nosuch")
			// A PATCH that fails half way writes nothing.
			before := w.do(200, "GET", "/Users/"+ann, nil)
			scimError(t, w.scim(w.token, "PATCH", "/Users/"+ann, patch(op("replace", "displayName", "Changed"), op("replace", "active", "maybe"))),
				400, "invalidValue", "operation 2")
			after := w.do(200, "GET", "/Users/"+ann, nil)
			if after["displayName"] != nil || after["meta"].(map[string]any)["version"] != before["meta"].(map[string]any)["version"] {
				t.Errorf("half a PATCH was written: %v", after)
			}
			// If-Match with an old version.
			scimError(t, w.scim(w.token, "PATCH", "/Users/"+ann, patch(op("replace", "title", "x")), "If-Match", `W/"1"`), 412, "", "changed")
			w.do(200, "PATCH", "/Users/"+ann, patch(op("replace", "title", "x")), "If-Match", before["meta"].(map[string]any)["version"].(string))
			// A revoked token stops at once.
			w.env.Admin().Must(204, "DELETE", "/api/v1/scim-credentials/"+w.credID, nil)
			scimError(t, w.scim(w.token, "GET", "/Users", nil), 401, "", "invalid")
		})
	}
}

// TestConcurrentMembers: concurrent PATCHes of one group's members lose
// nothing.
func TestConcurrentMembers(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			gid := w.do(201, "POST", "/Groups", map[string]any{"displayName": "All"})["id"].(string)
			const n = 12
			ids := make([]string, n)
			for i := range ids {
				ids[i] = newUser(w, fmt.Sprintf("user%d", i))
			}
			var wg sync.WaitGroup
			errs := make(chan string, n)
			for _, id := range ids {
				wg.Add(1)
				go func(id string) {
					defer wg.Done()
					r := w.env.As("", "").Do("PATCH", "/scim/v2/Groups/"+gid, patch(op("add", "members", []any{map[string]any{"value": id}})),
						"Authorization", "Bearer "+w.token)
					if r.Status != 204 {
						errs <- fmt.Sprintf("%d %s", r.Status, r.Body)
					}
				}(id)
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			if got := w.do(200, "GET", "/Groups/"+gid, nil); len(got["members"].([]any)) != n {
				t.Errorf("members after concurrent adds: %d, want %d", len(got["members"].([]any)), n)
			}
		})
	}
}

// TestAuditActor: every SCIM change is audited with the credential as
// actor.
func TestAuditActor(t *testing.T) {
	w := newWorld(t, "sqlite")
	id := newUser(w, "audited")
	w.do(200, "PATCH", "/Users/"+id, patch(op("replace", "active", false)))
	w.do(204, "DELETE", "/Users/"+id, nil)
	evs, _, err := w.env.Store.ListAudit(t.Context(), model.AuditFilter{TargetID: id, Page: model.Page{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if e.ActorID != "scim:"+w.credID {
			t.Errorf("%s audited with actor %q", e.Action, e.ActorID)
		}
		seen[e.Action] = true
	}
	for _, a := range []string{"user.create", "user.update", "user.deactivate", "user.delete"} {
		if !seen[a] {
			t.Errorf("no %s event (have %v)", a, seen)
		}
	}
}
