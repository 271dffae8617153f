package account_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const (
	carolPW = "ruby-lantern-orbit-123"
	davePW  = "copper-meadow-lark-456"
)

type fixture struct {
	env   *sesametest.Env
	ctx   context.Context
	mail  *mailtest.Server
	acct  string
	carol string
	dave  string
}

// setup starts Sesame with authenticator apps allowed and a real SMTP
// server behind the outbox, and two local users.
func setup(t *testing.T, backend string, opts sesametest.Options) *fixture {
	t.Helper()
	f := &fixture{mail: mailtest.New(t)}
	f.mail.Start("none")
	if opts.TwoFactor == nil {
		tf := config.DefaultTwoFactor()
		tf.TOTPAllowed, tf.TOTPIssuer = true, "Sesame Test"
		opts.TwoFactor = &tf
	}
	opts.Mail = f.mail
	f.env = sesametest.NewWith(t, backend, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	f.ctx = ctx
	ad := f.env.Admin()
	f.acct = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": f.env.RootID})
	f.carol = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "carol", "domain": "ENTERPRISE", "contexts": []string{f.acct},
		"status": "active", "password": carolPW, "person": map[string]string{"firstName": "Carol", "lastName": "Jones", "email": "carol@acme.example"}})
	f.dave = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "dave", "domain": "ENTERPRISE", "contexts": []string{f.acct},
		"status": "active", "password": davePW, "person": map[string]string{"email": "dave@acme.example"}})
	return f
}

func onBackends(t *testing.T, opts sesametest.Options, fn func(t *testing.T, f *fixture)) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, setup(t, b, opts)) })
	}
}

// browser is a cookie-keeping client that follows redirects inside Sesame
// and stops at any other URL (an app's callback). lang is its
// Accept-Language.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	lang string
}

func (f *fixture) browser(t *testing.T, lang string) *browser {
	jar, _ := cookiejar.New(nil)
	base := f.env.Server.URL
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), base) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: t, c: c, base: base, lang: lang}
}

type page struct {
	status int
	body   string
	url    *url.URL
	header http.Header
}

func (b *browser) do(method, path string, form url.Values, hdr ...string) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(raw), url: resp.Request.URL, header: resp.Header}
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }

// login signs in through the login page, coming back to /account.
func (b *browser) login(user, pw string) page {
	b.t.Helper()
	p := b.do("POST", "/login", url.Values{"username": {user}, "password": {pw}, "return": {"/account"}})
	if p.status != http.StatusOK || p.url.Path != "/account" {
		b.t.Fatalf("login as %s: %d at %s\n%s", user, p.status, p.url, p.body)
	}
	return p
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the session's CSRF token from the account page.
func (b *browser) csrf() string {
	b.t.Helper()
	p := b.get("/account")
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on the account page (%d at %s):\n%s", p.status, p.url, p.body)
	}
	return m[1]
}

// post posts a form of the account page with the session's CSRF token.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.do("POST", path, form)
}

// signedIn reports whether the browser's session is alive: /account shows
// the account page rather than the login page.
func (b *browser) signedIn() bool {
	b.t.Helper()
	p := b.get("/account")
	return p.status == http.StatusOK && p.url.Path == "/account"
}

func (f *fixture) user(t *testing.T, id string) model.User {
	t.Helper()
	u, err := f.env.Store.GetUser(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) sessions(t *testing.T, userID string) []model.Session {
	t.Helper()
	ss, err := f.env.Store.ListUserSessions(f.ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// rp is an OIDC relying party recording back-channel logout tokens.
type rp struct {
	srv     *httptest.Server
	conf    oauth2.Config
	mu      sync.Mutex
	logouts int
}

func (f *fixture) newRP(t *testing.T) *rp {
	r := &rp{}
	mux := http.NewServeMux()
	mux.HandleFunc("/cb", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "callback") })
	mux.HandleFunc("POST /logout", func(http.ResponseWriter, *http.Request) { r.mu.Lock(); r.logouts++; r.mu.Unlock() })
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	resp := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "App", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{r.srv.URL + "/cb"}, "grantTypes": []string{"authorization_code", "refresh_token"}, "logoutUrl": r.srv.URL + "/logout"}).Map(t)
	provider, err := oidc.NewProvider(f.ctx, f.env.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.conf = oauth2.Config{ClientID: resp["id"].(string), ClientSecret: resp["secret"].(string), Endpoint: provider.Endpoint(),
		RedirectURL: r.srv.URL + "/cb", Scopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess}}
	return r
}

// tokens runs the authorization code flow in b's (signed-in) session.
func (r *rp) tokens(t *testing.T, ctx context.Context, b *browser) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	p := b.get(r.conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	loc, _ := url.Parse(p.header.Get("Location"))
	if p.status/100 != 3 || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code: %d %s\n%s", p.status, p.header.Get("Location"), p.body)
	}
	tok, err := r.conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return tok
}

func (r *rp) logoutCount() int { r.mu.Lock(); defer r.mu.Unlock(); return r.logouts }

// eventually polls cond for up to 10 s (mail delivery and back-channel
// logout run in the background).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sessionFor starts an SSO session of userID in b directly in the store
// (as a login would), for users who cannot log in with a password.
func (f *fixture) sessionFor(t *testing.T, b *browser, userID string) {
	t.Helper()
	tok := session.Token()
	now := time.Now().UTC()
	if err := f.env.Store.CreateSession(f.ctx, model.Session{ID: session.Hash(tok), UserID: userID, AuthTime: now,
		ExpiresAt: now.Add(time.Hour), SourceIP: "192.0.2.7", AMR: []string{"ext"}}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(f.env.Server.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: session.CookieName, Value: tok, Path: "/"}})
}
