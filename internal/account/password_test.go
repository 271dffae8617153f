package account_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// TestChangePassword (R-PWD-1, issue 9 §2.2): the current password is
// required; the policy's messages say what is wrong; on success the
// user's other session ends (its app is told by back-channel logout), this
// one stays, refresh tokens — also one issued in this session — are
// refused at the token endpoint, and the
// password_changed email arrives over SMTP in the user's language.
func TestChangePassword(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		here := f.browser(t, "en")
		here.login("carol", carolPW)
		there := f.browser(t, "en")
		there.login("carol", carolPW)
		app := f.newRP(t)
		tok := app.tokens(t, f.ctx, there)
		// A refresh token of the session that stays: it must end too.
		hereTok := app.tokens(t, f.ctx, here)
		before := f.user(t, f.carol).PasswordHash

		const newPW = "velvet-harbour-quill-789"
		for _, c := range []struct {
			name          string
			current, a, b string
			status        int
			want          []string
		}{
			{"wrong current", "not-her-password", newPW, newPW, http.StatusForbidden, []string{"The current password is wrong."}},
			{"mismatch", carolPW, newPW, newPW + "x", http.StatusBadRequest, []string{"The two new passwords are not the same."}},
			{"missing", "", newPW, newPW, http.StatusBadRequest, []string{"Enter your current password and the new password twice."}},
			{"too short", carolPW, "short-1", "short-1", http.StatusBadRequest, []string{"must be at least 12 characters long"}},
			{"login name and common", carolPW, "password1234", "password1234", http.StatusBadRequest, []string{"one of the most common passwords"}},
			{"contains login", carolPW, "carol-was-here-2026", "carol-was-here-2026", http.StatusBadRequest, []string{"must not contain your login name"}},
			{"contains email", carolPW, "xx-acme-carol-xx", "xx-acme-carol-xx", http.StatusBadRequest, []string{"must not contain your login name", "must not contain your email address"}},
			{"same", carolPW, carolPW, carolPW, http.StatusBadRequest, []string{"must be different from the current one"}},
		} {
			p := here.post("/account/password", url.Values{"current": {c.current}, "new": {c.a}, "confirm": {c.b}})
			body := html.UnescapeString(p.body)
			if p.status != c.status {
				t.Errorf("%s: status %d, want %d", c.name, p.status, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: page lacks %q:\n%s", c.name, w, body)
				}
			}
			if f.user(t, f.carol).PasswordHash != before {
				t.Fatalf("%s: the password changed", c.name)
			}
		}
		if !there.signedIn() {
			t.Fatal("a refused change ended the other session")
		}

		p := here.post("/account/password", url.Values{"current": {carolPW}, "new": {newPW}, "confirm": {newPW}})
		if p.status != http.StatusOK || p.url.String() != f.env.Server.URL+"/account?done=password" || !strings.Contains(p.body, "Your password was changed.") {
			t.Fatalf("change: %d at %s\n%s", p.status, p.url, p.body)
		}
		if !here.signedIn() {
			t.Error("the session the password was changed from ended")
		}
		if there.signedIn() {
			t.Error("the other session survived the password change")
		}
		if n := len(f.sessions(t, f.carol)); n != 1 {
			t.Errorf("%d sessions left, want 1", n)
		}
		for name, rt := range map[string]string{"other session's": tok.RefreshToken, "this session's": hereTok.RefreshToken} {
			if _, err := app.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: rt}).Token(); err == nil {
				t.Errorf("the %s refresh token still works at the token endpoint after the password change", name)
			}
		}
		eventually(t, "the app's back-channel logout", func() bool { return app.logoutCount() >= 1 })
		// The email, through the outbox and a real SMTP server.
		var got mailtest.Parsed
		eventually(t, "the password_changed email", func() bool {
			for _, m := range f.mail.Received() {
				if len(m.Rcpt) == 1 && m.Rcpt[0] == "carol@acme.example" {
					got = mailtest.Parse(t, m.Raw)
					return true
				}
			}
			return false
		})
		if got.Subject != "Your password was changed" || !strings.Contains(got.Text, "Hello Carol Jones") || !strings.Contains(got.Text, "account carol") {
			t.Errorf("mail: %q\n%s", got.Subject, got.Text)
		}
		// The new password logs in, the old one does not.
		f.browser(t, "en").login("carol", newPW)
		old := f.browser(t, "en").do("POST", "/login", url.Values{"username": {"carol"}, "password": {carolPW}, "return": {"/account"}})
		if old.url.Path == "/account" {
			t.Error("the old password still logs in")
		}
		if u := f.user(t, f.carol); u.PasswordSetAt.IsZero() || time.Since(u.PasswordSetAt) > time.Minute {
			t.Errorf("password set time not recorded: %v", u.PasswordSetAt)
		}
	})
}

