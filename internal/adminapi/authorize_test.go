package adminapi_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sesame-sso/sesame/internal/adminapi"
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
	// pdp and pdpRM are policy-decision clients of modules portal and rm,
	// plain an ordinary confidential client of module portal.
	pdp, pdpRM, plain client
}

// client is a registered OIDC client with a client credentials token.
type client struct{ id, secret, token string }

// newClient registers a confidential client of module with the client
// credentials grant and gets it a token from the token endpoint.
func newClient(t *testing.T, env *sesametest.Env, module string, policyDecision bool) client {
	t.Helper()
	c := env.MachineClient(t, module, map[string]any{"name": "Portal " + module, "policyDecision": policyDecision})
	return client{id: c.ID, secret: c.Secret, token: c.Token}
}

// ask calls POST /api/v1/authorize as the policy-decision client of module.
func (w *apiWorld) ask(module string) func(method, path string, body any) sesametest.Response {
	if module == "rm" {
		return bearer(w.env, w.pdpRM.token)
	}
	return bearer(w.env, w.pdp.token)
}

// deniedReasons returns the detailed reasons of the audited denials.
func deniedReasons(t *testing.T, env *sesametest.Env) []string {
	t.Helper()
	var events struct{ Items []model.AuditEvent }
	env.Admin().Must(200, "GET", "/api/v1/audit?action=api.authorize&limit=500", nil).JSON(t, &events)
	var out []string
	for _, e := range events.Items {
		if r, ok := e.Details["reason"].(string); ok {
			out = append(out, r)
		}
	}
	return out
}

func hasReason(reasons []string, prefix string) bool {
	return slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(r, prefix) })
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
	w.pdp, w.pdpRM = newClient(t, env, "portal", true), newClient(t, env, "rm", true)
	w.plain = newClient(t, env, "portal", false)
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

func must200(t *testing.T, r sesametest.Response) sesametest.Response {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Body)
	}
	return r
}

