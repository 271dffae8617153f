package adminapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// apiWorld: account Acme (with customer Acme Shop) under tenant T; group
// "API users" grants portal API access from 203.0.113.0/24 and
// 2001:db8:1::/48 plus one SIM right; "Anywhere" grants 0.0.0.0/0.
type apiWorld struct {
	env                         *sesametest.Env
	tenant, acct, shop, other   string
	api, anywhere, noapi, rootu string
	apiKey                      string
}

func newAPIWorld(t *testing.T, backend string) *apiWorld {
	env := sesametest.New(t, backend)
	ad := env.Admin()
	w := &apiWorld{env: env}
	w.tenant = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "T", "parentId": env.RootID})
	w.acct = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "number": "A-1", "parentId": w.tenant})
	w.shop = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "customer", "name": "Acme Shop", "parentId": w.acct})
	w.other = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Other", "parentId": w.tenant})
	gAPI := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.acct, "name": "API users", "values": []map[string]string{
		{"module": "portal", "acl": "API IP Allow", "value": "203.0.113.0/24, 2001:db8:1::/48"},
		{"module": "portal", "acl": "SIM - Price Plan Modify", "value": "true"},
	}})
	gAny := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.acct, "name": "Anywhere", "values": []map[string]string{
		{"module": "portal", "acl": "API IP Allow", "value": "0.0.0.0/0"},
	}})
	user := func(login, ctx, group string) string {
		id := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{ctx}, "status": "active", "password": pw})
		if group != "" {
			ad.Must(204, "POST", "/api/v1/groups/"+group+"/members", map[string]string{"userId": id})
		}
		return id
	}
	w.api = user("api", w.acct, gAPI)
	w.anywhere = user("anywhere", w.acct, gAny)
	w.noapi = user("noapi", w.acct, "")
	w.rootu = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "ops", "domain": "CSP", "contexts": []string{env.RootID}, "status": "active", "password": pw})
	w.apiKey = ad.Must(201, "POST", "/api/v1/users/"+w.api+"/api-keys", map[string]string{"name": "legacy"}).Map(t)["key"].(string)
	return w
}

type decision struct {
	Allow     bool   `json:"allow"`
	Reason    string `json:"reason"`
	ContextID string `json:"contextId"`
	Module    string `json:"module"`
	Via       string `json:"via"`
	User      *struct {
		ID, LoginName, TenantID string
	} `json:"user"`
	ACL *struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Value any    `json:"value"`
	} `json:"acl"`
}

func login(l, p string) map[string]string { return map[string]string{"login": l, "password": p} }

