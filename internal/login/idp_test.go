package login_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/connector/connectortest"
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
	secret := p.ClientSecret()
	in := directory.ConnectionInput{TenantID: owner, Kind: model.ConnectionOIDC, Name: name,
		OIDC:         model.OIDCSettings{DiscoveryURL: p.Issuer(), ClientID: p.ClientID()},
		ClientSecret: &secret,
		Mapping:      model.ClaimMapping{AccountKey: model.AccountKeyNumber, ContextRoles: &model.ContextRoles{Claim: "accounts", Separator: ":"}}}
	if edit != nil {
		edit(&in)
	}
	c, err := f.env.Svc.CreateConnection(bg, directory.System, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
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
