package adminapi_test

import (
	"net/http"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestStrictJSON: member names match exactly (encoding/json would take
// "Name" or "NAME" for "name"), a duplicate member is refused rather than
// last-one-wins (a proxy or WAF that reads the first one sees another
// request than Sesame), and a body without Content-Type: application/json
// is 415 Unsupported Media Type (a cross-site form or text/plain POST never
// reaches a handler). Nothing is written by any of them.
func TestStrictJSON(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
			for _, c := range []struct {
				name, path, body, ctype string
				status                  int
				field                   string
			}{
				{"member name in another case", "/api/v1/contexts", `{"type":"account","Name":"Evil","parentId":"` + acct + `"}`, "application/json", 400, "Name"},
				{"member name upper case", "/api/v1/contexts", `{"TYPE":"account","name":"Evil","parentId":"` + acct + `"}`, "application/json", 400, "TYPE"},
				{"duplicate member", "/api/v1/contexts", `{"type":"account","name":"Good","name":"Evil","parentId":"` + acct + `"}`, "application/json", 400, "name"},
				{"duplicate nested member", "/api/v1/users", `{"loginName":"evil","domain":"ENTERPRISE","contexts":["` + acct + `"],"status":"active","person":{"email":"a@x.example","email":"b@x.example"}}`, "application/json", 400, "person.email"},
				{"duplicate in other case", "/api/v1/contexts", `{"type":"account","name":"Good","NAME":"Evil","parentId":"` + acct + `"}`, "application/json", 400, "NAME"},
				{"no Content-Type", "/api/v1/contexts", `{"type":"account","name":"Evil","parentId":"` + acct + `"}`, "", 415, "Content-Type"},
				{"text/plain", "/api/v1/contexts", `{"type":"account","name":"Evil","parentId":"` + acct + `"}`, "text/plain", 415, "Content-Type"},
				{"form", "/api/v1/contexts", `{"type":"account","name":"Evil","parentId":"` + acct + `"}`, "application/x-www-form-urlencoded", 415, "Content-Type"},
				{"look-alike type", "/api/v1/contexts", `{"type":"account","name":"Evil","parentId":"` + acct + `"}`, "application/jsonx", 415, "Content-Type"},
				{"garbage type", "/api/v1/contexts", `{"type":"account","name":"Evil","parentId":"` + acct + `"}`, ";;;", 415, "Content-Type"},
			} {
				r := ad.Do("POST", c.path, []byte(c.body), "Content-Type", c.ctype)
				if r.Status != c.status {
					t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Body)
					continue
				}
				if p := r.Map(t); p["field"] != c.field {
					t.Errorf("%s: field %v, want %q: %s", c.name, p["field"], c.field, r.Body)
				}
			}
			if items := ad.Must(http.StatusOK, "GET", "/api/v1/contexts?q=Evil", nil).Map(t)["items"].([]any); len(items) != 0 {
				t.Errorf("a refused body was written: %v", items)
			}
			if items := ad.Must(http.StatusOK, "GET", "/api/v1/users?q=evil", nil).Map(t)["items"].([]any); len(items) != 0 {
				t.Errorf("a refused body was written: %v", items)
			}
			// The exact form, with a charset parameter, still works.
			ad.Do("POST", "/api/v1/contexts", []byte(`{"type":"account","name":"Fine","parentId":"`+acct+`"}`), "Content-Type", "application/json; charset=utf-8")
			if items := ad.Must(http.StatusOK, "GET", "/api/v1/contexts?q=Fine", nil).Map(t)["items"].([]any); len(items) != 1 {
				t.Errorf("application/json; charset=utf-8 was refused")
			}
		})
	}
}