// TestAuthorizeAPI is the policy decision of POST /api/v1/authorize
// (R-SSO-6): credentials of every kind, user status, context, module
// access (R-MOD-*), API IP Allow with IPv4 and IPv6 (R-ACL-3), a named
// right; every decision is a 200 with a reason, and audited.
func TestAuthorizeAPI(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			ad := w.env.Admin()
			cases := []struct {
				name   string
				creds  any
				ip     string
				module string
				acl    string
				ctx    string
				allow  bool
				reason string
				via    string
			}{
				{"password, IPv4 in range", login("t/api", pw), "203.0.113.7", "portal", "", "", true, "", "basic"},
				{"IPv4 out of range", login("t/api", pw), "198.51.100.9", "portal", "", "", false, "ip 198.51.100.9 not in API IP Allow", ""},
				{"IPv4 next to the range", login("t/api", pw), "203.0.114.0", "portal", "", "", false, "ip 203.0.114.0 not in API IP Allow", ""},
				{"IPv6 in range", login("t/api", pw), "2001:db8:1:ffff::5", "portal", "", "", true, "", ""},
				{"IPv6 out of range", login("t/api", pw), "2001:db8:2::5", "portal", "", "", false, "ip 2001:db8:2::5 not in API IP Allow", ""},
				{"IPv6 spelled long", login("t/api", pw), "2001:0db8:0001:0000:0000:0000:0000:0001", "portal", "", "", true, "", ""},
				{"IPv4-mapped IPv6", login("t/api", pw), "::ffff:203.0.113.9", "portal", "", "", true, "", ""},
				{"IPv4-mapped IPv6 out of range", login("t/api", pw), "::ffff:198.51.100.9", "portal", "", "", false, "ip 198.51.100.9 not in API IP Allow", ""},
				{"0.0.0.0/0 lets IPv4 in", login("t/anywhere", pw), "198.51.100.9", "portal", "", "", true, "", ""},
				{"0.0.0.0/0 lets IPv6 in", login("t/anywhere", pw), "2001:db8:ffff::1", "portal", "", "", true, "", ""},
				{"no API IP Allow", login("t/noapi", pw), "203.0.113.7", "portal", "", "", false, "no API access: API IP Allow not set", ""},
				{"API key as Basic password", login("t/api", w.apiKey), "203.0.113.7", "portal", "", "", true, "", "apikey"},
				{"API key alone", map[string]string{"apiKey": w.apiKey}, "203.0.113.7", "portal", "", "", true, "", "apikey"},
				{"API key as bearer", map[string]string{"bearer": w.apiKey}, "2001:db8:1::1", "portal", "", "", true, "", "apikey"},
				{"API key with IP out of range", map[string]string{"apiKey": w.apiKey}, "198.51.100.9", "portal", "", "", false, "ip 198.51.100.9 not in API IP Allow", ""},
				{"wrong password", login("t/api", "wrong-password-1"), "203.0.113.7", "portal", "", "", false, "invalid credentials", ""},
				{"unknown user", login("ghost", pw), "203.0.113.7", "portal", "", "", false, "invalid credentials", ""},
				{"another user's key", login("t/noapi", w.apiKey), "203.0.113.7", "portal", "", "", false, "invalid credentials", ""},
				{"wrong key", map[string]string{"apiKey": fakeKey}, "203.0.113.7", "portal", "", "", false, "invalid credentials", ""},
				{"not a key", map[string]string{"apiKey": "hunter2"}, "203.0.113.7", "portal", "", "", false, "invalid credentials", ""},
				{"bearer JWT without verifier", map[string]string{"bearer": "eyJhbGciOiJSUzI1NiJ9.e30.sig"}, "203.0.113.7", "portal", "", "", false, "invalid credentials", ""},
				{"module rm", login("t/api", pw), "203.0.113.7", "rm", "", "", false, "user may not use module rm", ""},
				{"root user in rm, no API IP Allow", login("ops", pw), "203.0.113.7", "rm", "", "", false, "no API access: API IP Allow not set", ""},
				{"granted right", login("t/api", pw), "203.0.113.7", "portal", "SIM - Price Plan Modify", "", true, "", ""},
				{"right not granted", login("t/api", pw), "203.0.113.7", "portal", "SIM - Terminate", "", false, `right "SIM - Terminate" of module portal is not granted`, ""},
				{"text right reported", login("t/api", pw), "203.0.113.7", "portal", "API IP Allow", "", true, "", ""},
				{"explicit context", login("t/api", pw), "203.0.113.7", "portal", "", "acct", true, "", ""},
				{"context the user is not in", login("t/api", pw), "203.0.113.7", "portal", "", "other", false, "user may not act in context", ""},
				{"unknown context", login("t/api", pw), "203.0.113.7", "portal", "", "no-such-context", false, "user may not act in context", ""},
				// Partners act for their customers, but the groups of the
				// account do not reach into the customer context.
				{"customer context", login("t/api", pw), "203.0.113.7", "portal", "", "shop", false, "no API access: API IP Allow not set", ""},
			}
			ctxOf := map[string]string{"acct": w.acct, "other": w.other, "shop": w.shop, "no-such-context": "no-such-context"}
			for _, c := range cases {
				body := map[string]any{"credentials": c.creds, "ip": c.ip, "module": c.module}
				if c.acl != "" {
					body["acl"] = c.acl
				}
				if c.ctx != "" {
					body["contextId"] = ctxOf[c.ctx]
				}
				r := ad.Do("POST", "/api/v1/authorize", body)
				if r.Status != 200 {
					t.Errorf("%s: status %d: %s", c.name, r.Status, r.Body)
					continue
				}
				var d decision
				r.JSON(t, &d)
				if d.Allow != c.allow || !strings.HasPrefix(d.Reason, c.reason) || (c.allow && d.Reason != "") {
					t.Errorf("%s: allow %v reason %q, want %v %q", c.name, d.Allow, d.Reason, c.allow, c.reason)
				}
				if c.via != "" && d.Via != c.via {
					t.Errorf("%s: via %q, want %q", c.name, d.Via, c.via)
				}
				if d.Module != c.module {
					t.Errorf("%s: module %q", c.name, d.Module)
				}
				if c.reason == "invalid credentials" {
					if d.User != nil || strings.Contains(string(r.Body), w.api) || strings.Contains(string(r.Body), w.noapi) {
						t.Errorf("%s: a failed login names a user: %s", c.name, r.Body)
					}
				} else if d.User == nil || d.User.ID == "" || d.User.TenantID == "" {
					t.Errorf("%s: no user in %s", c.name, r.Body)
				}
				if c.allow && d.ContextID != w.acct {
					t.Errorf("%s: context %q, want the account", c.name, d.ContextID)
				}
				if strings.Contains(string(r.Body), pw) || strings.Contains(string(r.Body), w.apiKey) {
					t.Errorf("%s: the answer echoes a secret", c.name)
				}
			}
			// The ACL part of the answer.
			check := func(acl string, wantType string, want any) {
				var d decision
				ad.Must(200, "POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal", "acl": acl}).JSON(t, &d)
				if d.ACL == nil || d.ACL.Name != acl || d.ACL.Type != wantType || d.ACL.Value != want {
					t.Errorf("acl %s: %+v", acl, d.ACL)
				}
			}
			check("SIM - Price Plan Modify", "boolean", true)
			check("SIM - Terminate", "boolean", false)
			check("API IP Allow", "text", "203.0.113.0/24, 2001:db8:1::/48")
			var d decision
			ad.Must(200, "POST", "/api/v1/authorize", map[string]any{"credentials": login("t/noapi", pw), "ip": "203.0.113.7", "module": "portal", "acl": "API IP Allow"}).JSON(t, &d)
			if d.ACL == nil || d.ACL.Value != nil {
				t.Errorf("unassigned text right: %+v", d.ACL)
			}

			// A context policy that does not assign API IP Allow removes it
			// (R-EFF-5).
			ad.Must(200, "PUT", "/api/v1/contexts/"+w.acct+"/policy", map[string]any{"values": []map[string]string{{"module": "portal", "acl": "SIM - View", "value": "true"}}})
			ad.Must(200, "POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal"}).JSON(t, &d)
			if d.Allow || d.Reason != "no API access: API IP Allow not set" {
				t.Errorf("policy without API IP Allow: %+v", d)
			}
			ad.Must(204, "DELETE", "/api/v1/contexts/"+w.acct+"/policy", nil)

			// Inactive users are refused, whatever the credential.
			ad.Must(200, "POST", "/api/v1/users/"+w.api+"/deactivate", nil)
			for _, creds := range []any{login("t/api", pw), map[string]string{"apiKey": w.apiKey}, map[string]string{"bearer": w.apiKey}} {
				ad.Must(200, "POST", "/api/v1/authorize", map[string]any{"credentials": creds, "ip": "203.0.113.7", "module": "portal"}).JSON(t, &d)
				if d.Allow || d.Reason != "invalid credentials" {
					t.Errorf("inactive user: %+v", d)
				}
			}
			ad.Must(200, "POST", "/api/v1/users/"+w.api+"/reactivate", nil)

			// Any authenticated caller may ask, with a password or a key.
			w.env.As("t/noapi", pw).Must(200, "POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal"})
			if r := bearer(w.env, w.apiKey)("POST", "/api/v1/authorize", map[string]any{"credentials": login("t/anywhere", pw), "ip": "192.0.2.1", "module": "portal"}); r.Status != 200 || !strings.Contains(string(r.Body), `"allow":true`) {
				t.Errorf("portal with an API key: %d %s", r.Status, r.Body)
			}
			want401(t, "anonymous portal", w.env.As("", "").Do("POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal"}))

			// Every decision is audited, never with a secret.
			audit := ad.Must(200, "GET", "/api/v1/audit?action=api.authorize&limit=500", nil)
			var events struct{ Items []model.AuditEvent }
			audit.JSON(t, &events)
			if len(events.Items) < len(cases) {
				t.Errorf("%d decisions audited, want at least %d", len(events.Items), len(cases))
			}
			if strings.Contains(string(audit.Body), pw) || strings.Contains(string(audit.Body), w.apiKey) || !strings.Contains(string(audit.Body), "denied") {
				t.Errorf("audit of decisions: %s", audit.Body)
			}
		})
	}
}

