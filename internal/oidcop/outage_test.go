package oidcop_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestDatabaseOutageIsNotTheClientsFault (issue 8 item 23): the database
// goes away in the middle of a flow (connections terminated, new ones
// refused — what a PostgreSQL restart does). Every answer must say "try
// again", never blame the user or the client: the login form, the
// authorize endpoint, the token endpoint (the code and the refresh token
// stay usable) and a session lookup. After the database is back, the very
// same code and refresh token work.
func TestDatabaseOutageIsNotTheClientsFault(t *testing.T) {
	db := pgtest.NewDatabase(t)
	logs := &logBuf{}
	f := setup(t, "postgres", sesametest.Options{StoreURL: db.DSN,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	base := f.env.Server.URL
	cas := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "CAS app", "module": "portal",
		"protocol": "cas", "servicePatterns": []string{"https://cas-app.example.com/*"}}).Map(t)
	_ = cas

	c := f.browser(t)
	tok := f.login(t, c, f.app1, "carol", carolPW) // a session and a refresh token
	verifier := oauth2.GenerateVerifier()
	pending := f.authorize(t, c, f.app1.conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)), "", "")
	if pending.code == "" {
		t.Fatalf("no code: %+v", pending)
	}

	db.Stop()
	stopped := true
	defer func() {
		if stopped {
			db.Start()
		}
	}()

	tryAgain := func(what string, status int, body string) {
		t.Helper()
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "Try again") {
			t.Errorf("%s during the outage: %d, want 503 with the try-again page:\n%s", what, status, body)
		}
		if strings.Contains(body, "Invalid login name or password") || strings.Contains(body, `name="password"`) {
			t.Errorf("%s during the outage blames the user or asks for a login:\n%s", what, body)
		}
	}
	get := func(c *http.Client, u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// The login form: not "Invalid login name or password".
	fresh := f.browser(t)
	resp, err := fresh.PostForm(base+"/login", url.Values{"username": {"carol"}, "password": {carolPW}, "return": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tryAgain("login form", resp.StatusCode, string(b))

	// /oauth2/authorize without and with a session: not 400 invalid_request.
	for name, br := range map[string]*http.Client{"authorize without a session": fresh, "authorize with a session": c} {
		status, body := get(br, f.app1.conf.AuthCodeURL("st-2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		tryAgain(name, status, body)
	}

	// A session lookup that fails is not "no session": no login prompt.
	status, body := get(c, base+"/")
	tryAgain("session lookup (/)", status, body)
	status, body = get(c, base+"/cas/login?service="+url.QueryEscape("https://cas-app.example.com/home"))
	tryAgain("session lookup (/cas/login)", status, body)

	// The token endpoint: 503 server_error, not invalid_grant (which makes
	// the client throw its code or refresh token away).
	serverError := func(what string, err error) {
		t.Helper()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			t.Errorf("%s during the outage: %v, want a 503 server_error", what, err)
			return
		}
		if re.Response.StatusCode/100 != 5 || re.ErrorCode != "server_error" {
			t.Errorf("%s during the outage: %d %s %q, want 5xx server_error", what, re.Response.StatusCode, re.ErrorCode, re.ErrorDescription)
		}
	}
	_, err = f.app1.conf.Exchange(f.ctx, pending.code, oauth2.VerifierOption(verifier))
	serverError("code redemption", err)
	_, err = f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	serverError("refresh", err)

	// Revocation (RFC 7009): not a 200 "done" that did nothing.
	if st, body := postForm(t, base+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}},
		f.app1.id, f.app1.secret); st != http.StatusServiceUnavailable || body["error"] != "server_error" {
		t.Errorf("revocation during the outage: %d %v, want 503 server_error", st, body)
	}

	// Introspection (RFC 7662) and userinfo: not "inactive" or "invalid
	// token" for a token whose state cannot be read, and the client's
	// authentication failing on the store is not invalid_client.
	if st, body := postForm(t, base+"/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, f.app1.id, f.app1.secret); st != http.StatusServiceUnavailable || body["error"] != "temporarily_unavailable" {
		t.Errorf("introspection during the outage: %d %v, want 503 temporarily_unavailable", st, body)
	}
	req, _ := http.NewRequest("GET", base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("userinfo during the outage: %v %v, want 503", resp, err)
	} else {
		resp.Body.Close()
	}
	// The admin API: 503 with Retry-After, not 500 and not 401.
	if r := f.env.Admin().Do("GET", "/api/v1/users", nil); r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("admin API during the outage: %d %s, want 503 with Retry-After", r.Status, r.Body)
	}

	db.Start()
	stopped = false
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not recover")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The code and the refresh token survived the outage.
	if _, err := f.app1.conf.Exchange(f.ctx, pending.code, oauth2.VerifierOption(verifier)); err != nil {
		t.Errorf("the code is not redeemable after the outage: %v", err)
	}
	if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Errorf("the refresh token does not work after the outage: %v", err)
	}
	if status, body := get(c, base+"/"); status != 200 || !strings.Contains(body, "signed in as carol") {
		t.Errorf("the session did not survive the outage: %d %s", status, body)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the outage was not logged at ERROR:\n%s", logs.String())
	}
}

