package oidcop_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const carolPW = "ruby-lantern-orbit-123"

// rp is a relying party: an httptest server whose /cb and /logout
// endpoints record what Sesame sends, configured with golang.org/x/oauth2
// and github.com/coreos/go-oidc/v3 (independent of Sesame's code).
type rp struct {
	srv      *httptest.Server
	id       string
	secret   string
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	mu       sync.Mutex
	logouts  []string
}

type fixture struct {
	env      *sesametest.Env
	ctx      context.Context
	provider *oidc.Provider
	acct     string
	carol    string
	app1     *rp
	app2     *rp
	rmApp    *rp
}

func (f *fixture) newRP(t *testing.T, name, module string, extra map[string]any) *rp {
	r := &rp{}
	mux := http.NewServeMux()
	mux.HandleFunc("/cb", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "callback") })
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.logouts = append(r.logouts, req.PostFormValue("logout_token"))
		r.mu.Unlock()
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	body := map[string]any{"name": name, "module": module, "protocol": "oidc", "redirectUris": []string{r.srv.URL + "/cb"},
		"grantTypes": []string{"authorization_code", "refresh_token", "client_credentials"}, "logoutUrl": r.srv.URL + "/logout"}
	for k, v := range extra {
		body[k] = v
	}
	resp := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", body).Map(t)
	r.id, _ = resp["id"].(string)
	r.secret, _ = resp["secret"].(string)
	r.conf = oauth2.Config{ClientID: r.id, ClientSecret: r.secret, Endpoint: f.provider.Endpoint(), RedirectURL: r.srv.URL + "/cb",
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}}
	r.verifier = f.provider.Verifier(&oidc.Config{ClientID: r.id})
	return r
}

func setup(t *testing.T, backend string, opts sesametest.Options) *fixture {
	env := sesametest.NewWith(t, backend, opts)
	f := &fixture{env: env}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	f.ctx = ctx
	var err error
	if f.provider, err = oidc.NewProvider(ctx, env.Server.URL); err != nil {
		t.Fatalf("discovery with go-oidc: %v", err)
	}
	ad := env.Admin()
	f.acct = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	f.carol = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "carol", "domain": "ENTERPRISE", "contexts": []string{f.acct},
		"status": "active", "password": carolPW, "person": map[string]string{"firstName": "Carol", "lastName": "Jones", "email": "carol@acme.example"}})
	f.app1 = f.newRP(t, "App one", "portal", nil)
	f.app2 = f.newRP(t, "App two", "cas", nil)
	f.rmApp = f.newRP(t, "Resource Manager", "rm", nil)
	return f
}

func onBackends(t *testing.T, opts sesametest.Options, fn func(t *testing.T, f *fixture)) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, setup(t, b, opts)) })
	}
}

// browser is a cookie-keeping client that stops at any URL outside
// Sesame (the relying party's callback), so tests read the Location.
func (f *fixture) browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	base := f.env.Server.URL
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), base) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

type authResult struct {
	code, state, err, desc string
	loginPage              bool
	status                 int
	location               *url.URL
}

// authorize follows an authorization request through Sesame; when the
// login page shows and user is set, it signs in like a browser would.
func (f *fixture) authorize(t *testing.T, c *http.Client, authURL, user, pass string) authResult {
	t.Helper()
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), `name="password"`) {
		if user == "" {
			return authResult{loginPage: true, status: resp.StatusCode}
		}
		ret := resp.Request.URL.Query().Get("return")
		resp, err = c.PostForm(f.env.Server.URL+"/login", url.Values{"username": {user}, "password": {pass}, "return": {ret}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	loc, _ := resp.Location()
	if resp.StatusCode/100 != 3 || loc == nil {
		return authResult{status: resp.StatusCode, desc: string(b)}
	}
	q := loc.Query()
	return authResult{code: q.Get("code"), state: q.Get("state"), err: q.Get("error"), desc: q.Get("error_description"), status: resp.StatusCode, location: loc}
}

// login runs the whole authorization code flow with PKCE for app and
// returns the tokens.
func (f *fixture) login(t *testing.T, c *http.Client, app *rp, user, pass string, opts ...oauth2.AuthCodeOption) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts = append(opts, oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-0S6_WzA2Mj"))
	res := f.authorize(t, c, app.conf.AuthCodeURL("st-123", opts...), user, pass)
	if res.code == "" || res.state != "st-123" {
		t.Fatalf("no code: %+v", res)
	}
	if !strings.HasPrefix(res.location.String(), app.srv.URL+"/cb?") {
		t.Fatalf("code sent to %s", res.location)
	}
	tok, err := app.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func (f *fixture) idToken(t *testing.T, app *rp, tok *oauth2.Token) (*oidc.IDToken, map[string]any) {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idt, err := app.verifier.Verify(f.ctx, raw)
	if err != nil {
		t.Fatalf("go-oidc rejects the ID token: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return idt, claims
}

// introspect asks as app (RFC 7662).
func (f *fixture) introspect(t *testing.T, app *rp, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", f.env.Server.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(app.id), url.QueryEscape(app.secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("introspection: %d %s", resp.StatusCode, b)
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func postForm(t *testing.T, u string, v url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{"raw": string(b)}
	}
	return resp.StatusCode, out
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func doJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
