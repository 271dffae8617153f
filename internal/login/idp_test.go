package login_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	connoidc "github.com/sesame-sso/sesame/internal/connector/oidc"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/server"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

var bg = context.Background()

// fedFx is a Sesame whose instance default asks every local user for a
// one-time code by email (to show delegated logins never get it), with a
// tenant "acme" (accounts X-1 and Y-2, groups per role) and a connection
// of that tenant to a scripted upstream OP (connectortest, go-jose).
type fedFx struct {
	t            *testing.T
	env          *sesametest.Env
	tenant, x, y string
	other        string // another tenant ("globex")
	up           *connectortest.Provider
	conn         model.Connection
}

func fedSetup(t *testing.T, backend string, fo *server.Federation) *fedFx {
	t.Helper()
	mail := mailtest.New(t)
	mail.Start("none")
	tf := config.DefaultTwoFactor()
	tf.Default = "email"
	env := sesametest.NewWith(t, backend, sesametest.Options{Mail: mail, TwoFactor: &tf, Federation: fo})
	f := &fedFx{t: t, env: env}
	sys := directory.System
	mk := func(typ model.ContextType, name, slug, number, parent string) string {
		c, err := env.Svc.CreateContext(bg, sys, model.Context{Type: typ, Name: name, Slug: slug, Number: number, ParentID: parent})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	f.tenant = mk(model.ContextTenant, "Acme", "acme", "", env.RootID)
	f.x = mk(model.ContextAccount, "Account X", "", "X-1", f.tenant)
	f.y = mk(model.ContextAccount, "Account Y", "", "Y-2", f.tenant)
	f.other = mk(model.ContextTenant, "Globex", "globex", "", env.RootID)
	group := func(ctxID, name, role, acl string) {
		if _, err := env.Svc.CreateGroup(bg, sys, model.Group{ContextID: ctxID, Name: name, RoleNames: []string{role},
			Values: []model.ACLValue{{Module: "portal", Name: acl, Value: "true"}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	group(f.x, "X admins", "Admin", "SIM - Activate")
	group(f.y, "Y users", "User", "Orders - View")
	f.up = connectortest.New(t, connectortest.Options{})
	f.up.SetUser(connectortest.User{Subject: "u-1", Claims: map[string]any{"email": "ute@acme.example", "email_verified": true,
		"given_name": "Ute", "family_name": "Ulm", "accounts": []any{"X-1:Admin"}}})
	f.conn = f.connection(f.tenant, "Acme IdP", f.up, nil)
	return f
}

// connection creates an enabled connection of owner to upstream p.
func (f *fedFx) connection(owner, name string, p *connectortest.Provider, edit func(*directory.ConnectionInput)) model.Connection {
	f.t.Helper()
	in := connInput(owner, name, p)
	if edit != nil {
		edit(&in)
	}
	c, err := f.env.Svc.CreateConnection(bg, directory.System, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func connInput(owner, name string, p *connectortest.Provider) directory.ConnectionInput {
	secret := p.ClientSecret()
	in := directory.ConnectionInput{TenantID: owner, Kind: model.ConnectionOIDC, Name: name,
		OIDC:         model.OIDCSettings{DiscoveryURL: p.Issuer(), ClientID: p.ClientID()},
		ClientSecret: &secret,
		Mapping:      model.ClaimMapping{AccountKey: model.AccountKeyNumber, ContextRoles: &model.ContextRoles{Claim: "accounts", Separator: ":"}}}
	return in
}

// browser follows redirects through Sesame and the upstream and stops at
// an app's callback (/cb).
func fedBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/cb" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// stopAtIdP is a browser (sharing c's cookies) that stops before the
// upstream's authorize endpoint, to hold or tamper with the answer.
func stopAtIdP(c *http.Client, up *connectortest.Provider) *http.Client {
	return &http.Client{Jar: c.Jar, Timeout: c.Timeout, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), up.Issuer()) || req.URL.Path == "/cb" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var connButton = regexp.MustCompile(`name="connection" value="([^"]+)"`)

// buttons lists the connection ids offered on a login page.
func buttons(p page) []string {
	var ids []string
	for _, m := range connButton.FindAllStringSubmatch(p.body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// choose presses the button of connection id on login page p.
func choose(t *testing.T, c *http.Client, base string, p page, id string) page {
	t.Helper()
	v := p.fields()
	v.Set("connection", id)
	return post(t, c, base+"/login", v)
}

// atIdP starts a delegated login in c up to the redirect to the
// upstream and returns the callback the upstream sends the browser to.
func (f *fedFx) atIdP(c *http.Client, loginURL string, up *connectortest.Provider) *url.URL {
	f.t.Helper()
	p := get(f.t, stopAtIdP(c, up), loginURL)
	if p.loc == nil || !strings.HasPrefix(p.loc.String(), up.Issuer()) {
		f.t.Fatalf("not sent to the upstream: %d %v %s", p.status, p.loc, p.body)
	}
	return up.Callback(f.t, p.loc.String()).URL
}

// callback delivers the upstream's answer cb to Sesame in browser c.
func (f *fedFx) callback(c *http.Client, cb *url.URL) page {
	f.t.Helper()
	return get(f.t, c, f.env.Server.URL+cb.RequestURI())
}

// link returns the user of (connection, subject), "" when none.
func (f *fedFx) link(connID, sub string) string {
	f.t.Helper()
	l, err := f.env.Svc.IdentityLink(bg, connID, sub)
	if err != nil {
		return ""
	}
	return l.UserID
}

func (f *fedFx) user(id string) model.User {
	f.t.Helper()
	u, err := f.env.Svc.GetUser(bg, directory.System, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fedFx) audit(action string) []model.AuditEvent {
	f.t.Helper()
	evs, _, err := f.env.Svc.ListAudit(bg, directory.System, model.AuditFilter{Action: action, Page: model.Page{Limit: 500}})
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

// failures are the refused delegated logins' reasons, oldest first.
func (f *fedFx) failures() []string {
	var out []string
	evs := f.audit("federation.login")
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Outcome == model.OutcomeFailure {
			r, _ := evs[i].Details["reason"].(string)
			out = append(out, r)
		}
	}
	return out
}

// fedRP is an OIDC app on golang.org/x/oauth2 + coreos/go-oidc asking
// for the user's rights (scope rights) and a refresh token.
type fedRP struct {
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	base     string
}

func (f *fedFx) newRP() *fedRP {
	f.t.Helper()
	cb := "http://127.0.0.1:1/cb" // never reached: the browser stops at /cb
	reg := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "App", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{cb}, "grantTypes": []string{"authorization_code", "refresh_token"}}).Map(f.t)
	p, err := oidc.NewProvider(bg, f.env.Server.URL)
	if err != nil {
		f.t.Fatalf("discovery: %v", err)
	}
	return &fedRP{base: f.env.Server.URL, verifier: p.Verifier(&oidc.Config{ClientID: reg["id"].(string)}),
		conf: oauth2.Config{ClientID: reg["id"].(string), ClientSecret: reg["secret"].(string), Endpoint: p.Endpoint(),
			RedirectURL: cb, Scopes: []string{oidc.ScopeOpenID, "profile", "rights", oidc.ScopeOfflineAccess}}}
}

// start opens the app's authorization request in c: the login page.
func (a *fedRP) start(t *testing.T, c *http.Client) (page, string) {
	t.Helper()
	ver := oauth2.GenerateVerifier()
	return get(t, c, a.conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(ver))), ver
}

// finish takes the page that stopped at the app's callback and redeems
// the code: the tokens, the verified ID token and the userinfo answer.
func (a *fedRP) finish(t *testing.T, p page, ver string) (*oauth2.Token, *oidc.IDToken, map[string]any) {
	t.Helper()
	if p.loc == nil || p.loc.Path != "/cb" || p.loc.Query().Get("code") == "" {
		t.Fatalf("did not land in the app: %d %v %s", p.status, p.loc, p.body)
	}
	tok, err := a.conf.Exchange(bg, p.loc.Query().Get("code"), oauth2.VerifierOption(ver))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.verifier.Verify(bg, raw)
	if err != nil {
		t.Fatalf("id token: %v", err)
	}
	return tok, idt, a.userinfo(t, tok)
}

func (a *fedRP) userinfo(t *testing.T, tok *oauth2.Token) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", a.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	st, m := fedJSON(t, req)
	if st != http.StatusOK {
		t.Fatalf("userinfo: %d %v", st, m)
	}
	return m
}

func rightsOf(m map[string]any) map[string]any {
	r, _ := m["rights"].(map[string]any)
	return r
}

// TestDelegatedLogin (issue 10 items 4, 5, 7; R-FED-4, R-EFF-1): an app's
// login page offers the tenant's connection; the first login through it
// creates a delegated user just in time and lands in the app with the
// rights its IdP roles give — no one-time code although the instance asks
// local users for one; the second login updates the same user, and with
// two accounts named the context choice runs before the app is reached.
func TestDelegatedLogin(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			app := f.newRP()
			c := fedBrowser()
			lp, ver := app.start(t, c)
			if lp.status != http.StatusOK || len(buttons(lp)) != 0 {
				t.Fatalf("root login page: %d, buttons %v (the connection is acme's)", lp.status, buttons(lp))
			}
			// The tenant's page offers its connection.
			ret := lp.url.Query().Get("return")
			lp = get(t, c, f.env.Server.URL+"/login?tenant=acme&return="+url.QueryEscape(ret))
			if b := buttons(lp); !slices.Equal(b, []string{f.conn.ID}) || !strings.Contains(lp.body, "Acme IdP") {
				t.Fatalf("acme login page buttons %v", b)
			}
			_, idt, info := app.finish(t, choose(t, c, f.env.Server.URL, lp, f.conn.ID), ver)
			uid := f.link(f.conn.ID, "u-1")
			if uid == "" || idt.Subject != uid {
				t.Fatalf("id token for %q, link to %q", idt.Subject, uid)
			}
			u := f.user(uid)
			if u.Kind != model.KindDelegated || u.Person.FirstName != "Ute" || !slices.Equal(u.Contexts, []string{f.x}) {
				t.Errorf("JIT user: %+v", u)
			}
			if r := rightsOf(info); r["SIM - Activate"] != "true" || info["context_id"] != f.x {
				t.Errorf("rights in the app: %v", info)
			}
			var amr []string
			var claims struct {
				AMR []string `json:"amr"`
			}
			if err := idt.Claims(&claims); err == nil {
				amr = claims.AMR
			}
			if !slices.Contains(amr, "fed") || slices.Contains(amr, "otp") {
				t.Errorf("amr %v: want fed, no otp", amr)
			}
			ok := f.audit("federation.login")
			if len(ok) != 1 || ok[0].Outcome != model.OutcomeSuccess || ok[0].Details["provisioning"] != "created" {
				t.Errorf("audit federation.login: %+v", ok)
			}
			ss, err := f.env.Store.ListUserSessions(bg, uid)
			if err != nil || len(ss) != 1 {
				t.Fatalf("sessions %v %v", ss, err)
			}
			if s, err := f.env.Store.GetSession(bg, ss[0].ID, time.Now()); err != nil || s.ConnectionID != f.conn.ID {
				t.Errorf("session connection %q, %v", s.ConnectionID, err)
			}

			// Second login: names and accounts changed at the IdP.
			f.up.SetUser(connectortest.User{Subject: "u-1", Claims: map[string]any{"email": "ute.new@acme.example", "email_verified": true,
				"given_name": "Uta", "family_name": "Ulm", "accounts": []any{"X-1:Admin", "Y-2:User"}}})
			c2 := fedBrowser()
			lp, ver = app.start(t, c2)
			ret = lp.url.Query().Get("return")
			p := get(t, c2, f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID+"&return="+url.QueryEscape(ret))
			if !strings.Contains(p.body, `name="context"`) {
				t.Fatalf("want the context choice, got %d %s", p.status, p.body)
			}
			v := p.fields()
			v.Set("context", f.y)
			_, idt, info = app.finish(t, post(t, c2, f.env.Server.URL+"/login", v), ver)
			if idt.Subject != uid || f.link(f.conn.ID, "u-1") != uid {
				t.Fatalf("second login is another user: %s", idt.Subject)
			}
			u = f.user(uid)
			if u.Person.FirstName != "Uta" || u.Person.Email != "ute.new@acme.example" || len(u.Contexts) != 2 {
				t.Errorf("updated user: %+v", u)
			}
			if r := rightsOf(info); r["Orders - View"] != "true" || r["SIM - Activate"] == "true" || info["context_id"] != f.y {
				t.Errorf("rights in Y: %v", info)
			}
		})
	}
}

func fedJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestFiveConnectionsSideBySide (R-FED-1, issue 10 item 1): five tenants,
// each with its own upstream IdP; five logins are begun before any
// finishes and their answers come back in reverse order: each user lands
// in its own tenant.
func TestFiveConnectionsSideBySide(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			type one struct {
				slug, tenant, acct string
				conn               model.Connection
				up                 *connectortest.Provider
				c                  *http.Client
				cb                 *url.URL
			}
			var all []*one
			for i := range 5 {
				o := &one{slug: "t" + string(rune('a'+i))}
				ctx, err := f.env.Svc.CreateContext(bg, directory.System, model.Context{Type: model.ContextTenant, Name: "Tenant " + o.slug, Slug: o.slug, ParentID: f.env.RootID})
				if err != nil {
					t.Fatal(err)
				}
				o.tenant = ctx.ID
				acct, err := f.env.Svc.CreateContext(bg, directory.System, model.Context{Type: model.ContextAccount, Name: "Acct " + o.slug, Number: "N-" + o.slug, ParentID: o.tenant})
				if err != nil {
					t.Fatal(err)
				}
				o.acct = acct.ID
				o.up = connectortest.New(t, connectortest.Options{})
				o.up.SetUser(connectortest.User{Subject: "same-sub", Claims: map[string]any{"email": "x@" + o.slug + ".example", "accounts": []any{"N-" + o.slug + ":Admin"}}})
				o.conn = f.connection(o.tenant, "IdP "+o.slug, o.up, nil)
				o.c = fedBrowser()
				o.cb = f.atIdP(o.c, f.env.Server.URL+"/login?tenant="+o.slug+"&connection="+o.conn.ID, o.up)
				all = append(all, o)
			}
			for i := len(all) - 1; i >= 0; i-- {
				o := all[i]
				p := f.callback(o.c, o.cb)
				if p.status != http.StatusOK || !strings.Contains(p.body, "same-sub") && !p.has("message") {
					t.Fatalf("%s: %d %s", o.slug, p.status, p.body)
				}
				uid := f.link(o.conn.ID, "same-sub")
				if uid == "" {
					t.Fatalf("%s: no user", o.slug)
				}
				u := f.user(uid)
				if !slices.Equal(u.Contexts, []string{o.acct}) {
					t.Errorf("%s: user in %v, want its own account", o.slug, u.Contexts)
				}
				for _, other := range all {
					if other != o && f.link(other.conn.ID, "same-sub") == uid {
						t.Errorf("%s shares its user with %s", o.slug, other.slug)
					}
				}
				if ss, _ := f.env.Store.ListUserSessions(bg, uid); len(ss) != 1 || ss[0].ContextID != o.acct {
					t.Errorf("%s: sessions %+v", o.slug, ss)
				}
			}
		})
	}
}

