package account_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSignedInOnly: without a session /account sends the browser to the
// login page (coming back here), and the forms change nothing.
func TestSignedInOnly(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en")
		p := b.get("/account")
		if p.url.Path != "/login" || p.url.Query().Get("return") != "/account" || !strings.Contains(p.body, `name="password"`) {
			t.Fatalf("/account without a session: %d at %s", p.status, p.url)
		}
		// Signing in there comes back to the account page.
		ret := p.url.Query().Get("return")
		p = b.do("POST", "/login", url.Values{"username": {"carol"}, "password": {carolPW}, "return": {ret}})
		if p.url.Path != "/account" || !strings.Contains(p.body, "Signed in as carol.") {
			t.Fatalf("after login: %s\n%s", p.url, p.body)
		}
		anon := f.browser(t, "en")
		p = anon.do("POST", "/account/language", url.Values{"language": {"de"}, "csrf": {"x"}})
		if p.url.Path != "/login" {
			t.Errorf("a form without a session: %d at %s", p.status, p.url)
		}
	})
}

// TestCSRF: an account form posted without the session's token, with
// another session's token, or cross-site (with the right token) changes
// nothing.
func TestCSRF(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		carol, dave := f.browser(t, "en"), f.browser(t, "en")
		carol.login("carol", carolPW)
		dave.login("dave", davePW)
		token := carol.csrf()
		before := f.user(t, f.carol)
		for name, p := range map[string]page{
			"no token":         carol.do("POST", "/account/language", url.Values{"language": {"de"}}),
			"wrong token":      carol.do("POST", "/account/language", url.Values{"language": {"de"}, "csrf": {token + "x"}}),
			"another session":  carol.do("POST", "/account/language", url.Values{"language": {"de"}, "csrf": {dave.csrf()}}),
			"token in the URL": carol.do("POST", "/account/language?csrf="+url.QueryEscape(token), url.Values{"language": {"de"}}),
			"cross-site": carol.do("POST", "/account/language", url.Values{"language": {"de"}, "csrf": {token}},
				"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"),
			"cross-site password": carol.do("POST", "/account/password", url.Values{"current": {carolPW}, "new": {"velvet-harbour-quill-789"},
				"confirm": {"velvet-harbour-quill-789"}, "csrf": {token}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"),
			"no token, end sessions": carol.do("POST", "/account/sessions/end", url.Values{"others": {"1"}}),
			"no token, enrol":        carol.do("POST", "/account/totp/enrol", url.Values{}),
		} {
			if p.status != http.StatusForbidden {
				t.Errorf("%s: %d", name, p.status)
			}
		}
		after := f.user(t, f.carol)
		if after.Person.Language != before.Person.Language || after.PasswordHash != before.PasswordHash {
			t.Error("a forged form changed the account")
		}
		if !dave.signedIn() || len(f.sessions(t, f.carol)) != 1 {
			t.Error("a forged form ended sessions")
		}
		if ok, _ := f.env.SecondFactor.TOTP.Enrolled(f.ctx, f.carol); ok {
			t.Error("a forged form enrolled")
		}
		// The same form with the token and from the page's origin works.
		if p := carol.do("POST", "/account/language", url.Values{"language": {"de"}, "csrf": {token}}); p.url.RawQuery != "done=language" {
			t.Errorf("the genuine form: %d %s", p.status, p.url)
		}
	})
}

// TestLanguage (issue 9 §5): the chosen language is stored and pages speak
// it whatever the browser asks for; "the browser's" follows
// Accept-Language again; an unknown one is refused.
func TestLanguage(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en-US,en;q=0.9")
		b.login("carol", carolPW)
		p := b.post("/account/language", url.Values{"language": {"de"}})
		if p.header.Get("Content-Language") != "de" || !strings.Contains(p.body, `<html lang="de">`) || !strings.Contains(p.body, "Ihr Konto") ||
			!strings.Contains(p.body, "Ihre Sprache wurde gespeichert.") || !strings.Contains(p.body, `<option value="de" selected>`) {
			t.Fatalf("after choosing German: %s\n%s", p.header.Get("Content-Language"), p.body)
		}
		if l := f.user(t, f.carol).Person.Language; l != "de" {
			t.Errorf("stored language %q", l)
		}
		// Other pages too (the signed-in page at /).
		if p := b.get("/"); !strings.Contains(p.body, "Sie sind als carol angemeldet.") {
			t.Errorf("home page not in German:\n%s", p.body)
		}
		b.post("/account/language", url.Values{"language": {"fr"}})
		if p := b.get("/account"); !strings.Contains(p.body, "Votre compte") {
			t.Errorf("after choosing French:\n%s", p.body)
		}
		b.post("/account/language", url.Values{"language": {""}})
		if p := b.get("/account"); p.header.Get("Content-Language") != "en" || !strings.Contains(p.body, "Your account") {
			t.Errorf("browser default: %s", p.header.Get("Content-Language"))
		}
		for _, bad := range []string{"xx", "de-DE", "tlh", strings.Repeat("a", 100)} {
			if p := b.post("/account/language", url.Values{"language": {bad}}); p.status != http.StatusBadRequest {
				t.Errorf("language %q: %d", bad, p.status)
			}
		}
		if l := f.user(t, f.carol).Person.Language; l != "" {
			t.Errorf("a refused language was stored: %q", l)
		}
	})
}

