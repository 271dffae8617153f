package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestTwoNodesShareOnePostgres runs two `sesame serve` instances on
// different ports over one PostgreSQL database, as behind a load balancer
// (one external URL, the browser's cookie reaching both): log in on A,
// redeem the code on B, validate a CAS ticket on B, refresh on A, log out
// on B, and the session is gone on A.
func TestTwoNodesShareOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	const issuer = "http://sesame.test"
	env := map[string]string{"SESAME_DATABASE_URL": dsn, "SESAME_BOOTSTRAP_ADMIN_PASSWORD": "slate-harbor-quill-123", "SESAME_EXTERNAL_URL": issuer, "SESAME_MASTER_KEY": testMasterKey}
	a, _, _ := serve(t, nil, env)
	b, _, _ := serve(t, nil, env)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Set-up through node A's admin API.
	api := func(method, path string, body any) map[string]any {
		t.Helper()
		buf, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, a+path, strings.NewReader(string(buf)))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("admin", "slate-harbor-quill-123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, m)
		}
		return m
	}
	_, roots := get(t, a+"/api/v1/contexts?type=root", "admin", "slate-harbor-quill-123")
	root := roots["items"].([]any)[0].(map[string]any)["id"].(string)
	acct := api("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": root})["id"].(string)
	user := api("POST", "/api/v1/users", map[string]any{"loginName": "dana", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "velvet-summit-crane-123", "person": map[string]string{"email": "dana@acme.example"}})["id"].(string)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "app") }))
	defer app.Close()
	cl := api("POST", "/api/v1/clients", map[string]any{"name": "Portal", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{app.URL + "/cb"}, "grantTypes": []string{"authorization_code", "refresh_token"}})
	api("POST", "/api/v1/clients", map[string]any{"name": "Legacy", "module": "portal", "protocol": "cas", "servicePatterns": []string{app.URL + "/cas/*"}})

	conf := func(node string) oauth2.Config {
		return oauth2.Config{ClientID: cl["id"].(string), ClientSecret: cl["secret"].(string), RedirectURL: app.URL + "/cb",
			Scopes: []string{"openid", "email", "offline_access"}, Endpoint: oauth2.Endpoint{AuthURL: node + "/oauth2/authorize", TokenURL: node + "/oauth2/token"}}
	}
	jar, _ := cookiejar.New(nil) // one browser; cookie jars ignore ports, like one host name behind a balancer
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), app.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}

	// Log in on A.
	verifier := oauth2.GenerateVerifier()
	ca := conf(a)
	resp, err := browser.Get(ca.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ret := resp.Request.URL.Query().Get("return")
	resp, err = browser.PostForm(a+"/login", url.Values{"username": {"dana"}, "password": {"velvet-summit-crane-123"}, "return": {ret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code from node A: %d %v", resp.StatusCode, loc)
	}
	// Redeem the code on B; verify the ID token with B's JWKS through go-oidc.
	cb := conf(b)
	tok, err := cb.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("redeem on B: %v", err)
	}
	v := oidc.NewVerifier(issuer, oidc.NewRemoteKeySet(ctx, b+"/oauth2/keys"), &oidc.Config{ClientID: cl["id"].(string)})
	idt, err := v.Verify(ctx, tok.Extra("id_token").(string))
	if err != nil || idt.Subject != user {
		t.Fatalf("ID token from B: %v %v", idt, err)
	}
	// A CAS ticket issued on A (same SSO session) validates on B.
	service := app.URL + "/cas/home"
	resp, err = browser.Get(a + "/cas/login?service=" + url.QueryEscape(service))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ = resp.Location()
	ticket := ""
	if loc != nil {
		ticket = loc.Query().Get("ticket")
	}
	vr, err := http.Get(b + "/cas/serviceValidate?" + url.Values{"service": {service}, "ticket": {ticket}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(vr.Body)
	vr.Body.Close()
	if !strings.Contains(string(body), "<cas:user>"+user+"</cas:user>") { // the user id: the default CAS principal
		t.Fatalf("CAS ticket %q from A on B: %s", ticket, body)
	}
	// Refresh on A.
	tok2, err := ca.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh on A: %v", err)
	}
	introspectOnA := func() bool {
		req, _ := http.NewRequest("POST", a+"/oauth2/introspect", strings.NewReader(url.Values{"token": {tok2.AccessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(cl["id"].(string), cl["secret"].(string))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m["active"] == true
	}
	if !introspectOnA() {
		t.Fatal("refreshed access token inactive on A")
	}
	// Log out on B: the session is gone on A.
	sesametest.Logout(t, browser, b, "/logout")
	resp, err = browser.Get(ca.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "none")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ = resp.Location()
	if loc == nil || loc.Query().Get("error") != "login_required" {
		t.Fatalf("after logout on B, A still has the session: %d %v", resp.StatusCode, loc)
	}
	// The logout revoked the session's grants; A's verification cache
	// holds live state for at most a second.
	deadline := time.Now().Add(3 * time.Second)
	for introspectOnA() {
		if time.Now().After(deadline) {
			t.Fatal("A still says the logged-out session's access token is active")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
