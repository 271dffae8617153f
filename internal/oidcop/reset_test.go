package oidcop_test

import (
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestPasswordResetEndsEverything (issue 8 item 8): an admin's password
// reset ends what the old password let an attacker start, as a deactivation
// does — the SSO session, refresh tokens, access tokens (also one obtained
// by refreshing) — announces the logout to the apps, and with
// revokeApiKeys deletes the user's API keys; without it the keys stay.
func TestPasswordResetEndsEverything(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		refreshed, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if r := f.introspect(t, f.app1, refreshed.AccessToken); r["active"] != true {
			t.Fatalf("refreshed token inactive before the reset: %v", r)
		}
		// A grant whose SSO session is already gone (expired and purged)
		// still has a live access token: the reset must end it too.
		orphan := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		sessions, err := f.env.Store.ListUserSessions(f.ctx, f.carol)
		if err != nil || len(sessions) != 2 {
			t.Fatalf("sessions: %d %v", len(sessions), err)
		}
		for _, ss := range sessions {
			if ss.ID != sessions[0].ID {
				continue
			}
			if err := f.env.Store.DeleteSession(f.ctx, ss.ID); err != nil {
				t.Fatal(err)
			}
		}
		key := ad.Must(http.StatusCreated, "POST", "/api/v1/users/"+f.carol+"/api-keys", map[string]string{"name": "k"}).Map(t)["key"].(string)
		apiKeyWorks := func() bool {
			return f.env.As("", "").Do("GET", "/api/v1/me", nil, "Authorization", "Bearer "+key).Status == http.StatusOK
		}
		if !apiKeyWorks() {
			t.Fatal("the key does not work before the reset")
		}

		const newPW = "brand-new-password-456"
		ad.Must(http.StatusNoContent, "PUT", "/api/v1/users/"+f.carol+"/password", map[string]any{"password": newPW, "revokeApiKeys": true})

		for name, at := range map[string]string{"first": tok.AccessToken, "refreshed": refreshed.AccessToken, "orphan": orphan.AccessToken} {
			if r := f.introspect(t, f.app1, at); r["active"] != false {
				t.Errorf("%s access token active after the reset: %v", name, r)
			}
		}
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token(); err == nil {
			t.Error("refresh after the reset worked")
		}
		res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "")
		if !res.loginPage {
			t.Errorf("the SSO session survived the reset: %+v", res)
		}
		if apiKeyWorks() {
			t.Error("API key survived a reset with revokeApiKeys")
		}
		// The apps hear of it as of a logout (the deactivation path).
		deadline := time.Now().Add(5 * time.Second)
		for {
			f.app1.mu.Lock()
			n := len(f.app1.logouts)
			f.app1.mu.Unlock()
			if n >= 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("app one received no logout token after the reset")
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The new password works; without revokeApiKeys keys stay.
		f.login(t, f.browser(t), f.app1, "carol", newPW)
		key = ad.Must(http.StatusCreated, "POST", "/api/v1/users/"+f.carol+"/api-keys", map[string]string{"name": "k2"}).Map(t)["key"].(string)
		ad.Must(http.StatusNoContent, "PUT", "/api/v1/users/"+f.carol+"/password", map[string]any{"password": carolPW})
		if !apiKeyWorks() {
			t.Error("API key revoked by a reset without revokeApiKeys")
		}
	})
}

// TestReactivationDoesNotReviveTokens (R-USR-1): access tokens issued before
// a deactivation stay dead after the reactivation — also one whose SSO
// session had already expired, which no logout announcement reaches.
func TestReactivationDoesNotReviveTokens(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		if _, err := f.env.Store.DeleteUserSessions(f.ctx, f.carol); err != nil {
			t.Fatal(err)
		}
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/reactivate", nil)
		if r := f.introspect(t, f.app1, tok.AccessToken); r["active"] != false {
			t.Errorf("an access token from before the deactivation is active after reactivation: %v", r)
		}
	})
}