// TestDatabaseOutage: while the database is down the account page and its
// forms answer 503 "try again" — never a login prompt or "wrong
// password" — and nothing is half done; afterwards the session lives on.
func TestDatabaseOutage(t *testing.T) {
	db := pgtest.NewDatabase(t)
	f := setup(t, "postgres", sesametest.Options{StoreURL: db.DSN})
	b := f.browser(t, "en")
	b.login("carol", carolPW)
	token := b.csrf()
	before := f.user(t, f.carol).PasswordHash

	db.Stop()
	stopped := true
	defer func() {
		if stopped {
			db.Start()
		}
	}()
	for name, p := range map[string]page{
		"account page": b.get("/account"),
		"password": b.do("POST", "/account/password", url.Values{"csrf": {token}, "current": {carolPW}, "new": {"velvet-harbour-quill-789"},
			"confirm": {"velvet-harbour-quill-789"}}),
		"language":     b.do("POST", "/account/language", url.Values{"csrf": {token}, "language": {"de"}}),
		"end sessions": b.do("POST", "/account/sessions/end", url.Values{"csrf": {token}, "others": {"1"}}),
		"enrol":        b.do("POST", "/account/totp/enrol", url.Values{"csrf": {token}}),
	} {
		if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "Try again") || strings.Contains(p.body, `name="password"`) ||
			strings.Contains(p.body, "wrong") {
			t.Errorf("%s during the outage: %d\n%s", name, p.status, p.body)
		}
	}
	db.Start()
	stopped = false
	if !b.signedIn() {
		t.Error("the session did not survive the outage")
	}
	if u := f.user(t, f.carol); u.PasswordHash != before || u.Person.Language != "" {
		t.Error("a request during the outage changed the account")
	}
}

// TestHostileForms: an oversized form is refused with a reason (400) and
// changes nothing; a delegated user cannot enrol an authenticator app
// (their IdP does MFA).
func TestHostileForms(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en")
		b.login("carol", carolPW)
		p := b.do("POST", "/account/language", url.Values{"csrf": {b.csrf()}, "language": {"de"}, "pad": {strings.Repeat("x", 20<<10)}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "The form could not be read.") {
			t.Errorf("oversized form: %d\n%s", p.status, p.body)
		}
		if f.user(t, f.carol).Person.Language != "" {
			t.Error("an oversized form changed the language")
		}
		if _, err := f.env.Store.UpdateUser(f.ctx, f.dave, func(u model.User) (model.User, error) {
			u.Kind = model.KindDelegated
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		d := f.browser(t, "en")
		f.sessionFor(t, d, f.dave)
		if p := d.get("/account"); strings.Contains(p.body, "totp-heading") {
			t.Error("a delegated user is offered an authenticator app")
		}
		if p := d.post("/account/totp/enrol", nil); p.status != http.StatusForbidden {
			t.Errorf("delegated enrol: %d", p.status)
		}
	})
}

// TestEndThisSession: ending the session one is using from the list
// signs out (the login page next).
func TestEndThisSession(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en")
		b.login("carol", carolPW)
		h := handles(b.get("/account").body)[0]
		p := b.post("/account/sessions/end", url.Values{"session": {h}})
		if p.url.Path != "/login" || b.signedIn() || len(f.sessions(t, f.carol)) != 0 {
			t.Errorf("ending this session: %d at %s", p.status, p.url)
		}
	})
}
