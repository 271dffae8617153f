package login_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// enfFx is fedFx with SSO enforcement actors (R-SAML-8): in tenant acme,
// ann holds "Identity providers - Manage" (group "IdP admins"), bob is an
// ordinary user, carl an ordinary user in the rollout group "Wave 1"; all
// three are local users with a password (no second factor) and the
// connection "Acme SSO" links their IdP identities by verified email.
type enfFx struct {
	*fedFx
	conn            model.Connection
	ann, bob, carl  string
	wave, idpAdmins string
}

func enfSetup(t *testing.T, backend string) *enfFx {
	t.Helper()
	f := &enfFx{fedFx: fedSetup(t, backend, nil)}
	sys := directory.System
	if err := f.env.Svc.DeleteConnection(bg, sys, f.fedFx.conn.ID); err != nil {
		t.Fatal(err)
	}
	f.conn = f.connection(f.tenant, "Acme SSO", f.up, func(in *directory.ConnectionInput) { in.LinkByVerifiedEmail = true })
	group := func(name string, vals []model.ACLValue) string {
		g, err := f.env.Svc.CreateGroup(bg, sys, model.Group{ContextID: f.tenant, Name: name, Values: vals}, "")
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	f.idpAdmins = group("IdP admins", []model.ACLValue{{Module: model.ModuleCAS, Name: catalog.IdentityProvidersManage, Value: "true"}})
	f.wave = group("Wave 1", nil)
	user := func(login string, ctxs []string, groups ...string) string {
		id := f.env.Admin().ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": ctxs,
			"status": "active", "password": pw, "twoFactor": model.TwoFactorDisabled,
			"person": map[string]string{"firstName": login, "lastName": "Acme", "email": login + "@acme.example"}})
		for _, g := range groups {
			if err := f.env.Svc.AddMember(bg, sys, model.Membership{GroupID: g, UserID: id, ContextID: f.tenant}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	f.ann = user("ann", []string{f.tenant}, f.idpAdmins)
	f.bob = user("bob", []string{f.tenant})
	f.carl = user("carl", []string{f.tenant}, f.wave)
	return f
}

// stage sets the connection's enforcement as the root administrator (HTTP
// Basic: a password sign-in).
func (f *enfFx) stage(mode string, groups ...string) {
	f.t.Helper()
	in := connInput(f.tenant, "Acme SSO", f.up)
	in.ClientSecret, in.LinkByVerifiedEmail, in.Enforcement, in.EnforceGroups = nil, true, mode, groups
	got := f.env.Admin().Must(http.StatusOK, "PUT", "/api/v1/connections/"+f.conn.ID, in).Map(f.t)
	if got["enforcement"] != mode {
		f.t.Fatalf("enforcement %v, want %s", got["enforcement"], mode)
	}
}

func (f *enfFx) sessions(uid string) int {
	f.t.Helper()
	ss, err := f.env.Store.ListUserSessions(bg, uid)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(ss)
}

// passwordLogin signs login in on acme's login page with its password.
func (f *enfFx) passwordLogin(login string) page {
	f.t.Helper()
	c := fedBrowser()
	lp := get(f.t, c, f.env.Server.URL+"/login?tenant=acme")
	v := lp.fields()
	v.Set("tenant", "acme")
	v.Set("username", login)
	v.Set("password", pw)
	return post(f.t, c, f.env.Server.URL+"/login", v)
}

// idpLogin signs the IdP user login@acme.example in through the connection.
func (f *enfFx) idpLogin(login string) page {
	f.t.Helper()
	f.asIdPUser(login)
	c := fedBrowser()
	return f.callback(c, f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID, f.up))
}

// asIdPUser makes login@acme.example the upstream's signed-in user.
func (f *enfFx) asIdPUser(login string) {
	f.up.SetUser(connectortest.User{Subject: login + "-sub", Claims: map[string]any{"email": login + "@acme.example", "email_verified": true}})
}

// TestSSOEnforcementStages (R-SAML-8, seed 003's steps 2 and 4, issue 11
// item 6): off → testing → active, each stage's effect on an ordinary user
// and on an identity-provider administrator, the login page, the audit.
func TestSSOEnforcementStages(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := enfSetup(t, backend)

			// off: passwords work, the connection is offered.
			if f.passwordLogin("bob"); f.sessions(f.bob) != 1 {
				t.Fatalf("off: bob's password login made no session")
			}
			lp := get(t, fedBrowser(), f.env.Server.URL+"/login?tenant=acme")
			if !slices.Equal(buttons(lp), []string{f.conn.ID}) || lp.has("login-sso-active") {
				t.Fatalf("off: buttons %v, active note %v", buttons(lp), lp.has("login-sso-active"))
			}

			// testing: not offered; only administrators may use it.
			f.stage(model.EnforcementTesting)
			lp = get(t, fedBrowser(), f.env.Server.URL+"/login?tenant=acme")
			if len(buttons(lp)) != 0 {
				t.Errorf("testing: the connection is offered to everyone: %v", buttons(lp))
			}
			if f.passwordLogin("bob"); f.sessions(f.bob) != 2 {
				t.Errorf("testing: bob's password login refused")
			}
			p := f.idpLogin("bob")
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "still being tested") || f.sessions(f.bob) != 2 {
				t.Errorf("testing: bob through the IdP: %d, sessions %d: %s", p.status, f.sessions(f.bob), p.body)
			}
			if fl := f.failures(); len(fl) == 0 || fl[len(fl)-1] != "testing" {
				t.Errorf("testing: audited failures %v", fl)
			}
			// Refused before provisioning: bob is not linked, a new IdP
			// user is not created.
			if f.link(f.conn.ID, "bob-sub") != "" {
				t.Errorf("testing: bob's identity was linked although refused")
			}
			if p := f.idpLogin("newbie"); p.status != http.StatusForbidden || f.link(f.conn.ID, "newbie-sub") != "" {
				t.Errorf("testing: a new IdP user: %d, link %q", p.status, f.link(f.conn.ID, "newbie-sub"))
			}
			if p = f.idpLogin("ann"); p.status != http.StatusOK || f.sessions(f.ann) != 1 {
				t.Errorf("testing: ann (IdP administrator) through the IdP: %d, sessions %d: %s", p.status, f.sessions(f.ann), p.body)
			}

			// active: the page leads with the IdP; bob's password is
			// refused with a message naming the connection; ann keeps
			// hers; bob signs in through the IdP.
			f.stage(model.EnforcementActive)
			lp = get(t, fedBrowser(), f.env.Server.URL+"/login?tenant=acme")
			if !lp.has("login-sso-active") || !slices.Equal(buttons(lp), []string{f.conn.ID}) ||
				strings.Index(lp.body, `name="connection"`) > strings.Index(lp.body, `id="password"`) {
				t.Errorf("active: login page does not lead with the IdP: %s", lp.body)
			}
			p = f.passwordLogin("bob")
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "signs in through Acme SSO") || f.sessions(f.bob) != 2 {
				t.Errorf("active: bob's password: %d, sessions %d: %s", p.status, f.sessions(f.bob), p.body)
			}
			if !slices.Equal(buttons(p), []string{f.conn.ID}) {
				t.Errorf("active: the refusal page does not offer the connection: %v", buttons(p))
			}
			refused := false
			for _, ev := range f.audit("login") {
				refused = refused || (ev.Outcome == model.OutcomeFailure && ev.Details["reason"] == "sso_enforced" && ev.TargetID == f.bob)
			}
			if !refused {
				t.Errorf("active: refused password login not audited")
			}
			// The admin API's HTTP Basic is a password login too.
			if r := f.env.As("acme/bob", pw).Do("GET", "/api/v1/me", nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "Acme SSO") {
				t.Errorf("active: bob's password over HTTP Basic: %d %s", r.Status, r.Body)
			}
			f.env.As("acme/ann", pw).Must(http.StatusOK, "GET", "/api/v1/me", nil)
			if f.passwordLogin("ann"); f.sessions(f.ann) != 2 {
				t.Errorf("active: ann (IdP administrator) lost her password login")
			}
			if p = f.idpLogin("bob"); p.status != http.StatusOK || f.sessions(f.bob) != 3 {
				t.Errorf("active: bob through the IdP: %d, sessions %d", p.status, f.sessions(f.bob))
			}

			// Every change of stage is audited with from/to.
			var moves []string
			evs := f.audit("connection.enforcement")
			for i := len(evs) - 1; i >= 0; i-- {
				moves = append(moves, evs[i].Details["from"].(string)+">"+evs[i].Details["to"].(string))
			}
			if !slices.Equal(moves, []string{"off>testing", "testing>active"}) {
				t.Errorf("audit connection.enforcement: %v", moves)
			}
		})
	}
}