// TestCallbackAttacks (issue 10 "bad input and attacks"): every answer
// that is not this browser's, for this connection, with this state, once,
// is refused with a clear page, audited, and creates nobody.
func TestCallbackAttacks(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			base := f.env.Server.URL
			start := base + "/login?tenant=acme&connection=" + f.conn.ID
			refused := func(name string, p page, status int, reason string) {
				t.Helper()
				if p.status != status || !strings.Contains(p.body, "failed") {
					t.Errorf("%s: %d, want %d: %s", name, p.status, status, p.body)
				}
				if got := f.failures(); len(got) == 0 || got[len(got)-1] != reason {
					t.Errorf("%s: audited reasons %v, want last %q", name, got, reason)
				}
				if uid := f.link(f.conn.ID, "u-1"); uid != "" {
					t.Fatalf("%s: a user was provisioned", name)
				}
			}
			// Missing state.
			a := fedBrowser()
			cb := f.atIdP(a, start, f.up)
			noState := *cb
			q := noState.Query()
			q.Del("state")
			noState.RawQuery = q.Encode()
			refused("missing state", f.callback(a, &noState), http.StatusBadRequest, "state")
			// Another browser's answer: a browser with no login, and one
			// with a login of its own (same connection), both refused…
			refused("no flow", f.callback(fedBrowser(), cb), http.StatusBadRequest, "no_flow")
			b := fedBrowser()
			cbB := f.atIdP(b, start, f.up)
			refused("foreign state", f.callback(b, cb), http.StatusBadRequest, "state")
			// …the same answer at another tenant's connection's callback…
			otherUp := connectortest.New(t, connectortest.Options{})
			otherConn := f.connection(f.other, "Globex IdP", otherUp, nil)
			moved := *cb
			moved.Path = "/login/idp/" + otherConn.ID + "/callback"
			refused("callback for another tenant's connection", f.callback(a, &moved), http.StatusBadRequest, "connection")
			// …and another tenant's connection is never chosen on acme's page.
			if p := get(t, fedBrowser(), base+"/login?tenant=acme&connection="+otherConn.ID); p.status != http.StatusNotFound || len(buttons(p)) != 1 {
				t.Errorf("acme's page took globex's connection: %d %v", p.status, p.loc)
			}
			// A code injected from another session: b's code in a's
			// callback with a's own state (PKCE binds the code to b).
			inj := *cb
			q = inj.Query()
			q.Set("code", cbB.Query().Get("code"))
			inj.RawQuery = q.Encode()
			refused("injected code", f.callback(a, &inj), http.StatusBadRequest, "exchange")
			// a's login was cleared by the failure: its own answer is now
			// refused too (one use), b still signs in with its own.
			refused("a's answer after a failure", f.callback(a, cb), http.StatusBadRequest, "connection")
			// b's code was spent by the injection attempt (the IdP allows
			// one redemption); b signs in again.
			cbB = f.atIdP(b, start, f.up)
			if p := f.callback(b, cbB); p.status != http.StatusOK || f.link(f.conn.ID, "u-1") == "" {
				t.Fatalf("b's own answer: %d %s", p.status, p.body)
			}
			// Replayed: the same answer again, in the same browser.
			p := f.callback(b, cbB)
			if p.status != http.StatusBadRequest || len(f.audit("federation.login")) == 0 {
				t.Errorf("replay: %d", p.status)
			}
			if got := f.failures(); got[len(got)-1] != "no_flow" {
				t.Errorf("replay audited as %v", got)
			}
			if n := len(f.audit("user.create")); n != 1 {
				t.Errorf("%d users created, want 1", n)
			}
		})
	}
}

