package cas_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestCrossSiteLogoutNeedsConfirmation (issue 8 item 11): a page that
// makes the browser GET /logout or /cas/logout (an <img>, a link) does not
// end the session: the user gets a confirmation page, and only its form,
// posted with the session's CSRF token, signs out — then with CAS single
// logout as before. A POST without the token, or with another session's,
// signs nobody out either.
func TestCrossSiteLogoutNeedsConfirmation(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := browser(t)
		get(t, c, f.app1URL+"x")
		login(t, c, f.env.Server.URL, "/", "carol", pw) // a session
		if page := get(t, c, f.app1URL); !strings.Contains(page, "hello "+f.carol+" ") {
			t.Fatalf("app one: %q", page)
		}
		alive := func(step string) {
			t.Helper()
			resp, err := noRedirect(c).Get(f.env.Server.URL + "/cas/login")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("Location") != "/" {
				t.Fatalf("%s ended the session", step)
			}
		}
		for _, path := range []string{"/logout", "/cas/logout", "/cas/logout?service=" + url.QueryEscape(f.app1URL)} {
			// What an <img src> does: a GET with the cookie, nothing else.
			req, _ := http.NewRequest("GET", f.env.Server.URL+path, nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Sec-Fetch-Dest", "image")
			resp, err := noRedirect(c).Do(req)
			page := body(t, resp, err)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
				t.Errorf("GET %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
			}
			if _, _, ok := sesametest.LogoutForm(page); !ok {
				t.Errorf("GET %s: no confirmation page: %.300s", path, page)
			}
			alive("GET " + path)
		}
		// A same-origin POST without the token, with a wrong one or with a
		// token from another session: still the confirmation page.
		other := browser(t)
		login(t, other, f.env.Server.URL, "/", "carol", pw)
		_, page := get2(t, other, f.env.Server.URL+"/logout")
		_, otherFields, _ := sesametest.LogoutForm(page)
		for name, form := range map[string]url.Values{"no token": {}, "wrong token": {"csrf": {"x"}}, "another session's token": otherFields} {
			for _, path := range []string{"/logout", "/cas/logout"} {
				resp, err := noRedirect(c).PostForm(f.env.Server.URL+path, form)
				page := body(t, resp, err)
				if _, _, ok := sesametest.LogoutForm(page); !ok {
					t.Errorf("POST %s with %s: %d %.200s", path, name, resp.StatusCode, page)
				}
				alive("POST " + path + " with " + name)
			}
		}
		// The user confirms: signed out, and the CAS service is told
		// (single logout) and goes back to the registered service.
		resp, _ := sesametest.Logout(t, noRedirect(c), f.env.Server.URL, "/cas/logout?service="+url.QueryEscape(f.app1URL))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != f.app1URL {
			t.Errorf("confirmed /cas/logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if page := get(t, c, f.app1URL); !isLoginPage(page) {
			t.Errorf("app one still serves the user after a confirmed logout: %.200s", page)
		}
	})
}

func get2(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	return resp, body(t, resp, err)
}