// TestAuthorizeOnlyPolicyDecisionClients (issue 8 item 5): POST
// /api/v1/authorize is no password oracle for any authenticated caller.
// Users (password, API key), an ordinary client's token and a
// policy-decision client asking about another module are refused with
// 403 before any credential is checked; no decision is made or audited
// as one.
func TestAuthorizeOnlyPolicyDecisionClients(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			q := map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal"}
			basic := func(c *sesametest.Client) func(string, string, any) sesametest.Response {
				return func(m, p string, b any) sesametest.Response { return c.Do(m, p, b) }
			}
			for name, call := range map[string]func(string, string, any) sesametest.Response{
				"root admin with a password": basic(w.env.Admin()),
				"user with a password":       basic(w.env.As("t/noapi", pw)),
				"user with an API key":       bearer(w.env, w.apiKey),
				"ordinary client token":      bearer(w.env, w.plain.token),
				"another module's decider":   bearer(w.env, w.pdpRM.token),
			} {
				r := call("POST", "/api/v1/authorize", q)
				if r.Status != 403 || strings.Contains(string(r.Body), "allow") {
					t.Errorf("%s: %d %s, want 403", name, r.Status, r.Body)
				}
			}
			want401(t, "anonymous portal", w.env.As("", "").Do("POST", "/api/v1/authorize", q))
			var events struct{ Items []model.AuditEvent }
			w.env.Admin().Must(200, "GET", "/api/v1/audit?action=api.authorize&limit=500", nil).JSON(t, &events)
			for _, e := range events.Items {
				if _, decided := e.Details["allow"]; decided {
					t.Errorf("a refused caller got a decision: %+v", e)
				}
			}
			// The flag is live: a client that loses it is refused at once.
			must200(t, w.ask("portal")("POST", "/api/v1/authorize", q))
			w.env.Admin().Must(200, "PATCH", "/api/v1/clients/"+w.pdp.id, map[string]any{"policyDecision": false})
			if r := w.ask("portal")("POST", "/api/v1/authorize", q); r.Status != 403 {
				t.Errorf("after the flag was removed: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestAuthorizeAPI is the policy decision of POST /api/v1/authorize
// (R-SSO-6), asked by the module's policy-decision client: credentials of
// every kind, user status, context, module access (R-MOD-*), API IP Allow
// with IPv4 and IPv6 (R-ACL-3), a named right; every decision is a 200,
// every denial gives the portal the one reason "access denied" and no
// user (issue 8 item 5), and the audit log has the detailed reason.
func TestAuthorizeAPI(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			ad := w.ask("portal")
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
				r := w.ask(c.module)("POST", "/api/v1/authorize", body)
				if r.Status != 200 {
					t.Errorf("%s: status %d: %s", c.name, r.Status, r.Body)
					continue
				}
				var d decision
				r.JSON(t, &d)
				if d.Allow != c.allow || (c.allow && d.Reason != "") || (!c.allow && d.Reason != directory.ReasonDenied) {
					t.Errorf("%s: allow %v reason %q, want %v", c.name, d.Allow, d.Reason, c.allow)
				}
				if c.via != "" && d.Via != c.via {
					t.Errorf("%s: via %q, want %q", c.name, d.Via, c.via)
				}
				if d.Module != c.module {
					t.Errorf("%s: module %q", c.name, d.Module)
				}
				if !c.allow {
					// One answer for a wrong password and a missing right:
					// nothing tells the portal whose login was valid.
					if d.User != nil || d.ContextID != "" || d.ACL != nil || d.Via != "" || strings.Contains(string(r.Body), w.api) ||
						strings.Contains(string(r.Body), w.noapi) || strings.Contains(string(r.Body), w.rootu) {
						t.Errorf("%s: a denial tells more than its reason: %s", c.name, r.Body)
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
			reasons := deniedReasons(t, w.env)
			for _, c := range cases {
				if !c.allow && !hasReason(reasons, c.reason) {
					t.Errorf("%s: detailed reason %q not audited (have %q)", c.name, c.reason, reasons)
				}
			}
			// The ACL part of the answer.
			check := func(acl string, wantType string, want any) {
				var d decision
				must200(t, ad("POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal", "acl": acl})).JSON(t, &d)
				if d.ACL == nil || d.ACL.Name != acl || d.ACL.Type != wantType || d.ACL.Value != want {
					t.Errorf("acl %s: %+v", acl, d.ACL)
				}
			}
			check("SIM - Price Plan Modify", "boolean", true)
			check("API IP Allow", "text", "203.0.113.0/24, 2001:db8:1::/48")
			var d decision

			// A context policy that does not assign API IP Allow removes it
			// (R-EFF-5).
			admin := w.env.Admin()
			admin.Must(200, "PUT", "/api/v1/contexts/"+w.acct+"/policy", map[string]any{"values": []map[string]string{{"module": "portal", "acl": "SIM - View", "value": "true"}}})
			must200(t, ad("POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "203.0.113.7", "module": "portal"})).JSON(t, &d)
			if d.Allow || d.Reason != directory.ReasonDenied {
				t.Errorf("policy without API IP Allow: %+v", d)
			}
			admin.Must(204, "DELETE", "/api/v1/contexts/"+w.acct+"/policy", nil)

			// Inactive users are refused, whatever the credential.
			admin.Must(200, "POST", "/api/v1/users/"+w.api+"/deactivate", nil)
			for _, creds := range []any{login("t/api", pw), map[string]string{"apiKey": w.apiKey}, map[string]string{"bearer": w.apiKey}} {
				must200(t, ad("POST", "/api/v1/authorize", map[string]any{"credentials": creds, "ip": "203.0.113.7", "module": "portal"})).JSON(t, &d)
				if d.Allow || d.Reason != directory.ReasonDenied {
					t.Errorf("inactive user: %+v", d)
				}
			}
			admin.Must(200, "POST", "/api/v1/users/"+w.api+"/reactivate", nil)

			// Every decision is audited, never with a secret.
			audit := admin.Must(200, "GET", "/api/v1/audit?action=api.authorize&limit=500", nil)
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
			u, err := w.env.Store.GetUser(context.Background(), w.api)
			if err != nil {
				t.Fatal(err)
			}
			var (
				mu   sync.Mutex
				seen = map[string]adminapi.Resource{}
			)
			w.env.Handler.API.SetBearerVerifier(func(ctx context.Context, token string, res adminapi.Resource) (directory.Actor, error) {
				mu.Lock()
				seen[token] = res
				mu.Unlock()
				switch token {
				case "pdp-token":
					return directory.Actor{ClientID: w.pdp.id, Module: "portal", Via: directory.ViaBearer}, nil
				case "pdp-rm-token":
					return directory.Actor{ClientID: w.pdpRM.id, Module: "rm", Via: directory.ViaBearer}, nil
				case "other-module-token":
					return directory.Actor{User: u, ContextID: w.acct, ClientID: "rm-app", Module: "rm", Via: directory.ViaBearer}, nil
				case "foreign-token":
					return directory.Actor{User: u, ContextID: w.acct, ClientID: "some-app", Audience: []string{"some-app"}, Via: directory.ViaBearer}, nil
				case "aimed-token":
					return directory.Actor{User: u, ContextID: w.acct, ClientID: "some-app", Audience: []string{"some-app", w.pdp.id}, Via: directory.ViaBearer}, nil
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
				pdp := "pdp-token"
				if module == "rm" {
					pdp = "pdp-rm-token"
				}
				must200(t, bearer(w.env, pdp)("POST", "/api/v1/authorize", body)).JSON(t, &d)
				return d
			}
			if d := ask("good-token", "portal", ""); !d.Allow || d.Via != "bearer" || d.ContextID != w.acct || d.User.ID != w.api {
				t.Errorf("good token: %+v", d)
			}
			if seen["pdp-token"] != adminapi.ResourcePolicyCaller || seen["good-token"] != adminapi.ResourcePolicySubject {
				t.Errorf("resources of a decision: caller %v, subject %v", seen["pdp-token"], seen["good-token"])
			}
			if d := ask("aimed-token", "portal", ""); !d.Allow {
				t.Errorf("token naming the portal in aud: %+v", d)
			}
			for _, c := range []struct{ name, token, module, ctx string }{
				{"token for another module", "good-token", "rm", ""},
				{"token for another context", "good-token", "portal", w.shop},
				{"token for a customer context", "shop-token", "portal", ""},
				{"rm token at the portal", "other-module-token", "portal", ""},
				{"token for neither the module nor the portal", "foreign-token", "portal", ""},
			} {
				if d := ask(c.token, c.module, c.ctx); d.Allow || d.Reason != directory.ReasonDenied || d.User != nil {
					t.Errorf("%s: %+v", c.name, d)
				}
			}
			reasons := deniedReasons(t, w.env)
			for _, want := range []string{"the token was issued for module portal, not rm", "the token was issued for another context",
				"no API access: API IP Allow not set", "the token was issued for module rm, not portal", "the token is neither for module portal"} {
				if !hasReason(reasons, want) {
					t.Errorf("reason %q not audited: %q", want, reasons)
				}
			}
			for _, tok := range []string{"expired-token", "broken-token", "stranger-token", strings.Repeat("t", 9000)} {
				if len(tok) > 8192 {
					r := bearer(w.env, "pdp-token")("POST", "/api/v1/authorize", map[string]any{"credentials": map[string]string{"bearer": tok}, "ip": "203.0.113.7", "module": "portal"})
					if r.Status != 400 || r.Map(t)["field"] != "credentials.bearer" {
						t.Errorf("huge bearer: %d %s", r.Status, r.Body)
					}
					continue
				}
				if d := ask(tok, "portal", ""); d.Allow || d.Reason != directory.ReasonDenied || d.User != nil {
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
			// Each route asks the verifier for its resource (issue 8 item 2).
			for path, want := range map[string]adminapi.Resource{"/api/v1/me": adminapi.ResourceSelf, "/api/v1/me/contexts": adminapi.ResourceSelf,
				"/api/v1/me/api-keys": adminapi.ResourceAdmin, "/api/v1/users": adminapi.ResourceAdmin, "/api/v1/clients": adminapi.ResourceAdmin} {
				tok := "route-token" + path
				bearer(w.env, tok)("GET", path, nil)
				if seen[tok] != want {
					t.Errorf("GET %s: resource %v, want %v", path, seen[tok], want)
				}
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

// TestAuthorizeBadInput: a malformed question from a policy-decision
// client is a 400 naming the field, never a decision and never a 500; from
// anyone else it is a 403 before the body is read.
func TestAuthorizeBadInput(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			ad := struct {
				Do func(method, path string, body any, hdr ...string) sesametest.Response
			}{Do: func(method, path string, body any, hdr ...string) sesametest.Response {
				return w.env.As("", "").Do(method, path, body, append([]string{"Authorization", "Bearer " + w.pdp.token}, hdr...)...)
			}}
			if r := w.env.Admin().Do("POST", "/api/v1/authorize", `{"credentials":`); r.Status != 403 {
				t.Errorf("malformed body from the root admin: %d, want 403 before parsing", r.Status)
			}
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
				{"unknown credential field", with("credentials", map[string]string{"token": "x"}), "credentials.token"},
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
			if r := ad.Do("POST", "/api/v1/authorize", `{}`, "Content-Type", "text/plain"); r.Status != 415 {
				t.Errorf("text/plain: %d", r.Status)
			}
			// None of that was a decision.
			var events struct{ Items []model.AuditEvent }
			w.env.Admin().Must(200, "GET", "/api/v1/audit?action=api.authorize", nil).JSON(t, &events)
			for _, e := range events.Items {
				if _, decided := e.Details["allow"]; decided {
					t.Errorf("bad input was decided: %+v", e)
				}
			}
		})
	}
}