// TestChangePasswordGerman: the password_changed email is in the user's
// preferred language.
func TestChangePasswordGerman(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		f.env.Admin().Must(http.StatusOK, "PATCH", "/api/v1/users/"+f.dave, map[string]any{"person": map[string]string{"email": "dave@acme.example", "language": "de"}})
		b := f.browser(t, "en")
		b.login("dave", davePW)
		const newPW = "tiefer-wald-laterne-31"
		p := b.post("/account/password", url.Values{"current": {davePW}, "new": {newPW}, "confirm": {newPW}})
		if !strings.Contains(p.body, "Ihr Passwort wurde geändert.") {
			t.Fatalf("change (German user): %d\n%s", p.status, p.body)
		}
		eventually(t, "the German email", func() bool {
			for _, m := range f.mail.Received() {
				if m.Rcpt[0] == "dave@acme.example" {
					return mailtest.Parse(t, m.Raw).Subject == "Ihr Passwort wurde geändert"
				}
			}
			return false
		})
	})
}

// TestChangePasswordThrottled (R-PWD-3): wrong current passwords count
// against the user's brute-force budget like wrong logins; over it even
// the right password is refused (before hashing) and nothing changes.
func TestChangePasswordThrottled(t *testing.T) {
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 2, LockAfter: 5}
	cfg.BaseDelay, cfg.MaxDelay = time.Hour, time.Hour
	onBackends(t, sesametest.Options{Throttle: &cfg}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en")
		b.login("carol", carolPW)
		const newPW = "velvet-harbour-quill-789"
		// Two free failures, the third sets a delay (throttle.Policy).
		for i := range 3 {
			if p := b.post("/account/password", url.Values{"current": {"wrong-" + string(rune('a'+i))}, "new": {newPW}, "confirm": {newPW}}); p.status != http.StatusForbidden {
				t.Fatalf("wrong password %d: %d", i, p.status)
			}
		}
		before := f.user(t, f.carol).PasswordHash
		p := b.post("/account/password", url.Values{"current": {carolPW}, "new": {newPW}, "confirm": {newPW}})
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many wrong passwords") {
			t.Fatalf("over the budget: %d\n%s", p.status, p.body)
		}
		if f.user(t, f.carol).PasswordHash != before {
			t.Fatal("a throttled change changed the password")
		}
		// The same budget as the login page's.
		l := f.browser(t, "en").do("POST", "/login", url.Values{"username": {"carol"}, "password": {carolPW}, "return": {"/account"}})
		if l.url.Path == "/account" {
			t.Error("the login page ignored the account page's failures")
		}
	})
}

// TestDelegatedUserPassword: a delegated user sees no password form but
// that their organisation's sign-in manages it, and a posted change is
// refused.
func TestDelegatedUserPassword(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		// Delegated users sign in at their IdP (the federation issue): the
		// session is made here as its callback would.
		if _, err := f.env.Store.UpdateUser(f.ctx, f.dave, func(u model.User) (model.User, error) {
			u.Kind = model.KindDelegated
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		b := f.browser(t, "en")
		f.sessionFor(t, b, f.dave)
		p := b.get("/account")
		if strings.Contains(p.body, `name="new"`) || !strings.Contains(html.UnescapeString(p.body), "managed by your organisation's sign-in") {
			t.Errorf("delegated user's page:\n%s", p.body)
		}
		before := f.user(t, f.dave).PasswordHash
		if p := b.post("/account/password", url.Values{"current": {davePW}, "new": {"velvet-harbour-quill-789"}, "confirm": {"velvet-harbour-quill-789"}}); p.status != http.StatusForbidden {
			t.Errorf("delegated change: %d", p.status)
		}
		if f.user(t, f.dave).PasswordHash != before {
			t.Error("a delegated user's password changed")
		}
	})
}