// TestCancelledRequestsAreNotErrors (issue 8 item 23): a request whose
// client went away fails its store calls with context.Canceled; that is
// logged below ERROR (an operator cannot act on it), on every path that
// logs store failures.
func TestCancelledRequestsAreNotErrors(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			logs := &logBuf{}
			f := setup(t, backend, sesametest.Options{Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			c := f.browser(t)
			f.login(t, c, f.app1, "carol", carolPW)
			cookies := c.Jar.Cookies(mustURL(t, f.env.Server.URL))
			verifier := oauth2.GenerateVerifier()
			requests := map[string]*http.Request{}
			form := func(u string, v url.Values) *http.Request {
				r, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			}
			requests["login form"] = form(f.env.Server.URL+"/login", url.Values{"username": {"carol"}, "password": {carolPW}, "return": {"/"}})
			requests["authorize"], _ = http.NewRequest("GET", f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), nil)
			requests["session lookup"], _ = http.NewRequest("GET", f.env.Server.URL+"/", nil)
			tokenReq := form(f.env.Server.URL+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "code_verifier": {verifier},
				"redirect_uri": {f.app1.conf.RedirectURL}})
			tokenReq.SetBasicAuth(f.app1.id, f.app1.secret)
			requests["token"] = tokenReq
			for name, r := range requests {
				for _, ck := range cookies {
					r.AddCookie(ck)
				}
				ctx, cancel := context.WithCancel(r.Context())
				cancel() // the client is gone before the server reads the store
				rec := httptest.NewRecorder()
				f.env.Handler.ServeHTTP(rec, r.WithContext(ctx))
				if rec.Code < 500 && name != "token" {
					// Whatever the answer, it must not be a verdict on the user.
					if strings.Contains(rec.Body.String(), "Invalid login name or password") {
						t.Errorf("%s: cancelled request answered as a wrong password", name)
					}
				}
			}
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("cancelled requests logged at ERROR:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), "cancelled by the client") {
				t.Errorf("the cancelled store calls were not logged at all:\n%s", logs.String())
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestHostileRevocationIsNotAnOutage: bytes PostgreSQL refuses (NUL,
// invalid UTF-8) in a revocation request are an unknown token — 200 per
// RFC 7009 §2.2 — not a store failure answered with 503.
func TestHostileRevocationIsNotAnOutage(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		for _, tok := range []string{"\x00abc", "\xff\xfe\xfd", "grant\x00.jti", strings.Repeat("A", 64)} {
			for _, hint := range []string{"", "access_token", "refresh_token"} {
				v := url.Values{"token": {tok}}
				if hint != "" {
					v.Set("token_type_hint", hint)
				}
				if st, body := postForm(t, f.env.Server.URL+"/oauth2/revoke", v, f.app1.id, f.app1.secret); st != http.StatusOK {
					t.Errorf("revoke %q (hint %q): %d %v", tok, hint, st, body)
				}
			}
		}
	})
}

// TestHostileIDsAreNotAnOutage: the login hand-off and op's authorize
// callback with an id PostgreSQL would refuse answer 4xx, not 503.
func TestHostileIDsAreNotAnOutage(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, p := range []string{"/oauth2/login?id=%00x", "/oauth2/login?id=%ff%fe", "/oauth2/authorize/callback?id=%00x", "/oauth2/authorize/callback?id=%ff"} {
			resp, err := c.Get(f.env.Server.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 4 {
				t.Errorf("%s: %d, want 4xx", p, resp.StatusCode)
			}
		}
	})
}
