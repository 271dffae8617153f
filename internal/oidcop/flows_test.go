package oidcop_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestAuthorizationCodeFlowWithGoOIDC: a user signs in to app one through
// the login page; go-oidc verifies the ID token; userinfo and refresh work;
// app two then gets the user without a prompt (R-SSO-1).
func TestAuthorizationCodeFlowWithGoOIDC(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		idt, claims := f.idToken(t, f.app1, tok)
		if idt.Subject != f.carol || idt.Nonce != "n-0S6_WzA2Mj" || idt.Issuer != f.env.Server.URL {
			t.Fatalf("ID token: sub %s nonce %s iss %s", idt.Subject, idt.Nonce, idt.Issuer)
		}
		if claims["email"] != "carol@acme.example" || claims["preferred_username"] != "carol" || claims["context_id"] != f.acct || claims["module"] != "portal" {
			t.Errorf("ID token claims: %v", claims)
		}
		// Access token: a JWT with RFC 9068 claims and Sesame's context.
		at := f.introspect(t, f.app1, tok.AccessToken)
		if at["active"] != true || at["sub"] != f.carol || at["client_id"] != f.app1.id || at["context_id"] != f.acct || at["username"] != "carol" {
			t.Fatalf("introspection: %v", at)
		}
		if _, ok := at["rights"]; ok {
			t.Errorf("rights released without scope rights: %v", at)
		}
		// Userinfo through go-oidc.
		ui, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok))
		if err != nil || ui.Subject != f.carol || ui.Email != "carol@acme.example" {
			t.Fatalf("userinfo: %+v %v", ui, err)
		}
		// Refresh with rotation.
		tok2, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken {
			t.Fatalf("refresh did not rotate: %+v", tok2)
		}
		if _, err := f.app1.verifier.Verify(f.ctx, tok2.Extra("id_token").(string)); err != nil {
			t.Errorf("refreshed ID token: %v", err)
		}
		// App two: SSO without a prompt.
		tok3 := f.login(t, c, f.app2, "", "")
		_, claims3 := f.idToken(t, f.app2, tok3)
		if claims3["sub"] != f.carol || claims3["module"] != "cas" {
			t.Fatalf("app two claims: %v", claims3)
		}
		if claims3["sid"] == "" || claims3["sid"] != claims["sid"] {
			t.Errorf("both apps should see the same session id: %v vs %v", claims3["sid"], claims["sid"])
		}
	})
}

// TestRefreshReuseRevokesFamily: presenting a rotated refresh token again
// kills the whole family, including the newest refresh and access tokens.
func TestRefreshReuseRevokesFamily(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		tok2, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		var re *oauth2.RetrieveError
		if err == nil || !asRetrieve(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("reused refresh token: %v", err)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token(); err == nil {
			t.Fatal("the newest refresh token of a revoked family still works")
		}
		for _, at := range []string{tok.AccessToken, tok2.AccessToken} {
			if r := f.introspect(t, f.app1, at); r["active"] != false {
				t.Errorf("access token of a revoked family is active: %v", r)
			}
		}
		// Another client cannot use app one's refresh token.
		tok4 := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		if _, err := f.app2.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok4.RefreshToken}).Token(); err == nil {
			t.Fatal("app two redeemed app one's refresh token")
		}
	})
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	if ok {
		*re = r
	}
	return ok
}

// TestCodeRules: PKCE S256 is required (plain and missing are refused at
// the authorize endpoint), a code works once and its replay revokes the
// tokens issued from it, and another client cannot redeem it.
func TestCodeRules(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		f.login(t, c, f.app1, "carol", carolPW) // establish the session
		for name, opts := range map[string][]oauth2.AuthCodeOption{
			"missing":   nil,
			"plain":     {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
			"no method": {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43))},
		} {
			res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", opts...), "", "")
			if res.code != "" || res.err != "invalid_request" {
				t.Errorf("PKCE %s: %+v", name, res)
			}
		}
		verifier := oauth2.GenerateVerifier()
		res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "")
		if res.code == "" {
			t.Fatalf("no code: %+v", res)
		}
		// Wrong verifier.
		if _, err := f.app1.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("code redeemed with a wrong PKCE verifier")
		}
		res = f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "")
		// Another client.
		if _, err := f.app2.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("app two redeemed app one's code")
		}
		res = f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "")
		tok, err := f.app1.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app1.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("a code worked twice")
		}
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("tokens from a replayed code stay active: %v", r)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("refresh token from a replayed code still works")
		}
	})
}

// TestRedirectURIsAreExact: look-alike redirect URIs get a 400 page from
// Sesame, never a redirect to them.
func TestRedirectURIsAreExact(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		base := f.app1.srv.URL
		u, _ := url.Parse(base)
		for _, evil := range []string{
			base + "/cb/", base + "/cb?x=1", base + "/cbx", base + "/cb/../cb", base + "/CB", base + "/%63b",
			base + ".evil.example/cb", "http://evil.example@" + u.Host + "/cb", "http://" + u.Host + "@evil.example/cb",
			"https://" + u.Host + "/cb", "http://" + u.Hostname() + ":1/cb", "http://evil.example/cb", "//evil.example/cb",
			base + "%2Fcb", "javascript:alert(1)", strings.Repeat("x", 5000),
		} {
			conf := f.app1.conf
			conf.RedirectURL = evil
			res := f.authorize(t, c, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "")
			if res.status != http.StatusBadRequest || res.location != nil {
				t.Errorf("redirect_uri %q: status %d, location %v", evil, res.status, res.location)
			}
		}
	})
}