// TestMixUp (RFC 9207, RFC 9700 §4.4): two connections of one tenant;
// an answer naming the other IdP as issuer, or arriving at the other
// connection's callback, is refused.
func TestMixUp(t *testing.T) {
	f := fedSetup(t, "sqlite", nil)
	honest := connectortest.New(t, connectortest.Options{ISSParam: true})
	honestConn := f.connection(f.tenant, "Honest IdP", honest, nil)
	evil := f.up // the tenant's first connection plays the attacker's IdP
	c := fedBrowser()
	honest.Misbehave(connectortest.Misbehaviour{ISSParam: evil.Issuer()})
	cb := f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+honestConn.ID, honest)
	if p := f.callback(c, cb); p.status != http.StatusBadRequest || !strings.Contains(p.body, "mix_up") {
		t.Errorf("iss of the other IdP: %d %s", p.status, p.body)
	}
	// The browser's login went to the evil connection; its answer is
	// delivered to the honest connection's callback.
	honest.Misbehave(connectortest.Misbehaviour{})
	c = fedBrowser()
	cb = f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID, evil)
	cb.Path = "/login/idp/" + honestConn.ID + "/callback"
	if p := f.callback(c, cb); p.status != http.StatusBadRequest {
		t.Errorf("answer at the other connection's callback: %d", p.status)
	}
	if got := f.failures(); !slices.Equal(got, []string{"mix_up", "connection"}) {
		t.Errorf("audited %v", got)
	}
	if f.link(honestConn.ID, "u-1") != "" || f.link(f.conn.ID, "u-1") != "" {
		t.Error("a user was provisioned")
	}
}

