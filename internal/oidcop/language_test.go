package oidcop_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// acceptLanguage sends a fixed Accept-Language, as a browser set to that
// language does.
type acceptLanguage struct {
	lang string
	next http.RoundTripper
}

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.lang)
	return a.next.RoundTrip(r)
}

// TestUILocales (issue 9 §5, OIDC Core §3.1.2.1): the ui_locales of an
// authorization request are stored with it and reach the login page, which
// speaks that language to a German browser — also after a failed attempt
// — and the login still completes; malformed or unshipped ui_locales fall
// back to Accept-Language, never a 500; the hand-off's own error pages
// speak the browser's language.
func TestUILocales(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		c.Transport = acceptLanguage{"de-DE,de;q=0.9", http.DefaultTransport}
		get := func(u string) (*http.Response, string) {
			t.Helper()
			resp, err := c.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp, string(b)
		}
		for _, tc := range []struct {
			name, ui, lang, heading, wantParam string
		}{
			{"fr", "fr", "fr", "Se connecter à Sesame", "fr"},
			{"first shipped of a list", "ja fr-CA en", "fr", "Se connecter à Sesame", "ja fr-CA en"},
			{"unshipped falls back to the browser", "ja", "de", "Bei Sesame anmelden", "ja"},
			{"malformed", "%%% !!", "de", "Bei Sesame anmelden", ""},
			{"long", strings.Repeat("fr ", 400), "fr", "Se connecter à Sesame", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				verifier := oauth2.GenerateVerifier()
				authURL := f.app1.conf.AuthCodeURL("st-ui", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-1"), oauth2.SetAuthURLParam("ui_locales", tc.ui))
				resp, page := get(authURL)
				if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
					t.Fatalf("authorize: %d\n%s", resp.StatusCode, page)
				}
				if got := resp.Request.URL.Query().Get("ui_locales"); tc.wantParam != "" && got != tc.wantParam {
					t.Errorf("login page got ui_locales %q, want %q", got, tc.wantParam)
				}
				if !strings.Contains(page, `<html lang="`+tc.lang+`">`) || !strings.Contains(page, tc.heading) {
					t.Errorf("login page not in %s:\n%s", tc.lang, page)
				}
				form := url.Values{"username": {"carol"}, "password": {"wrong-password-1"}, "return": {resp.Request.URL.Query().Get("return")},
					"ui_locales": {resp.Request.URL.Query().Get("ui_locales")}}
				resp, err := c.PostForm(f.env.Server.URL+"/login", form)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), `<html lang="`+tc.lang+`">`) {
					t.Errorf("wrong password: %d, want the page in %s:\n%s", resp.StatusCode, tc.lang, b)
				}
			})
		}
		// The whole flow still ends in a code with ui_locales set.
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW, oauth2.SetAuthURLParam("ui_locales", "fr"))
		if tok.AccessToken == "" {
			t.Error("no access token")
		}
		// The hand-off's error pages: German for the German browser.
		resp, page := get(f.env.Server.URL + "/oauth2/login?id=00000000-0000-4000-8000-000000000000")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Anmeldung abgelaufen") || !strings.Contains(page, `<html lang="de">`) {
			t.Errorf("expired hand-off: %d\n%s", resp.StatusCode, page)
		}
	})
}