// TestModuleEntryDenied: an account user may not enter rm (R-MOD-2); the
// app gets access_denied, never a code (R-MOD-3).
func TestModuleEntryDenied(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		res := f.authorize(t, c, f.rmApp.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "carol", carolPW)
		if res.code != "" || res.err != "access_denied" || res.desc == "" {
			t.Fatalf("rm login: %+v", res)
		}
	})
}

// TestPromptNoneAndLogout: prompt=none without a session answers
// login_required; RP-initiated logout ends the session, revokes the
// session's tokens and sends back-channel logout tokens that go-oidc
// verifies.
func TestPromptNoneAndLogout(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		none := func() authResult {
			return f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")), "", "")
		}
		if r := none(); r.err != "login_required" {
			t.Fatalf("prompt=none without a session: %+v", r)
		}
		tok := f.login(t, c, f.app1, "carol", carolPW)
		_, claims := f.idToken(t, f.app1, tok)
		f.login(t, c, f.app2, "", "")
		if r := none(); r.code == "" {
			t.Fatalf("prompt=none with a session: %+v", r)
		}
		idt := tok.Extra("id_token").(string)
		resp, err := c.Get(f.env.Server.URL + "/oauth2/logout?" + url.Values{"id_token_hint": {idt},
			"post_logout_redirect_uri": {f.app1.srv.URL + "/cb"}, "client_id": {f.app1.id}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc, _ := resp.Location(); loc == nil || !strings.HasPrefix(loc.String(), f.app1.srv.URL+"/cb") {
			t.Fatalf("logout did not return to the app: %d %v", resp.StatusCode, loc)
		}
		if r := none(); r.err != "login_required" {
			t.Fatalf("session survived RP-initiated logout: %+v", r)
		}
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("access token of a logged-out session is active: %v", r)
		}
		for _, app := range []*rp{f.app1, f.app2} {
			app.mu.Lock()
			logouts := append([]string(nil), app.logouts...)
			app.mu.Unlock()
			if len(logouts) != 1 {
				t.Fatalf("%s received %d logout tokens", app.id, len(logouts))
			}
			v := f.provider.Verifier(&oidc.Config{ClientID: app.id})
			lt, err := v.Verify(f.ctx, logouts[0])
			if err != nil {
				t.Fatalf("go-oidc rejects the logout token: %v", err)
			}
			var lc struct {
				Sid    string         `json:"sid"`
				Events map[string]any `json:"events"`
				Nonce  *string        `json:"nonce"`
			}
			_ = lt.Claims(&lc)
			if lt.Subject != f.carol || lc.Sid != claims["sid"] || lc.Events["http://schemas.openid.net/event/backchannel-logout"] == nil || lc.Nonce != nil {
				t.Errorf("logout token: sub %s claims %+v", lt.Subject, lc)
			}
		}
	})
}

// TestClientCredentialsAndRevocation: golang.org/x/oauth2/clientcredentials
// gets a token; introspection by the resource server in its audience
// says active until RFC 7009 revocation.
func TestClientCredentialsAndRevocation(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		f.env.Admin().Must(http.StatusOK, "PATCH", "/api/v1/clients/"+f.app1.id, map[string]any{"audience": []string{f.app2.id}})
		cc := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: f.app1.secret, TokenURL: f.provider.Endpoint().TokenURL}
		tok, err := cc.Token(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := f.introspect(t, f.app2, tok.AccessToken)
		if r["active"] != true || r["sub"] != f.app1.id || r["client_id"] != f.app1.id || r["module"] != "portal" {
			t.Fatalf("introspection: %v", r)
		}
		bad := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: "wrong", TokenURL: cc.TokenURL}
		if _, err := bad.Token(f.ctx); err == nil {
			t.Fatal("wrong client secret accepted")
		}
		status, _ := postForm(t, f.env.Server.URL+"/oauth2/revoke", url.Values{"token": {tok.AccessToken}}, f.app1.id, f.app1.secret)
		if status != http.StatusOK {
			t.Fatalf("revocation: %d", status)
		}
		if r := f.introspect(t, f.app2, tok.AccessToken); r["active"] != false {
			t.Fatalf("revoked token is active: %v", r)
		}
		// Introspection needs client authentication.
		if status, _ := postForm(t, f.env.Server.URL+"/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, f.app1.id, "wrong"); status != http.StatusUnauthorized {
			t.Errorf("introspection with a wrong secret: %d", status)
		}
		if status, _ := postForm(t, f.env.Server.URL+"/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, "", ""); status != http.StatusUnauthorized {
			t.Errorf("introspection without client auth: %d", status)
		}
	})
}

