package adminapi_test

import (
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestBadInput sends hostile input to the API: every answer is a 4xx
// problem document naming the field, never a 500, and nothing is written.
func TestBadInput(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
			sub := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme Sub", "parentId": acct})
			grp := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": acct, "name": "G"})
			tmpl := ad.ID("POST", "/api/v1/templates", map[string]any{"name": "T", "contextTypes": []string{"account"},
				"values": []map[string]string{{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "true"}}})
			uid := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "u1", "domain": "ENTERPRISE", "contexts": []string{acct}, "status": "active"})

			big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
			cases := []struct {
				name, method, path string
				body               any
				ctype              string
				status             int
				field              string
			}{
				{"malformed JSON", "POST", "/api/v1/contexts", `{"type":"account",`, "", 400, "body"},
				{"not an object", "POST", "/api/v1/contexts", `[1,2]`, "", 400, ""},
				{"unknown field", "POST", "/api/v1/contexts", `{"type":"account","name":"x","parentId":"` + acct + `","color":"red"}`, "", 400, "color"},
				{"wrong type", "POST", "/api/v1/contexts", `{"type":"account","name":42}`, "", 400, "name"},
				{"trailing data", "POST", "/api/v1/contexts", `{"type":"account","name":"x","parentId":"` + acct + `"} {}`, "", 400, "body"},
				{"oversized body", "POST", "/api/v1/contexts", big, "", 400, "body"},
				{"wrong content type", "POST", "/api/v1/contexts", `type=account`, "application/x-www-form-urlencoded", 415, "Content-Type"},
				{"empty body", "POST", "/api/v1/groups", ``, "", 400, "body"},
				{"bad context type", "POST", "/api/v1/contexts", map[string]string{"type": "galaxy", "name": "x", "parentId": acct}, "", 400, "type"},
				{"customer under root", "POST", "/api/v1/contexts", map[string]string{"type": "customer", "name": "x", "parentId": env.RootID}, "", 400, "parentId"},
				{"second root", "POST", "/api/v1/contexts", map[string]string{"type": "root", "name": "x", "parentId": env.RootID}, "", 400, "type"},
				{"unknown parent", "POST", "/api/v1/contexts", map[string]string{"type": "account", "name": "x", "parentId": "00000000-0000-0000-0000-000000000000"}, "", 400, "parentId"},
				{"cycle", "PATCH", "/api/v1/contexts/" + acct, map[string]string{"parentId": sub}, "", 400, "parentId"},
				{"self parent", "PATCH", "/api/v1/contexts/" + acct, map[string]string{"parentId": acct}, "", 400, "parentId"},
				{"delete non-empty context", "DELETE", "/api/v1/contexts/" + acct, nil, "", 409, "id"},
				{"invalid CIDR", "PATCH", "/api/v1/groups/" + grp, map[string]any{"values": []map[string]string{{"module": "portal", "acl": "API IP Allow", "value": "10.0.0.0/33"}}}, "", 400, "values"},
				{"CIDR garbage", "PUT", "/api/v1/contexts/" + acct + "/policy", map[string]any{"values": []map[string]string{{"module": "portal", "acl": "API IP Allow", "value": "10.0.0.0/8,,; DROP"}}}, "", 400, "values"},
				{"boolean not boolean", "PATCH", "/api/v1/groups/" + grp, map[string]any{"values": []map[string]string{{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "yes"}}}, "", 400, "values"},
				{"unknown ACL", "PATCH", "/api/v1/groups/" + grp, map[string]any{"values": []map[string]string{{"module": "portal", "acl": "Fly", "value": "true"}}}, "", 400, "values"},
				{"user preference in group", "PATCH", "/api/v1/groups/" + grp, map[string]any{"values": []map[string]string{{"module": "portal", "acl": "Dashboard Panels", "value": "x"}}}, "", 400, "values"},
				{"duplicate group name", "POST", "/api/v1/groups", map[string]string{"contextId": acct, "name": "g"}, "", 409, "name"},
				{"template for wrong context type", "PUT", "/api/v1/contexts/" + env.RootID + "/policy", map[string]string{"templateId": tmpl}, "", 400, "templateId"},
				{"template without context types", "POST", "/api/v1/templates", map[string]any{"name": "Empty"}, "", 400, "contextTypes"},
				{"CSV bad row", "PUT", "/api/v1/templates/" + tmpl + "/csv", "module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,true\nportal,SIM Cards,No Such Right,boolean,true\n", "text/csv", 400, "csv"},
				{"CSV bad header", "PUT", "/api/v1/templates/" + tmpl + "/csv", "a,b\n", "text/csv", 400, "csv"},
				{"CSV wrong content type", "PUT", "/api/v1/templates/" + tmpl + "/csv", "module,category,acl,type,value\n", "application/json", 400, "Content-Type"},
				{"reactivate an active user", "POST", "/api/v1/users/" + uid + "/activate", nil, "", 409, "status"},
				{"discard an active user", "DELETE", "/api/v1/users/" + uid, nil, "", 409, "status"},
				{"unknown lifecycle action", "POST", "/api/v1/users/" + uid + "/explode", nil, "", 404, "action"},
				{"rights without context", "GET", "/api/v1/users/" + uid + "/rights", nil, "", 400, "contextId"},
				{"rights unknown module", "GET", "/api/v1/users/" + uid + "/rights?contextId=" + acct + "&module=zzz", nil, "", 400, "module"},
				{"bad paging", "GET", "/api/v1/contexts?limit=-1", nil, "", 400, "limit"},
				{"huge page", "GET", "/api/v1/contexts?limit=100000", nil, "", 400, "limit"},
				{"bad audit time", "GET", "/api/v1/audit?since=yesterday", nil, "", 400, "since"},
				{"bad status filter", "GET", "/api/v1/users?status=zombie", nil, "", 400, "status"},
				{"unknown user", "GET", "/api/v1/users/no-such-id", nil, "", 404, ""},
				{"unknown endpoint", "GET", "/api/v1/nothing", nil, "", 404, ""},
				{"bad module name", "PUT", "/api/v1/modules/Bad%20Name", map[string]any{"acls": []any{}}, "", 400, "name"},
				{"bad ACL type", "PUT", "/api/v1/modules/crm", map[string]any{"acls": []map[string]string{{"category": "C", "name": "N", "type": "number"}}}, "", 400, "acls"},
				{"bad domain kind", "PUT", "/api/v1/domains/X", map[string]string{"kind": "alien", "placement": "root"}, "", 400, "kind"},
			}
			for _, c := range cases {
				var r sesametest.Response
				switch b := c.body.(type) {
				case string:
					ct := c.ctype
					if ct == "" {
						ct = "application/json"
					}
					r = ad.Do(c.method, c.path, []byte(b), "Content-Type", ct)
				default:
					r = ad.Do(c.method, c.path, c.body)
				}
				if r.Status != c.status {
					t.Errorf("%s: status %d, want %d: %.300s", c.name, r.Status, c.status, r.Body)
					continue
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("%s: Content-Type %q", c.name, ct)
				}
				p := r.Map(t)
				if p["status"].(float64) != float64(c.status) || p["title"] == "" {
					t.Errorf("%s: not a problem document: %s", c.name, r.Body)
				}
				if c.field != "" && p["field"] != c.field {
					t.Errorf("%s: field %v, want %q (%s)", c.name, p["field"], c.field, r.Body)
				}
				if strings.Contains(string(r.Body), "goroutine") || strings.Contains(string(r.Body), ".go:") {
					t.Errorf("%s: stack trace in answer", c.name)
				}
			}
			// Nothing from the failed calls was written.
			if v := ad.Must(200, "GET", "/api/v1/groups/"+grp, nil).Map(t)["values"].([]any); len(v) != 0 {
				t.Errorf("a rejected update wrote values: %v", v)
			}
			tv := ad.Must(200, "GET", "/api/v1/templates/"+tmpl, nil).Map(t)["values"].([]any)
			if len(tv) != 1 {
				t.Errorf("a rejected CSV import changed the template: %v", tv)
			}
			if ad.Must(200, "GET", "/api/v1/contexts/"+acct+"/policy", nil).Map(t)["hasPolicy"] == true {
				t.Error("a rejected policy was stored")
			}
			// SQL metacharacters in search match literally and never fail.
			for _, q := range []string{"%", "_", "'", `\`, `'; DROP TABLE contexts; --`, "Acme%", `"`} {
				r := ad.Do("GET", "/api/v1/contexts?q="+urlQuery(q), nil)
				if r.Status != 200 {
					t.Errorf("search %q: %d %s", q, r.Status, r.Body)
					continue
				}
				var res struct{ Items []any }
				r.JSON(t, &res)
				if len(res.Items) != 0 {
					t.Errorf("search %q matched %d contexts; metacharacters must match literally", q, len(res.Items))
				}
				ad.Must(200, "GET", "/api/v1/users?q="+urlQuery(q), nil)
			}
			// NUL bytes (which PostgreSQL cannot store) are refused up front.
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/v1/contexts?q=%00", ""},
				{"GET", "/api/v1/users/%00", ""},
				{"POST", "/api/v1/contexts", `{"type":"account","name":"a\u0000b","parentId":"` + acct + `"}`},
			} {
				var r sesametest.Response
				if c.body == "" {
					r = ad.Do(c.method, c.path, nil)
				} else {
					r = ad.Do(c.method, c.path, []byte(c.body))
				}
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("NUL in %s %s: %d %s", c.method, c.path, r.Status, r.Body)
				}
			}
			ad.Must(200, "GET", "/api/v1/contexts/"+acct, nil)
		})
	}
}

func urlQuery(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		b.WriteString("%")
		b.WriteString(strings.ToUpper(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])))
	}
	return b.String()
}
