package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// oidcApp is a web application that signs users in with OpenID Connect
// through golang.org/x/oauth2 and coreos/go-oidc (authorization code +
// PKCE), keeps its own session cookie, and ends sessions on back-channel
// logout tokens (OIDC Back-Channel Logout 1.0) that go-oidc verifies.
type oidcApp struct {
	srv      *httptest.Server
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	mu       sync.Mutex
	pending  map[string]string // state → PKCE verifier
	sessions map[string]string // cookie → user
	sids     map[string]string // cookie → Sesame sid
}

func random() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newOIDCApp listens on addr (a loopback address of its own, so the
// browser keeps its cookies apart from the other apps').
func newOIDCApp(t *testing.T, addr string) *oidcApp {
	a := &oidcApp{pending: map[string]string{}, sessions: map[string]string{}, sids: map[string]string{}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("app"); err == nil {
			a.mu.Lock()
			user, ok := a.sessions[c.Value]
			a.mu.Unlock()
			if ok {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<!doctype html><title>oidc app</title><p id="hello">hello %s</p>`, html.EscapeString(user))
				return
			}
		}
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
		raw, _ := tok.Extra("id_token").(string)
		idt, err := a.verifier.Verify(r.Context(), raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var claims struct {
			User string `json:"preferred_username"`
			Sid  string `json:"sid"`
		}
		if err := idt.Claims(&claims); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		cookie := random()
		a.mu.Lock()
		a.sessions[cookie], a.sids[cookie] = claims.User, claims.Sid
		a.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "app", Value: cookie, Path: "/", HttpOnly: true})
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("POST /backchannel", func(w http.ResponseWriter, r *http.Request) {
		lt, err := a.verifier.Verify(r.Context(), r.PostFormValue("logout_token"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var claims struct {
			Sid string `json:"sid"`
		}
		if err := lt.Claims(&claims); err != nil || claims.Sid == "" {
			http.Error(w, "no sid", http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		for cookie, sid := range a.sids {
			if sid == claims.Sid {
				delete(a.sessions, cookie)
				delete(a.sids, cookie)
			}
		}
		a.mu.Unlock()
	})
	a.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	a.srv.Start()
	t.Cleanup(a.srv.Close)
	return a
}

// register makes the app an OIDC client of Sesame and discovers Sesame.
func (a *oidcApp) register(ctx context.Context, t *testing.T, issuer, id, secret string) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	a.conf = oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: a.srv.URL + "/cb",
		Scopes: []string{oidc.ScopeOpenID, "profile"}}
	a.verifier = p.Verifier(&oidc.Config{ClientID: id})
}