// TestDeactivationEndsEverything (R-USR-1): sessions, refresh tokens and
// introspection all fail at once.
func TestDeactivationEndsEverything(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("introspection after deactivation: %v", r)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("refresh after deactivation worked")
		}
		if _, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("userinfo after deactivation worked")
		}
		res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "")
		if !res.loginPage {
			t.Errorf("the SSO session survived deactivation: %+v", res)
		}
		// Reactivation does not bring old refresh tokens back.
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/reactivate", nil)
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("a refresh token from before deactivation works after reactivation")
		}
	})
}

// TestRefreshTokenRevocation (RFC 7009): a refresh token revoked by its
// client takes its family with it; another client cannot revoke it.
func TestRefreshTokenRevocation(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		st, body := postForm(t, f.env.Server.URL+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, f.app2.id, f.app2.secret)
		if st == http.StatusOK {
			t.Fatalf("another client revoked app one's refresh token: %v", body)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
			t.Fatalf("refresh after a refused revocation: %v", err)
		}
		tok = f.login(t, f.browser(t), f.app1, "carol", carolPW)
		if st, body := postForm(t, f.env.Server.URL+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, f.app1.id, f.app1.secret); st != http.StatusOK {
			t.Fatalf("revoke: %d %v", st, body)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("a revoked refresh token still works")
		}
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("the access token of a revoked family is active: %v", r)
		}
		// Without a hint (op tries it as a refresh token first).
		tok = f.login(t, f.browser(t), f.app1, "carol", carolPW)
		if st, _ := postForm(t, f.env.Server.URL+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}}, f.app1.id, f.app1.secret); st != http.StatusOK {
			t.Fatalf("revoke without hint: %d", st)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Error("a refresh token revoked without hint still works")
		}
	})
}

// TestAccessTokenRevocationOwnership (RFC 7009 §2.1): a client revokes
// only its own access tokens.
func TestAccessTokenRevocationOwnership(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		user := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		cc := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: f.app1.secret, TokenURL: f.provider.Endpoint().TokenURL}
		machine, err := cc.Token(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, at := range map[string]string{"user token": user.AccessToken, "client token": machine.AccessToken} {
			if st, _ := postForm(t, f.env.Server.URL+"/oauth2/revoke", url.Values{"token": {at}, "token_type_hint": {"access_token"}}, f.app2.id, f.app2.secret); st == http.StatusOK {
				t.Errorf("%s: another client revoked it", name)
			}
			if r := f.introspect(t, f.app1, at); r["active"] != true {
				t.Errorf("%s: inactive after a refused revocation: %v", name, r)
			}
			if st, _ := postForm(t, f.env.Server.URL+"/oauth2/revoke", url.Values{"token": {at}, "token_type_hint": {"access_token"}}, f.app1.id, f.app1.secret); st != http.StatusOK {
				t.Errorf("%s: its own client could not revoke it: %d", name, st)
			}
			if r := f.introspect(t, f.app1, at); r["active"] != false {
				t.Errorf("%s: active after revocation: %v", name, r)
			}
		}
	})
}

// TestRefreshTokenIntrospection: a client may introspect its refresh
// token; a rotated one is inactive, and asking about it does not revoke
// the family (only presenting it at the token endpoint does).
func TestRefreshTokenIntrospection(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		if r := f.introspect(t, f.app1, tok.RefreshToken); r["active"] != true || r["sub"] != f.carol || r["token_type"] != "refresh_token" {
			t.Fatalf("refresh token introspection: %v", r)
		}
		if r := f.introspect(t, f.app2, tok.RefreshToken); r["active"] != false {
			t.Errorf("another client sees app one's refresh token: %v", r)
		}
		tok2, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		if r := f.introspect(t, f.app1, tok.RefreshToken); r["active"] != false {
			t.Errorf("rotated refresh token active: %v", r)
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token(); err != nil {
			t.Errorf("introspecting the old token revoked the family: %v", err)
		}
	})
}

// TestCASLogoutReachesOIDCApps (R-SSO-7): signing out through the CAS
// logout endpoint ends the same SSO session, so OIDC apps get their
// back-channel logout token and the session's tokens are revoked.
func TestCASLogoutReachesOIDCApps(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		sesametest.Logout(t, c, f.env.Server.URL, "/cas/logout")
		f.app1.mu.Lock()
		n := len(f.app1.logouts)
		f.app1.mu.Unlock()
		if n != 1 {
			t.Errorf("OIDC app received %d logout tokens after /cas/logout", n)
		}
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("access token active after /cas/logout: %v", r)
		}
	})
}

// TestDeactivationTellsApps (R-USR-1, R-SSO-7): the sessions a deactivation
// ends are announced like a logout: OIDC apps receive a logout token.
func TestDeactivationTellsApps(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		f.login(t, f.browser(t), f.app1, "carol", carolPW)
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
		deadline := time.Now().Add(5 * time.Second)
		for {
			f.app1.mu.Lock()
			n := len(f.app1.logouts)
			f.app1.mu.Unlock()
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("app one received %d logout tokens after deactivation", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
