package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// rightsApp is an OpenID Connect app (golang.org/x/oauth2 + coreos/go-oidc)
// that asks Sesame for the user's rights (scope rights, R-SSO-4) and shows
// the granted ones in #rights.
type rightsApp struct {
	srv     *httptest.Server
	conf    oauth2.Config
	mu      sync.Mutex
	pending map[string]string
}

func newRightsApp(t *testing.T, addr string) *rightsApp {
	a := &rightsApp{pending: map[string]string{}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		state, pkce := random(), oauth2.GenerateVerifier()
		a.mu.Lock()
		a.pending[state] = pkce
		a.mu.Unlock()
		http.Redirect(w, r, a.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce)), http.StatusFound)
	})
	mux.HandleFunc("GET /cb", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		pkce, ok := a.pending[r.URL.Query().Get("state")]
		delete(a.pending, r.URL.Query().Get("state"))
		a.mu.Unlock()
		if !ok {
			http.Error(w, "unknown state", http.StatusBadRequest)
			return
		}
		tok, err := a.conf.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), "GET", strings.TrimSuffix(a.conf.Endpoint.TokenURL, "/token")+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var info struct {
			Email  string            `json:"email"`
			Rights map[string]string `json:"rights"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&info)
		var granted []string
		for k, v := range info.Rights {
			if v == "true" {
				granted = append(granted, k)
			}
		}
		slices.Sort(granted)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>app</title><p id="hello">hello %s</p><p id="rights">%s</p>`,
			html.EscapeString(info.Email), html.EscapeString(strings.Join(granted, ",")))
	})
	a.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	a.srv.Start()
	t.Cleanup(a.srv.Close)
	return a
}

