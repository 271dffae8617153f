package oidcop_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestEndSessionWithoutHintNeedsConfirmation (issue 8 item 11):
// /oauth2/logout without an id_token_hint, with a forged one or with one
// from another session only shows a confirmation page — the session, its
// tokens and the apps are untouched; the confirmed form (POST with the
// CSRF token) then logs out through op, with back-channel logout and the
// registered post-logout redirect as before.
func TestEndSessionWithoutHintNeedsConfirmation(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		// Another session of the same user: its ID token is a valid hint,
		// but not for this session.
		otherTok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		otherHint := otherTok.Extra("id_token").(string)
		hint := tok.Extra("id_token").(string)
		forged := hint[:len(hint)-4] + "AAAA"
		none := func() authResult {
			return f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")), "", "")
		}
		for name, q := range map[string]url.Values{
			"no hint":              {},
			"client and redirect":  {"client_id": {f.app1.id}, "post_logout_redirect_uri": {f.app1.srv.URL + "/cb"}},
			"forged hint":          {"id_token_hint": {forged}},
			"other session's hint": {"id_token_hint": {otherHint}, "post_logout_redirect_uri": {f.app1.srv.URL + "/cb"}},
		} {
			req, _ := http.NewRequest("GET", f.env.Server.URL+"/oauth2/logout?"+q.Encode(), nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page := readBody(resp)
			if _, _, ok := sesametest.LogoutForm(page); !ok || resp.StatusCode != http.StatusOK {
				t.Errorf("%s: %d, no confirmation page: %.300s", name, resp.StatusCode, page)
			}
			if r := none(); r.code == "" {
				t.Fatalf("%s ended the session: %+v", name, r)
			}
			if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != true {
				t.Fatalf("%s revoked the session's tokens", name)
			}
			if n := f.app1.logoutCount(); n != 0 {
				t.Fatalf("%s sent %d logout tokens", name, n)
			}
		}
		// Confirmed: op ends the session and returns to the app.
		resp, _ := sesametest.Logout(t, c, f.env.Server.URL, "/oauth2/logout?"+url.Values{"client_id": {f.app1.id},
			"post_logout_redirect_uri": {f.app1.srv.URL + "/cb"}, "state": {"bye"}}.Encode())
		if loc, _ := resp.Location(); loc == nil || !strings.HasPrefix(loc.String(), f.app1.srv.URL+"/cb") || loc.Query().Get("state") != "bye" {
			t.Fatalf("confirmed logout: %d to %v", resp.StatusCode, loc)
		}
		if r := none(); r.err != "login_required" {
			t.Fatalf("session survived the confirmed logout: %+v", r)
		}
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("access token active after the confirmed logout: %v", r)
		}
		if n := f.app1.logoutCount(); n != 1 {
			t.Errorf("back-channel logout tokens after the confirmed logout: %d", n)
		}
	})
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// logoutCount is how many back-channel logout tokens the app received.
func (r *rp) logoutCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.logouts)
}