// TestSSOEnforcementPhased (seed 004's phased rollout): with groups listed
// only their members are forced; the others keep their password, and
// administrators still add users (part of the user base lives in Sesame).
func TestSSOEnforcementPhased(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := enfSetup(t, backend)
			f.stage(model.EnforcementActive, f.wave)
			if p := f.passwordLogin("carl"); p.status != http.StatusForbidden || f.sessions(f.carl) != 0 {
				t.Errorf("carl (Wave 1) with a password: %d, sessions %d", p.status, f.sessions(f.carl))
			}
			if f.passwordLogin("bob"); f.sessions(f.bob) != 1 {
				t.Errorf("bob (not in the rollout) lost his password login")
			}
			f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/users", map[string]any{"loginName": "dora", "domain": "ENTERPRISE",
				"contexts": []string{f.tenant}, "status": "active"})
			// The whole tenant: bob too.
			f.stage(model.EnforcementActive)
			if p := f.passwordLogin("bob"); p.status != http.StatusForbidden || f.sessions(f.bob) != 1 {
				t.Errorf("bob after the rollout reached everyone: %d", p.status)
			}
			// A group that is not the tenant's (or none) is refused.
			other, err := f.env.Svc.CreateGroup(bg, directory.System, model.Group{ContextID: f.other, Name: "Globex wave"}, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range []string{other.ID, "no-such-group"} {
				in := connInput(f.tenant, "Acme SSO", f.up)
				in.ClientSecret, in.Enforcement, in.EnforceGroups = nil, model.EnforcementActive, []string{g}
				if r := f.env.Admin().Do("PUT", "/api/v1/connections/"+f.conn.ID, in); r.Status != http.StatusBadRequest || r.Map(t)["field"] != "enforceGroups" {
					t.Errorf("group %s: %d %s", g, r.Status, r.Body)
				}
			}
			in := connInput(f.tenant, "Acme SSO", f.up)
			in.ClientSecret, in.Enforcement = nil, "mandatory"
			if r := f.env.Admin().Do("PUT", "/api/v1/connections/"+f.conn.ID, in); r.Status != http.StatusBadRequest || r.Map(t)["field"] != "enforcement" {
				t.Errorf("unknown stage: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestSSOEnforcementUserAdmin (seed 003 "Add User and Delete User are not
// available; Reset Account and Reset Password stay"): while active for the
// whole tenant, creating and deleting its users is refused with a reason;
// resets stay; other tenants are not affected.
func TestSSOEnforcementUserAdmin(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := enfSetup(t, backend)
			newUser := func(login, ctx string) map[string]any {
				return map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{ctx}, "status": "active"}
			}
			f.stage(model.EnforcementActive)
			admin := f.env.Admin()
			r := admin.Do("POST", "/api/v1/users", newUser("eve", f.x))
			if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "SSO is active") || !strings.Contains(string(r.Body), "Acme SSO") {
				t.Errorf("create in an SSO tenant: %d %s", r.Status, r.Body)
			}
			if r = admin.Do("DELETE", "/api/v1/users/"+f.bob, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "SSO is active") {
				t.Errorf("delete in an SSO tenant: %d %s", r.Status, r.Body)
			}
			if r = admin.Do("POST", "/api/v1/users/"+f.bob+"/delete", nil); r.Status != http.StatusConflict {
				t.Errorf("lifecycle delete in an SSO tenant: %d %s", r.Status, r.Body)
			}
			if f.user(f.bob).Status != model.StatusActive {
				t.Errorf("bob was deleted")
			}
			admin.Must(http.StatusNoContent, "PUT", "/api/v1/users/"+f.bob+"/password", map[string]any{"password": "new-" + pw})
			admin.Must(http.StatusOK, "POST", "/api/v1/users/"+f.bob+"/reset", nil)
			admin.Must(http.StatusCreated, "POST", "/api/v1/users", newUser("gus", f.other)) // globex: no SSO
			// Testing: still allowed.
			f.stage(model.EnforcementTesting)
			admin.Must(http.StatusCreated, "POST", "/api/v1/users", newUser("eve", f.x))
		})
	}
}

