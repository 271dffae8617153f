// Command oidc-webapp is the smallest server-side web app that signs its
// users in with Sesame over OpenID Connect (docs/quickstart-oidc.md):
// authorization code flow with PKCE, state and nonce, the ID token
// verified by github.com/coreos/go-oidc against Sesame's published keys.
//
//	SESAME_ISSUER=http://127.0.0.1:8080 CLIENT_ID=… CLIENT_SECRET=… \
//	APP_URL=http://127.0.0.1:3000 go run ./examples/oidc-webapp
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"log"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func main() {
	issuer, appURL := os.Getenv("SESAME_ISSUER"), os.Getenv("APP_URL")
	ctx := context.Background()
	// Discovery: endpoints and keys from $SESAME_ISSUER/.well-known/openid-configuration.
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatalf("discovery: %v", err)
	}
	conf := oauth2.Config{
		ClientID: os.Getenv("CLIENT_ID"), ClientSecret: os.Getenv("CLIENT_SECRET"),
		RedirectURL: appURL + "/callback", Endpoint: provider.Endpoint(),
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: conf.ClientID})

	http.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<a href="/login">Sign in with Sesame</a>`)
	})
	// /login: remember state, nonce and the PKCE verifier in short-lived
	// cookies and send the browser to Sesame.
	http.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		state, nonce, pkce := random(), random(), oauth2.GenerateVerifier()
		for name, v := range map[string]string{"state": state, "nonce": nonce, "pkce": pkce} {
			http.SetCookie(w, &http.Cookie{Name: name, Value: v, Path: "/", MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), http.StatusFound)
	})
	// /callback: check state, redeem the code, verify the ID token and its nonce.
	http.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		state, _ := r.Cookie("state")
		nonce, _ := r.Cookie("nonce")
		pkce, _ := r.Cookie("pkce")
		if state == nil || nonce == nil || pkce == nil || r.URL.Query().Get("state") != state.Value {
			http.Error(w, "sign-in expired or not started here: start again at /login", http.StatusBadRequest)
			return
		}
		if e := r.URL.Query().Get("error"); e != "" {
			http.Error(w, "Sesame refused the sign-in: "+e, http.StatusForbidden)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		tok, err := conf.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(pkce.Value))
		if err != nil {
			http.Error(w, "code exchange: "+err.Error(), http.StatusBadGateway)
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(ctx, raw)
		if err != nil || idt.Nonce != nonce.Value {
			http.Error(w, "invalid ID token", http.StatusBadGateway)
			return
		}
		var claims struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		}
		_ = idt.Claims(&claims)
		// A real app starts its own session here (and keeps tok.RefreshToken
		// server-side if it asked for offline_access).
		fmt.Fprintf(w, "Hello %s (%s), subject %s\n", html.EscapeString(claims.Name), html.EscapeString(claims.Email), idt.Subject)
	})
	u, err := url.Parse(appURL)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s", appURL)
	log.Fatal(http.ListenAndServe(u.Host, nil))
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