// TestSlowUpstream: an IdP that never answers its token endpoint holds
// the callback no longer than the federation client's timeout; the page
// says the sign-in service does not answer; nothing is written.
func TestSlowUpstream(t *testing.T) {
	fo := &server.Federation{AllowPrivateNetworks: true}
	fo.Limits.Timeout = 1 * time.Second
	f := fedSetup(t, "sqlite", fo)
	c := fedBrowser()
	cb := f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID, f.up)
	f.up.Misbehave(connectortest.Misbehaviour{Faults: map[connectortest.Endpoint]connectortest.Fault{connectortest.Token: connectortest.Slow}})
	t0 := time.Now()
	p := f.callback(c, cb)
	if el := time.Since(t0); el > 8*time.Second {
		t.Errorf("callback took %v", el)
	}
	if p.status != http.StatusBadGateway || !strings.Contains(p.body, "does not answer") {
		t.Errorf("slow upstream: %d %s", p.status, p.body)
	}
	if got := f.failures(); !slices.Equal(got, []string{"unreachable"}) || f.link(f.conn.ID, "u-1") != "" {
		t.Errorf("audited %v / provisioned", got)
	}
	// The login page comes back (the choice was cleared).
	if p := get(t, c, f.env.Server.URL+"/login?flow="+url.QueryEscape(p.fields().Get("flow"))); len(buttons(p)) == 0 && p.status != http.StatusOK {
		t.Errorf("after the failure: %d", p.status)
	}
}