// TestSSOEnforcementTurnOff (R-SAML-8, seed 003 "to switch back you must be
// logged in using your AD credentials"): leaving the active stage needs an
// administrator whose sign-in used a password. Ann signed in through the
// IdP cannot turn it off (nor disable or delete the connection); ann
// signed in with her password can.
func TestSSOEnforcementTurnOff(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := enfSetup(t, backend)
			console := f.console()
			f.stage(model.EnforcementActive)

			f.asIdPUser("ann")
			c := fedBrowser()
			lp, ver := console.start(t, c)
			ret := url.QueryEscape(lp.url.Query().Get("return"))
			fedTok, _, _ := console.finish(t, get(t, c, f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID+"&return="+ret), ver)

			off := connInput(f.tenant, "Acme SSO", f.up)
			off.ClientSecret, off.LinkByVerifiedEmail, off.Enforcement = nil, true, model.EnforcementOff
			path := "/api/v1/connections/" + f.conn.ID
			if st, body := bearerJSON(t, "PUT", f.env.Server.URL+path, fedTok.AccessToken, off); st != http.StatusForbidden || !strings.Contains(body, "signed in with a password") {
				t.Errorf("IdP-signed admin turning SSO off: %d %s", st, body)
			}
			disabled := off
			disabled.Enforcement, disabled.Enabled = model.EnforcementActive, new(bool)
			if st, body := bearerJSON(t, "PUT", f.env.Server.URL+path, fedTok.AccessToken, disabled); st != http.StatusForbidden {
				t.Errorf("IdP-signed admin disabling the connection: %d %s", st, body)
			}
			if st, body := bearerJSON(t, "DELETE", f.env.Server.URL+path, fedTok.AccessToken, nil); st != http.StatusForbidden {
				t.Errorf("IdP-signed admin deleting the connection: %d %s", st, body)
			}
			// Other changes stay possible for her (the stage is kept).
			keep := off
			keep.Enforcement, keep.Name = model.EnforcementActive, "Acme SSO"
			if st, body := bearerJSON(t, "PUT", f.env.Server.URL+path, fedTok.AccessToken, keep); st != http.StatusOK {
				t.Errorf("IdP-signed admin editing without lowering: %d %s", st, body)
			}
			if c, _ := f.env.Svc.Connection(bg, f.conn.ID); c.Enforcement != model.EnforcementActive || !c.Enabled {
				t.Fatalf("SSO was lowered: %+v", c)
			}

			c = fedBrowser()
			lp, ver = console.start(t, c)
			lp = get(t, c, f.env.Server.URL+"/login?tenant=acme&return="+url.QueryEscape(lp.url.Query().Get("return")))
			v := lp.fields()
			v.Set("tenant", "acme")
			v.Set("username", "ann")
			v.Set("password", pw)
			pwdTok, _, _ := console.finish(t, post(t, c, f.env.Server.URL+"/login", v), ver)
			if st, body := bearerJSON(t, "PUT", f.env.Server.URL+path, pwdTok.AccessToken, off); st != http.StatusOK {
				t.Fatalf("password-signed admin turning SSO off: %d %s", st, body)
			}
			evs := f.audit("connection.enforcement")
			if len(evs) == 0 || evs[0].Details["to"] != model.EnforcementOff || evs[0].ActorID != f.ann ||
				!slices.Contains(anyStrings(evs[0].Details["amr"]), "pwd") {
				t.Errorf("turn-off audit: %+v", evs)
			}
			if f.passwordLogin("bob"); f.sessions(f.bob) != 1 {
				t.Errorf("bob's password after SSO was turned off")
			}
		})
	}
}

