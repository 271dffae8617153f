package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestBrowserLanguage (issue 9 §5): a browser set to German gets the login
// page and the wrong-password message in German; an app asking for
// ui_locales=fr gets the French login page even in that German browser,
// through the stored authorization request and across a failed attempt;
// a user whose preferred language is French sees the signed-in page and
// the logout confirmation in French. On both storage backends.
func TestBrowserLanguage(t *testing.T) {
	exe := chromium(t)
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) { browserLanguage(t, exe, backend) })
	}
}

func browserLanguage(t *testing.T, exe, backend string) {
	env := sesametest.New(t, backend)
	ad := env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "marie", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "Lavande-et-Thym-93", "person": map[string]any{"language": "fr"}})
	oapp := newOIDCApp(t, "127.0.0.2:0")
	reg := ad.Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "App", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{oapp.srv.URL + "/cb"}, "grantTypes": []string{"authorization_code"}}).Map(t)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	oapp.register(ctx, t, env.Server.URL, reg["id"].(string), reg["secret"].(string))
	// A German browser: its UI language, which Chromium sends as
	// Accept-Language.
	b := startChrome(t, ctx, exe, chromedp.Flag("lang", "de-DE"), chromedp.Flag("accept-lang", "de-DE,de"))
	do, read := b.do, b.read
	page := func(name string) (string, string) {
		return read(name, chromedp.OuterHTML(chromedp.CSS("html"))), read(name, chromedp.Text(chromedp.CSS("main")))
	}
	expect := func(name, lang string, want ...string) {
		t.Helper()
		h, text := page(name)
		if !strings.HasPrefix(h, `<html lang="`+lang+`"`) {
			t.Errorf("%s: want <html lang=%q>, got %.60s", name, lang, h)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: want %q in %q", name, w, text)
			}
		}
	}

	// German login page; a wrong password answers in German.
	do("open login", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	expect("login page", "de", "Bei Sesame anmelden", "Anmeldename", "Passwort vergessen?")
	do("type login name", chromedp.SendKeys(chromedp.ID("username"), "marie"))
	do("type wrong password", chromedp.SendKeys(chromedp.ID("password"), "not-her-password"))
	do("submit", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("login-error")))
	if msg := read("error", chromedp.Text(chromedp.ID("login-error"))); msg != "Anmeldename oder Passwort ist falsch." {
		t.Errorf("wrong password in a German browser: %q", msg)
	}
	expect("login error page", "de")

	// ui_locales=fr on /oauth2/authorize beats the browser's German.
	authURL := oapp.conf.AuthCodeURL("state-fr", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("ui_locales", "fr-CA fr"))
	do("authorize with ui_locales=fr", chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.ID("username")))
	if loc := read("location", chromedp.Location()); !strings.HasPrefix(loc, env.Server.URL+"/login?") {
		t.Fatalf("authorize did not lead to the login page: %s", loc)
	}
	expect("login page for ui_locales=fr", "fr", "Se connecter à Sesame", "Identifiant", "Mot de passe")
	do("type login name", chromedp.SendKeys(chromedp.ID("username"), "nobody"))
	do("type wrong password", chromedp.SendKeys(chromedp.ID("password"), "wrong-password-1"))
	do("submit", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("login-error")))
	if msg := read("error", chromedp.Text(chromedp.ID("login-error"))); msg != "Identifiant ou mot de passe incorrect." {
		t.Errorf("wrong password after ui_locales=fr: %q", msg)
	}

	// Marie prefers French: once she is signed in, her preference beats
	// the German browser.
	do("open login", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	do("type login name", chromedp.SendKeys(chromedp.ID("username"), "marie"))
	do("type password", chromedp.SendKeys(chromedp.ID("password"), "Lavande-et-Thym-93"))
	do("submit", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("message")))
	expect("signed-in page", "fr", "Vous êtes connecté en tant que marie.")
	do("sign out", chromedp.Navigate(env.Server.URL+"/logout"), chromedp.WaitVisible(chromedp.ID("confirm-logout")))
	expect("logout confirmation", "fr", "Se déconnecter de Sesame ?", "Rester connecté")
	if btn := read("button", chromedp.Text(chromedp.ID("confirm-logout"))); btn != "Se déconnecter" {
		t.Errorf("logout button: %q", btn)
	}
	do("confirm", chromedp.Click(chromedp.ID("confirm-logout")), chromedp.WaitVisible(chromedp.ID("message")))
	// Signed out, the session and its preference are gone: German again.
	expect("signed-out page", "de", "Abgemeldet", "Sie sind von allen Anwendungen abgemeldet.")
}