// TestHomeRealmAndSSO (R-FED-5, R-PRT-1): an email of a verified domain,
// typed without a password on the root login page, goes to its
// connection; /sso/{context} uses the context's tenant connection and
// lands in that context.
func TestHomeRealmAndSSO(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			base := f.env.Server.URL
			in := connInput(f.tenant, "Acme IdP", f.up)
			in.Domains = []model.ConnectionDomain{{Domain: "acme.example", Verified: true}}
			if _, err := f.env.Svc.UpdateConnection(bg, directory.System, f.conn.ID, in); err != nil {
				t.Fatal(err)
			}
			// Unverified domains never route (another connection claims one).
			c := fedBrowser()
			lp := get(t, c, base+"/login")
			v := lp.fields()
			v.Set("username", "someone@unknown.example")
			if p := post(t, c, base+"/login", v); p.status != http.StatusBadRequest {
				t.Errorf("unknown domain without password: %d", p.status)
			}
			v.Set("username", "ute@acme.example")
			p := post(t, stopAtIdP(c, f.up), base+"/login", v)
			if p.loc == nil || !strings.HasPrefix(p.loc.String(), f.up.Issuer()) {
				t.Fatalf("home realm: not sent to acme's IdP: %d %v", p.status, p.loc)
			}
			if p := f.callback(c, f.up.Callback(t, p.loc.String()).URL); p.status != http.StatusOK || f.link(f.conn.ID, "u-1") == "" {
				t.Fatalf("home realm login: %d %s", p.status, p.body)
			}
			// /sso/{context}: Ute is in X and Y; the URL for Y lands in Y
			// without the context choice.
			f.up.SetUser(connectortest.User{Subject: "u-1", Claims: map[string]any{"email": "ute@acme.example", "accounts": []any{"X-1:Admin", "Y-2:User"}}})
			c = fedBrowser()
			cb := f.atIdP(c, base+"/sso/"+f.y+"?return=/", f.up)
			if p := f.callback(c, cb); p.status != http.StatusOK || strings.Contains(p.body, `name="context"`) {
				t.Fatalf("sso: %d %s", p.status, p.body)
			}
			uid := f.link(f.conn.ID, "u-1")
			ss, _ := f.env.Store.ListUserSessions(bg, uid)
			found := false
			for _, s := range ss {
				found = found || s.ContextID == f.y
			}
			if !found {
				t.Errorf("no session in Y: %+v", ss)
			}
			if p := get(t, fedBrowser(), base+"/sso/not-a-context"); p.status != http.StatusNotFound {
				t.Errorf("unknown context: %d", p.status)
			}
		})
	}
}

