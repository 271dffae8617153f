package adminapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestPasswordPolicyOnAPI (issue 9 §2.1): creating a user with a weak
// password and resetting a password to a weak one answer 400 naming the
// broken rule, and write nothing: no user is created, the old password
// still signs in, on SQLite and PostgreSQL.
func TestPasswordPolicyOnAPI(t *testing.T) {
	weak := []struct{ pw, code string }{
		{"short-pw", "too_short"},
		{strings.Repeat("x", 300), "too_long"},
		{"i-am-carol-the-user", "contains_login"},
		{"lorac-backwards-1", "contains_login"},
		{"carol.smith-at-home", "contains_email"},
		{"password1234", "common"},
		{"Qwertyuiop123", "common"},
	}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			user := func(pw string) map[string]any {
				return map[string]any{"loginName": "carol", "domain": "CSP", "contexts": []string{env.RootID}, "status": "active",
					"person": map[string]string{"email": "Carol.Smith@example.com"}, "password": pw}
			}
			refuses := func(what string, do func(pw string) sesametest.Response) {
				for _, w := range weak {
					r := do(w.pw)
					if r.Status != http.StatusBadRequest {
						t.Errorf("%s %q: status %d, want 400 naming %s", what, w.pw, r.Status, w.code)
						continue
					}
					if p := r.Map(t); p["field"] != "password" || !strings.Contains(p["detail"].(string), w.code+": ") {
						t.Errorf("%s %q: %v, want 400 naming %s", what, w.pw, p, w.code)
					}
				}
			}
			refuses("create", func(pw string) sesametest.Response { return ad.Do("POST", "/api/v1/users", user(pw)) })
			if _, err := env.Store.UserBySlugLogin(context.Background(), identity.RootSlug, "carol"); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("a refused create wrote a user: %v", err)
			}
			const good = "ruby-lantern-orbit-123"
			id := ad.ID("POST", "/api/v1/users", user(good))
			refuses("reset", func(pw string) sesametest.Response {
				return ad.Do("PUT", "/api/v1/users/"+id+"/password", map[string]string{"password": pw})
			})
			if me(t, env, "carol", good) != id {
				t.Fatal("a refused reset changed the password")
			}
			ad.Must(204, "PUT", "/api/v1/users/"+id+"/password", map[string]string{"password": "amber-kettle-fjord-77"})
			if me(t, env, "carol", "amber-kettle-fjord-77") != id {
				t.Fatal("an acceptable reset did not take")
			}
		})
	}
}