// TestBrowserDelegatedLogin (issue 10 "proven with real peers"): in a real
// browser, an app sends the user to Sesame's login page of tenant acme,
// which offers the tenant's connections as buttons.
//
//  1. "Upstream Sesame": another Sesame (own host) is the IdP; the user
//     signs in on its real login page and comes back to the app as a
//     delegated user created just in time.
//  2. "Acme IdP" (a scripted OP asserting roles): the user lands in the
//     app with the rights its IdP roles give.
func TestBrowserDelegatedLogin(t *testing.T) {
	exe := chromium(t)
	env := sesametest.New(t, "sqlite")
	ctx0 := context.Background()
	sys := directory.System
	mk := func(c model.Context) string {
		c, err := env.Svc.CreateContext(ctx0, sys, c)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	tenant := mk(model.Context{Type: model.ContextTenant, Name: "Acme", Slug: "acme", ParentID: env.RootID})
	x := mk(model.Context{Type: model.ContextAccount, Name: "Account X", Number: "X-1", ParentID: tenant})
	if _, err := env.Svc.CreateGroup(ctx0, sys, model.Group{ContextID: x, Name: "X admins", RoleNames: []string{"Admin"},
		Values: []model.ACLValue{{Module: "portal", Name: "SIM - Activate", Value: "true"}}}, ""); err != nil {
		t.Fatal(err)
	}
	mapping := model.ClaimMapping{AccountKey: model.AccountKeyNumber, ContextRoles: &model.ContextRoles{Claim: "accounts", Separator: ":"}}

	// The upstream Sesame on 127.0.0.3 (cookies apart from ours).
	up := sesametest.NewWith(t, "sqlite", sesametest.Options{Listen: "127.0.0.3:0"})
	uad := up.Admin()
	uacct := uad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Upstream Corp", "parentId": up.RootID})
	uad.ID("POST", "/api/v1/users", map[string]any{"loginName": "uwe", "domain": "ENTERPRISE", "contexts": []string{uacct},
		"status": "active", "password": "ruby-lantern-orbit-123", "person": map[string]string{"firstName": "Uwe", "lastName": "Up", "email": "uwe@upstream.example"}})
	upConnID := uuid.NewString()
	reg := uad.Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Downstream", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{env.Server.URL + "/login/idp/" + upConnID + "/callback"}, "grantTypes": []string{"authorization_code"}}).Map(t)
	upSecret := reg["secret"].(string)
	if _, err := env.Svc.CreateConnection(ctx0, sys, directory.ConnectionInput{ID: upConnID, TenantID: tenant, Kind: model.ConnectionOIDC,
		Name: "Upstream Sesame", OIDC: model.OIDCSettings{DiscoveryURL: up.Server.URL, ClientID: reg["id"].(string)}, ClientSecret: &upSecret,
		Mapping: mapping}); err != nil {
		t.Fatal(err)
	}
	// The scripted OP asserting roles per account.
	op := connectortest.New(t, connectortest.Options{})
	op.SetUser(connectortest.User{Subject: "r-1", Claims: map[string]any{"email": "rita@acme.example", "email_verified": true, "accounts": []any{"X-1:Admin"}}})
	opSecret := op.ClientSecret()
	opConn, err := env.Svc.CreateConnection(ctx0, sys, directory.ConnectionInput{TenantID: tenant, Kind: model.ConnectionOIDC, Name: "Acme IdP",
		OIDC: model.OIDCSettings{DiscoveryURL: op.Issuer(), ClientID: op.ClientID()}, ClientSecret: &opSecret, Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}

	app := newRightsApp(t, "127.0.0.2:0")
	areg := env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Rights app", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{app.srv.URL + "/cb"}, "grantTypes": []string{"authorization_code"}}).Map(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	p, err := oidc.NewProvider(ctx, env.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	app.conf = oauth2.Config{ClientID: areg["id"].(string), ClientSecret: areg["secret"].(string), Endpoint: p.Endpoint(),
		RedirectURL: app.srv.URL + "/cb", Scopes: []string{oidc.ScopeOpenID, "profile", "email", "rights"}}

	b := startChrome(t, ctx, exe)
	do, read := b.do, b.read
	// The app's authorization request, on the tenant's login page.
	do("open the app", chromedp.Navigate(app.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	ret := read("location", chromedp.Location())
	loginURL := strings.Replace(ret, "/login?", "/login?tenant=acme&", 1)
	do("acme's login page", chromedp.Navigate(loginURL), chromedp.WaitVisible(chromedp.ID("connection-"+upConnID)))
	// Both login pages have #username: wait for the upstream's address.
	do("choose the upstream Sesame", chromedp.Click(chromedp.ID("connection-"+upConnID)))
	waitLocation(t, b, "the upstream's login page", up.Server.URL+"/login")
	do("upstream login form", chromedp.WaitVisible(chromedp.ID("username")))
	do("type the upstream login name", chromedp.SendKeys(chromedp.ID("username"), "uwe"))
	do("type the upstream password", chromedp.SendKeys(chromedp.ID("password"), "ruby-lantern-orbit-123"))
	do("sign in upstream", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("hello")))
	if hello, loc := read("app", chromedp.Text(chromedp.ID("hello"))), read("location", chromedp.Location()); hello != "hello uwe@upstream.example" || !strings.HasPrefix(loc, app.srv.URL) {
		t.Fatalf("after the upstream login: %q at %s", hello, loc)
	}
	// Sign out at Sesame; then the scripted IdP with roles.
	do("sign out", chromedp.Navigate(env.Server.URL+"/logout"), chromedp.WaitVisible(chromedp.ID("confirm-logout")))
	do("confirm", chromedp.Click(chromedp.ID("confirm-logout")), chromedp.WaitVisible(chromedp.ID("message")))
	do("open the app again", chromedp.Navigate(app.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	ret = read("location", chromedp.Location())
	do("acme's login page again", chromedp.Navigate(strings.Replace(ret, "/login?", "/login?tenant=acme&", 1)),
		chromedp.WaitVisible(chromedp.ID("connection-"+opConn.ID)))
	do("choose Acme IdP", chromedp.Click(chromedp.ID("connection-"+opConn.ID)), chromedp.WaitVisible(chromedp.ID("rights")))
	if hello, rights := read("app", chromedp.Text(chromedp.ID("hello"))), read("rights", chromedp.Text(chromedp.ID("rights"))); hello != "hello rita@acme.example" || rights != "SIM - Activate" {
		t.Fatalf("with the IdP's roles: %q, rights %q", hello, rights)
	}
}

// waitLocation waits until the page's address starts with prefix.
func waitLocation(t *testing.T, b *chrome, name, prefix string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err == nil && strings.HasPrefix(loc, prefix) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still at %s (%v)", name, loc, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