// TestLinkedLocalUserNoSecondFactor: a local user linked by a verified
// email (the connection allows it) who signs in through the IdP gets no
// one-time code from Sesame although the instance asks local users for
// one at a password login: the IdP authenticated (issue 10 decision).
func TestLinkedLocalUserNoSecondFactor(t *testing.T) {
	f := fedSetup(t, "sqlite", nil)
	lena := f.env.Admin().ID("POST", "/api/v1/users", map[string]any{"loginName": "lena", "domain": "ENTERPRISE", "contexts": []string{f.x},
		"status": "active", "password": pw, "person": map[string]string{"firstName": "Lena", "lastName": "Local", "email": "lena@acme.example"}})
	conn := f.connection(f.tenant, "Linking IdP", f.up, func(in *directory.ConnectionInput) { in.LinkByVerifiedEmail = true })
	f.up.SetUser(connectortest.User{Subject: "l-1", Claims: map[string]any{"email": "lena@acme.example", "email_verified": true}})
	c := fedBrowser()
	p := f.callback(c, f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID, f.up))
	if f.link(conn.ID, "l-1") != lena {
		t.Fatalf("not linked to lena")
	}
	if p.status != http.StatusOK || strings.Contains(p.body, `name="code"`) {
		t.Fatalf("want signed in without a code: %d %s", p.status, p.body)
	}
	if ss, _ := f.env.Store.ListUserSessions(bg, lena); len(ss) != 1 || !slices.Contains(ss[0].AMR, "fed") {
		t.Errorf("sessions %+v", ss)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestUpstreamRefreshAndLogout (issue 10 items 6 and 9): with "refresh
// roles" on, a Sesame refresh refreshes at the IdP and applies the claims
// (a role removed there is gone from the rights after one refresh); an
// upstream refusal fails the Sesame refresh. With upstream logout on,
// Sesame's logout ends its session and then sends the browser to the
// IdP's end_session endpoint with the ID token as hint.
func TestUpstreamRefreshAndLogout(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			conn := f.connection(f.tenant, "Refreshing IdP", f.up, func(in *directory.ConnectionInput) {
				in.OIDC.RefreshRoles, in.OIDC.UpstreamLogout = true, true
			})
			app := f.newRP()
			c := fedBrowser()
			lp, ver := app.start(t, c)
			ret := lp.url.Query().Get("return")
			tok, _, info := app.finish(t, get(t, c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID+"&return="+url.QueryEscape(ret)), ver)
			if rightsOf(info)["SIM - Activate"] != "true" || tok.RefreshToken == "" {
				t.Fatalf("first login: rights %v, refresh token %q", info, tok.RefreshToken)
			}
			// Admin for X removed at the IdP: gone after one refresh.
			f.up.SetUser(connectortest.User{Subject: "u-1", Claims: map[string]any{"email": "ute@acme.example", "accounts": []any{"X-1:Viewer"}}})
			tok2, err := app.conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if r := rightsOf(app.userinfo(t, tok2)); r["SIM - Activate"] == "true" {
				t.Errorf("role removed at the IdP still grants: %v", r)
			}
			// The IdP refuses (user disabled there): the refresh fails.
			f.up.Misbehave(connectortest.Misbehaviour{RefreshFails: true})
			_, err = app.conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token()
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Errorf("refresh with the upstream refusing: %v", err)
			}
			f.up.Misbehave(connectortest.Misbehaviour{})
			// Logout: Sesame's session ends, then the IdP's logout.
			uid := f.link(conn.ID, "u-1")
			lo := get(t, c, f.env.Server.URL+"/logout")
			m := csrfField.FindStringSubmatch(lo.body)
			if m == nil {
				t.Fatalf("no logout form: %s", lo.body)
			}
			p := post(t, c, f.env.Server.URL+"/logout", url.Values{"csrf": {m[1]}})
			got := f.up.LastLogout()
			if got.Get("id_token_hint") == "" || got.Get("post_logout_redirect_uri") != f.env.Server.URL+"/logout/done" {
				t.Errorf("upstream logout request: %v", got)
			}
			if p.status != http.StatusOK || p.url.Path != "/logout/done" {
				t.Errorf("back from the IdP: %d %v", p.status, p.url)
			}
			if ss, _ := f.env.Store.ListUserSessions(bg, uid); len(ss) != 0 {
				t.Errorf("sessions left: %+v", ss)
			}
		})
	}
}