func anyStrings(v any) []string {
	var out []string
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		for _, x := range l {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	return out
}

// console is an app registered for the admin API (scope sesame:admin).
func (f *enfFx) console() *fedRP {
	f.t.Helper()
	cb := "http://127.0.0.1:1/cb"
	reg := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Console", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{cb}, "grantTypes": []string{"authorization_code"}, "allowedScopes": []string{model.ScopeAdmin}}).Map(f.t)
	p, err := oidc.NewProvider(bg, f.env.Server.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	return &fedRP{base: f.env.Server.URL, verifier: p.Verifier(&oidc.Config{ClientID: reg["id"].(string)}),
		conf: oauth2.Config{ClientID: reg["id"].(string), ClientSecret: reg["secret"].(string), Endpoint: p.Endpoint(),
			RedirectURL: cb, Scopes: []string{oidc.ScopeOpenID, model.ScopeAdmin}}}
}

func bearerJSON(t *testing.T, method, u, token string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSSOEnforcementHomeRealm: a connection in the testing stage routes
// nobody by email domain (only administrators use it, by its link); once
// active it does.
func TestSSOEnforcementHomeRealm(t *testing.T) {
	f := enfSetup(t, "sqlite")
	for _, mode := range []string{model.EnforcementTesting, model.EnforcementActive} {
		in := connInput(f.tenant, "Acme SSO", f.up)
		in.ClientSecret, in.LinkByVerifiedEmail, in.Enforcement = nil, true, mode
		in.Domains = []model.ConnectionDomain{{Domain: "acme.example", Verified: true}}
		f.env.Admin().Must(http.StatusOK, "PUT", "/api/v1/connections/"+f.conn.ID, in)
		c := stopAtIdP(fedBrowser(), f.up)
		lp := get(t, c, f.env.Server.URL+"/login?tenant=acme")
		v := lp.fields()
		v.Set("tenant", "acme")
		v.Set("username", "bob@acme.example")
		p := post(t, c, f.env.Server.URL+"/login", v)
		toIdP := p.loc != nil && strings.HasPrefix(p.loc.String(), f.up.Issuer())
		if toIdP != (mode == model.EnforcementActive) {
			t.Errorf("%s: sent to the IdP %v (%d %v)", mode, toIdP, p.status, p.loc)
		}
	}
}