// TestAuthorizeBearerVerifier: bearer tokens that are not API keys go to
// the verifier hook (SetBearerVerifier) — on the admin API and in
// decisions; the token's module and context bind the decision.
func TestAuthorizeBearerVerifier(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			ad := w.env.Admin()
			u, err := w.env.Store.GetUser(context.Background(), w.api)
			if err != nil {
				t.Fatal(err)
			}
			w.env.Handler.API.SetBearerVerifier(func(ctx context.Context, token string) (directory.Actor, error) {
				switch token {
				case "good-token":
					return directory.Actor{User: u, ContextID: w.acct, ClientID: "portal-app", Module: "portal", Scopes: []string{"openid", "rights"}}, nil
				case "shop-token":
					return directory.Actor{User: u, ContextID: w.shop, ClientID: "portal-app", Module: "portal"}, nil
				case "broken-token":
					return directory.Actor{}, errors.New("jwt: malformed header")
				case "stranger-token":
					return directory.Actor{}, nil
				}
				return directory.Actor{}, model.Errorf(model.EUNAUTHORIZED, "", "token expired")
			})
			ask := func(token, module, ctx string) decision {
				body := map[string]any{"credentials": map[string]string{"bearer": token}, "ip": "203.0.113.7", "module": module}
				if ctx != "" {
					body["contextId"] = ctx
				}
				var d decision
				ad.Must(200, "POST", "/api/v1/authorize", body).JSON(t, &d)
				return d
			}
			if d := ask("good-token", "portal", ""); !d.Allow || d.Via != "bearer" || d.ContextID != w.acct || d.User.ID != w.api {
				t.Errorf("good token: %+v", d)
			}
			if d := ask("good-token", "rm", ""); d.Allow || d.Reason != "the token was issued for module portal, not rm" {
				t.Errorf("token for another module: %+v", d)
			}
			if d := ask("good-token", "portal", w.shop); d.Allow || !strings.HasPrefix(d.Reason, "the token was issued for another context") {
				t.Errorf("token for another context: %+v", d)
			}
			if d := ask("shop-token", "portal", ""); d.Allow || d.ContextID != w.shop || d.Reason != "no API access: API IP Allow not set" {
				t.Errorf("token for a customer context: %+v", d)
			}
			for _, tok := range []string{"expired-token", "broken-token", "stranger-token", strings.Repeat("t", 9000)} {
				if len(tok) > 8192 {
					r := ad.Do("POST", "/api/v1/authorize", map[string]any{"credentials": map[string]string{"bearer": tok}, "ip": "203.0.113.7", "module": "portal"})
					if r.Status != 400 || r.Map(t)["field"] != "credentials.bearer" {
						t.Errorf("huge bearer: %d %s", r.Status, r.Body)
					}
					continue
				}
				if d := ask(tok, "portal", ""); d.Allow || d.Reason != "invalid credentials" || d.User != nil {
					t.Errorf("%s: %+v", tok, d)
				}
			}

			// The admin API takes the same tokens.
			call := bearer(w.env, "good-token")
			if r := call("GET", "/api/v1/me", nil); r.Status != 200 || r.Map(t)["id"] != w.api {
				t.Errorf("me with a token: %d %s", r.Status, r.Body)
			}
			var rights struct {
				ContextID, Module string
				Rights            []map[string]any
			}
			if r := call("GET", "/api/v1/me/rights", nil); r.Status != 200 {
				t.Errorf("own rights with a token: %d %s", r.Status, r.Body)
			} else if r.JSON(t, &rights); rights.ContextID != w.acct || rights.Module != "portal" || len(rights.Rights) == 0 {
				t.Errorf("own rights default to the token's context and module: %s %s %d", rights.ContextID, rights.Module, len(rights.Rights))
			}
			for _, tok := range []string{"expired-token", "broken-token", "stranger-token"} {
				want401(t, tok, bearer(w.env, tok)("GET", "/api/v1/me", nil))
			}
			// A key is still a key, whatever the verifier says.
			if r := bearer(w.env, w.apiKey)("GET", "/api/v1/me", nil); r.Status != 200 {
				t.Errorf("API key with a verifier set: %d", r.Status)
			}
			w.env.Handler.API.SetBearerVerifier(nil)
			want401(t, "verifier removed", call("GET", "/api/v1/me", nil))
		})
	}
}