// TestDelegatedAccountPage (R-USR-3): a delegated user's account page
// links "change password" and "profile" to the URLs set on the connection.
func TestDelegatedAccountPage(t *testing.T) {
	f := fedSetup(t, "sqlite", nil)
	conn := f.connection(f.tenant, "Portal IdP", f.up, func(in *directory.ConnectionInput) {
		in.PasswordURL = "https://idp.acme.example/password"
		in.ProfileURL = "https://idp.acme.example/me"
	})
	c := fedBrowser()
	f.callback(c, f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID, f.up))
	p := get(t, c, f.env.Server.URL+"/account")
	if p.status != http.StatusOK || !strings.Contains(p.body, `href="https://idp.acme.example/password" id="password-idp"`) ||
		!strings.Contains(p.body, `href="https://idp.acme.example/me" id="profile-idp"`) {
		t.Errorf("account page: %d %s", p.status, p.body)
	}
}

// TestEncryptedIDTokens (issue 10 item 2): Sesame publishes its ID token
// encryption key at /federation/jwks.json (public half, use enc); an IdP
// encrypting ID tokens to it signs users in.
func TestEncryptedIDTokens(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fo := &server.Federation{AllowPrivateNetworks: true, DecryptionKeys: []connoidc.DecryptionKey{{ID: "enc-1", Key: k}}}
	f := fedSetup(t, "sqlite", fo)
	resp, err := http.Get(f.env.Server.URL + "/federation/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != "enc-1" || set.Keys[0]["use"] != "enc" || set.Keys[0]["d"] != nil {
		t.Fatalf("jwks: %v", set.Keys)
	}
	up := connectortest.New(t, connectortest.Options{EncryptTo: &k.PublicKey, EncryptKID: "enc-1"})
	up.SetUser(connectortest.User{Subject: "e-1", Claims: map[string]any{"email": "e@acme.example", "accounts": []any{"X-1:Admin"}}})
	conn := f.connection(f.tenant, "Encrypting IdP", up, nil)
	c := fedBrowser()
	if p := f.callback(c, f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID, up)); p.status != http.StatusOK || f.link(conn.ID, "e-1") == "" {
		t.Fatalf("encrypted login: %d %s", p.status, p.body)
	}
}

// upstreamSesame is a second Sesame (on 127.0.0.3, a host of its own for
// cookies) used as an ordinary OpenID Connect provider: a client is
// registered through its admin API with the downstream connection's
// redirect URL, and a local user "uwe" signs in on its own login page.
type upstreamSesame struct {
	env              *sesametest.Env
	clientID, secret string
	uwe              string
}

