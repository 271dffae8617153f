package session_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// clock is a settable time source for the session manager.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signedIn asks /cas/login without a service: a live session goes to "/",
// none to the login page.
func signedIn(t *testing.T, env *sesametest.Env, c *http.Client) bool {
	t.Helper()
	resp, err := c.Get(env.Server.URL + "/cas/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location") == "/"
}

func login(t *testing.T, env *sesametest.Env, c *http.Client) *http.Response {
	t.Helper()
	resp, err := c.PostForm(env.Server.URL+"/login", url.Values{"username": {"admin"}, "password": {sesametest.AdminPassword}, "return": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return resp
}

// TestIdleTimeout: a session used within the idle timeout lives on (each
// use moves the deadline, recorded at most once a minute); one left alone
// longer is refused although its absolute lifetime has not run out; the
// absolute timeout ends even a busy session. The clock is injected.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := sesametest.NewWith(t, backend, sesametest.Options{SessionTTL: 8 * time.Hour, SessionIdleTimeout: 30 * time.Minute})
			clk := &clock{t: time.Now()}
			env.Handler.Sessions.Now = clk.Now
			c := browser(t)
			login(t, env, c)
			if !signedIn(t, env, c) {
				t.Fatal("not signed in after login")
			}
			// Busy: a use every 20 minutes keeps the session for 2 hours.
			for range 6 {
				clk.Add(20 * time.Minute)
				if !signedIn(t, env, c) {
					t.Fatalf("session ended while in use at +%v", clk.Now())
				}
			}
			// Idle for 31 minutes: refused.
			clk.Add(31 * time.Minute)
			if signedIn(t, env, c) {
				t.Error("a session idle longer than the idle timeout still works")
			}

			// The absolute timeout ends a busy session.
			c = browser(t)
			login(t, env, c)
			for i := 0; i < 8*3; i++ {
				clk.Add(20 * time.Minute)
				if i < 8*3-1 && !signedIn(t, env, c) {
					t.Fatalf("busy session ended early, step %d", i)
				}
			}
			if signedIn(t, env, c) {
				t.Error("a busy session outlived the absolute timeout")
			}
		})
	}
}

// TestCookieAndHSTS: on an https external URL at the root path the
// session cookie is "__Host-sesame_session" (Secure, Path=/, no Domain) and
// every answer carries HSTS; under a path the old name stays (the prefix
// needs Path=/); on plain http neither HSTS nor the prefix.
func TestCookieAndHSTS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		issuer, cookie string
		hsts           bool
	}{
		{"https://sso.example.com", session.HostCookieName, true},
		{"https://sso.example.com/", session.HostCookieName, true},
		{"https://example.com/sso", session.CookieName, true},
		{"", session.CookieName, false},
	} {
		t.Run(tc.issuer, func(t *testing.T) {
			env := sesametest.NewWith(t, "sqlite", sesametest.Options{Issuer: tc.issuer})
			for _, path := range []string{"/healthz", "/login", "/api/v1/contexts"} {
				resp, err := http.Get(env.Server.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.Header.Get("Strict-Transport-Security"); (got != "") != tc.hsts || (tc.hsts && !strings.HasPrefix(got, "max-age=31536000")) {
					t.Errorf("%s: Strict-Transport-Security %q, want set=%v", path, got, tc.hsts)
				}
			}
			resp := login(t, env, browser(t))
			var ck *http.Cookie
			for _, c := range resp.Cookies() {
				if strings.HasSuffix(c.Name, session.CookieName) && c.Value != "" {
					ck = c
				}
			}
			if ck == nil || ck.Name != tc.cookie || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
				t.Fatalf("session cookie %+v, want %s with Path=/ and no Domain", ck, tc.cookie)
			}
			if strings.HasPrefix(ck.Name, "__Host-") && !ck.Secure {
				t.Error("__Host- cookie without Secure")
			}
		})
	}
}