// TestAuthorizeBadInput: a malformed question is a 400 naming the field,
// never a decision and never a 500.
func TestAuthorizeBadInput(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			ad := w.env.Admin()
			ok := map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal"}
			with := func(k string, v any) map[string]any {
				m := map[string]any{}
				for a, b := range ok {
					m[a] = b
				}
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
				return m
			}
			cases := []struct {
				name  string
				body  any
				field string
			}{
				{"malformed JSON", `{"credentials":`, "body"},
				{"not an object", `["api"]`, "body"},
				{"empty body", ``, "body"},
				{"trailing data", `{"ip":"203.0.113.7"} x`, "body"},
				{"unknown field", with("user", "api"), "user"},
				{"unknown credential field", with("credentials", map[string]string{"token": "x"}), "token"},
				{"credentials not an object", with("credentials", "api:pw"), "credentials"},
				{"password not a string", with("credentials", map[string]any{"login": "t/api", "password": 12345}), "credentials.password"},
				{"no credentials", with("credentials", nil), "credentials"},
				{"null credentials", `{"credentials":null,"ip":"203.0.113.7","module":"portal"}`, "credentials"},
				{"empty credentials", with("credentials", map[string]string{}), "credentials"},
				{"two kinds", with("credentials", map[string]string{"login": "t/api", "password": pw, "apiKey": w.apiKey}), "credentials"},
				{"bearer and key", with("credentials", map[string]string{"bearer": "x", "apiKey": w.apiKey}), "credentials"},
				{"login without password", with("credentials", map[string]string{"login": "t/api"}), "credentials.password"},
				{"password without login", with("credentials", map[string]string{"password": pw}), "credentials.login"},
				{"empty bearer", with("credentials", map[string]string{"bearer": ""}), "credentials.bearer"},
				{"empty password", with("credentials", map[string]string{"login": "t/api", "password": ""}), "credentials.password"},
				{"oversized login", with("credentials", map[string]string{"login": strings.Repeat("a", 401), "password": pw}), "credentials.login"},
				{"oversized password", with("credentials", map[string]string{"login": "t/api", "password": strings.Repeat("p", 1025)}), "credentials.password"},
				{"oversized key", with("credentials", map[string]string{"apiKey": "sk_" + strings.Repeat("k", 300)}), "credentials.apiKey"},
				{"NUL in login", `{"credentials":{"login":"a\u0000b","password":"x"},"ip":"203.0.113.7","module":"portal"}`, "body"},
				{"missing ip", with("ip", nil), "ip"},
				{"empty ip", with("ip", ""), "ip"},
				{"ip not a string", with("ip", 3405803783), "ip"},
				{"ip out of range", with("ip", "300.1.1.1"), "ip"},
				{"ip with prefix", with("ip", "203.0.113.0/24"), "ip"},
				{"ip with port", with("ip", "203.0.113.7:443"), "ip"},
				{"ip with zone", with("ip", "fe80::1%eth0"), "ip"},
				{"ip with spaces", with("ip", " 203.0.113.7"), "ip"},
				{"hostname", with("ip", "localhost"), "ip"},
				{"oversized ip", with("ip", strings.Repeat("1", 100)), "ip"},
				{"missing module", with("module", nil), "module"},
				{"unknown module", with("module", "zzz"), "module"},
				{"oversized module", with("module", strings.Repeat("m", 65)), "module"},
				{"unknown acl", with("acl", "Fly"), "acl"},
				{"preference acl", with("acl", "Dashboard Panels"), "acl"},
				{"acl of another module", with("acl", "bmModuleAccess"), "acl"},
				{"oversized context", with("contextId", strings.Repeat("c", 65)), "contextId"},
				{"oversized body", `{"ip":"` + strings.Repeat("1", 2<<20) + `"}`, "body"},
			}
			for _, c := range cases {
				r := ad.Do("POST", "/api/v1/authorize", c.body)
				if r.Status != 400 {
					t.Errorf("%s: status %d, want 400: %s", c.name, r.Status, r.Body)
					continue
				}
				if p := r.Map(t); p["field"] != c.field || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: field %v, want %s: %s", c.name, p["field"], c.field, r.Body)
				}
			}
			if r := ad.Do("POST", "/api/v1/authorize", `{}`, "Content-Type", "text/plain"); r.Status != 400 {
				t.Errorf("text/plain: %d", r.Status)
			}
			// None of that was a decision.
			var events struct{ Items []any }
			ad.Must(200, "GET", "/api/v1/audit?action=api.authorize", nil).JSON(t, &events)
			if len(events.Items) != 0 {
				t.Errorf("bad input was decided: %d events", len(events.Items))
			}
		})
	}
}