// sesameUpstream starts the upstream and creates, on f's Sesame, a
// connection of tenant acme to it (its id fixed first: the upstream's
// client needs the redirect URL).
func (f *fedFx) sesameUpstream() (*upstreamSesame, model.Connection) {
	f.t.Helper()
	u := &upstreamSesame{env: sesametest.NewWith(f.t, "sqlite", sesametest.Options{Listen: "127.0.0.3:0"})}
	ad := u.env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Upstream Corp", "parentId": u.env.RootID})
	u.uwe = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "uwe", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": pw, "person": map[string]string{"firstName": "Uwe", "lastName": "Upstream", "email": "uwe@upstream.example"}})
	connID := uuid.NewString()
	reg := ad.Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Downstream Sesame", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{f.env.Server.URL + "/login/idp/" + connID + "/callback"}, "grantTypes": []string{"authorization_code"}}).Map(f.t)
	u.clientID, u.secret = reg["id"].(string), reg["secret"].(string)
	in := directory.ConnectionInput{ID: connID, TenantID: f.tenant, Kind: model.ConnectionOIDC, Name: "Upstream Sesame",
		OIDC: model.OIDCSettings{DiscoveryURL: u.env.Server.URL, ClientID: u.clientID}, ClientSecret: &u.secret}
	c, err := f.env.Svc.CreateConnection(bg, directory.System, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return u, c
}

// TestSesameAsUpstream (issue 10 "proven with real peers"): another Sesame,
// not special-cased, is the upstream OP; its user signs in on its login
// page and lands, just in time, as a delegated user of tenant acme.
func TestSesameAsUpstream(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			up, conn := f.sesameUpstream()
			c := fedBrowser()
			p := get(t, c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID)
			if p.status != http.StatusOK || !strings.HasPrefix(p.url.String(), up.env.Server.URL+"/login") {
				t.Fatalf("not at the upstream's login page: %d %v", p.status, p.url)
			}
			v := p.fields()
			v.Set("username", "uwe")
			v.Set("password", pw)
			v.Set("return", p.url.Query().Get("return"))
			p = post(t, c, up.env.Server.URL+"/login", v)
			if p.status != http.StatusOK || p.url.Host != strings.TrimPrefix(f.env.Server.URL, "http://") {
				t.Fatalf("after the upstream login: %d %v %s", p.status, p.url, p.body)
			}
			uid := f.link(conn.ID, up.uwe)
			if uid == "" {
				t.Fatalf("no delegated user for the upstream's subject")
			}
			if u := f.user(uid); u.Kind != model.KindDelegated || u.Person.Email != "uwe@upstream.example" || u.Person.FirstName != "Uwe" {
				t.Errorf("JIT user: %+v", u.Person)
			}
			if ss, _ := f.env.Store.ListUserSessions(bg, uid); len(ss) != 1 || !slices.Contains(ss[0].AMR, "fed") {
				t.Errorf("sessions %+v", ss)
			}
		})
	}
}

// TestDisabledConnection: a connection switched off between the redirect
// and the callback signs nobody in (the page says the method is not
// available, the login page comes back), and is no longer offered.
func TestDisabledConnection(t *testing.T) {
	f := fedSetup(t, "sqlite", nil)
	c := fedBrowser()
	cb := f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID, f.up)
	in := connInput(f.tenant, "Acme IdP", f.up)
	off := false
	in.Enabled = &off
	if _, err := f.env.Svc.UpdateConnection(bg, directory.System, f.conn.ID, in); err != nil {
		t.Fatal(err)
	}
	p := f.callback(c, cb)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "not available") || f.link(f.conn.ID, "u-1") != "" {
		t.Fatalf("callback of a disabled connection: %d %s", p.status, p.body)
	}
	if got := f.failures(); !slices.Equal(got, []string{"unavailable"}) {
		t.Errorf("audited %v", got)
	}
	lp := get(t, c, f.env.Server.URL+"/login?tenant=acme")
	if len(buttons(lp)) != 0 {
		t.Errorf("disabled connection offered: %v", buttons(lp))
	}
	if p := get(t, fedBrowser(), f.env.Server.URL+"/login?tenant=acme&connection="+f.conn.ID); p.status != http.StatusNotFound {
		t.Errorf("/login?connection= of a disabled connection: %d", p.status)
	}
}

// TestConnectionButtonAfterExpiry: a connection button pressed after the
// login expired (no flow cookie any more) starts a new login from the
// form's own fields (tenant, return) and still goes to the IdP.
func TestConnectionButtonAfterExpiry(t *testing.T) {
	f := fedSetup(t, "sqlite", nil)
	lp := get(t, fedBrowser(), f.env.Server.URL+"/login?tenant=acme&return=%2Faccount")
	m := regexp.MustCompile(`(?s)<form method="post" action="/login">\s*<input type="hidden" name="step" value="password">.*?name="connection" value="` + f.conn.ID + `"`).FindString(lp.body)
	if m == "" {
		t.Fatalf("no button form: %s", lp.body)
	}
	v := url.Values{"connection": {f.conn.ID}}
	for _, fm := range regexp.MustCompile(`name="(step|return|tenant)" value="([^"]*)"`).FindAllStringSubmatch(m, -1) {
		v.Set(fm[1], html.UnescapeString(fm[2]))
	}
	c := fedBrowser() // another browser: no flow behind the form
	p := post(t, stopAtIdP(c, f.up), f.env.Server.URL+"/login", v)
	if p.loc == nil || !strings.HasPrefix(p.loc.String(), f.up.Issuer()) {
		t.Fatalf("not sent to the IdP: %d %v %s", p.status, p.loc, p.body)
	}
	if p := f.callback(c, f.up.Callback(t, p.loc.String()).URL); p.status != http.StatusOK || p.url.Path != "/account" {
		t.Fatalf("after the IdP: %d %v", p.status, p.url)
	}
}
