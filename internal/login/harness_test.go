package login_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// pw is every test user's password (one the policy accepts).
const pw = "ruby-lantern-orbit-123"

// clock is the test's clock: real time plus an offset the test moves.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Add(d time.Duration) { c.off.Add(int64(d)) }

// smsGateway is an HTTP SMS gateway stub: it records what Sesame posts
// (the default JSON body: to, text, language) and the auth header.
type smsGateway struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []smsReq
}

type smsReq struct{ To, Text, Language, Auth string }

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ To, Text, Language string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.got = append(g.got, smsReq{To: body.To, Text: body.Text, Language: body.Language, Auth: r.Header.Get("Authorization")})
		g.mu.Unlock()
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *smsGateway) received() []smsReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]smsReq(nil), g.got...)
}

// fixture is a Sesame with one-time codes by email (the instance
// default), a real SMTP server and an SMS gateway stub, and users:
// carol (email), dieter (German, SMS by his own setting), pat (SMS, a
// number the MSISDN pattern refuses).
type fixture struct {
	t     *testing.T
	env   *sesametest.Env
	opts  sesametest.Options
	mail  *mailtest.Server
	sms   *smsGateway
	clock *clock
	acct  string
	carol string
	// users by login name
	ids map[string]string
}

type setupOpts struct {
	twoFactor func(*config.TwoFactor)
	throttle  *throttle.Config
	storeURL  string
}

func setup(t *testing.T, backend string, so setupOpts) *fixture {
	f := &fixture{t: t, mail: mailtest.New(t), sms: newSMSGateway(t), clock: &clock{}, ids: map[string]string{}}
	f.mail.Start("none")
	tf := config.DefaultTwoFactor()
	tf.Default = "email"
	if so.twoFactor != nil {
		so.twoFactor(&tf)
	}
	f.opts = sesametest.Options{Mail: f.mail, SMSURL: f.sms.srv.URL, TwoFactor: &tf, Now: f.clock.Now, Throttle: so.throttle, StoreURL: so.storeURL}
	f.env = sesametest.NewWith(t, backend, f.opts)
	ad := f.env.Admin()
	f.acct = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": f.env.RootID})
	f.carol = f.user("carol", model.Person{FirstName: "Carol", LastName: "Jones", Email: "carol@acme.example"}, "")
	return f
}

// user creates an active local user of the account with the fixture's
// password and, when mode is set, an own one-time code mode.
func (f *fixture) user(login string, p model.Person, mode string) string {
	f.t.Helper()
	id := f.env.Admin().ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{f.acct},
		"status": "active", "password": pw, "person": p})
	if mode != "" {
		f.env.Admin().Must(http.StatusOK, "PUT", "/api/v1/users/"+id+"/two-factor", map[string]string{"otp": mode, "totp": "default"})
	}
	f.ids[login] = id
	return id
}

// langBrowser is browser with an Accept-Language header.
func (f *fixture) langBrowser(lang string) *http.Client {
	c := f.browser()
	c.Transport = langTransport(lang)
	return c
}

type langTransport string

func (l langTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", string(l))
	return http.DefaultTransport.RoundTrip(r)
}

// browser is a cookie-keeping client that follows redirects inside
// Sesame (any node) and stops at an app's callback (/cb).
func (f *fixture) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/cb" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// page is one answer as a browser sees it.
type page struct {
	status int
	url    *url.URL
	loc    *url.URL // Location of a redirect the client did not follow
	body   string
}

func do(t *testing.T, c *http.Client, req func() (*http.Response, error)) page {
	t.Helper()
	resp, err := req()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, url: resp.Request.URL, body: string(b)}
	p.loc, _ = resp.Location()
	return p
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	return do(t, c, func() (*http.Response, error) { return c.Get(u) })
}

func post(t *testing.T, c *http.Client, u string, v url.Values) page {
	t.Helper()
	return do(t, c, func() (*http.Response, error) { return c.PostForm(u, v) })
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="(step|flow)" value="([^"]*)">`)

// fields are the step fields of the page's first form.
func (p page) fields() url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(p.body, 2) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

func (p page) has(id string) bool { return strings.Contains(p.body, `id="`+id+`"`) }

// signIn opens the login page (of ret) and posts the password: the page
// after the first factor.
func (f *fixture) signIn(c *http.Client, base, login, ret string) page {
	f.t.Helper()
	if ret == "" {
		ret = "/"
	}
	lp := get(f.t, c, base+"/login?return="+url.QueryEscape(ret))
	v := lp.fields()
	v.Set("username", login)
	v.Set("password", pw)
	return post(f.t, c, base+"/login", v)
}

// submitCode posts code on p's step form (or resend).
func (f *fixture) submitCode(c *http.Client, base string, p page, code string) page {
	f.t.Helper()
	v := p.fields()
	v.Set("code", code)
	return post(f.t, c, base+"/login", v)
}

func (f *fixture) resend(c *http.Client, base string, p page) page {
	f.t.Helper()
	v := p.fields()
	v.Set("resend", "1")
	return post(f.t, c, base+"/login", v)
}

// eventually polls cond until it holds (a message the outbox worker
// sends in the background), failing after 15 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// mailCode waits for the n-th mail (1-based) and returns it with its code.
func (f *fixture) mailCode(n int) (mailtest.Parsed, mailtest.Received, string) {
	f.t.Helper()
	eventually(f.t, "mail", func() bool { return len(f.mail.Received()) >= n })
	r := f.mail.Received()[n-1]
	m := mailtest.Parse(f.t, r.Raw)
	c := codeRE.FindStringSubmatch(m.Text)
	if c == nil {
		f.t.Fatalf("no code in mail %q", m.Text)
	}
	return m, r, c[1]
}

// smsCode waits for the n-th SMS and returns it with its code.
func (f *fixture) smsCode(n int) (smsReq, string) {
	f.t.Helper()
	eventually(f.t, "sms", func() bool { return len(f.sms.received()) >= n })
	r := f.sms.received()[n-1]
	c := codeRE.FindStringSubmatch(r.Text)
	if c == nil {
		f.t.Fatalf("no code in SMS %q", r.Text)
	}
	return r, c[1]
}

// sessions lists the user's SSO sessions.
func (f *fixture) sessions(userID string) []model.Session {
	f.t.Helper()
	ss, err := f.env.Store.ListUserSessions(context.Background(), userID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ss
}

// signedIn reports whether c has an SSO session at Sesame (/ says who).
// It does not follow the redirect to /login, which would start a new
// login in place of the one in progress.
func (f *fixture) signedIn(c *http.Client, base string) bool {
	f.t.Helper()
	nc := &http.Client{Jar: c.Jar, Timeout: c.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	p := get(f.t, nc, base+"/")
	return p.status == http.StatusOK && p.has("message") && !p.has("username")
}

func onBackends(t *testing.T, so setupOpts, fn func(t *testing.T, f *fixture)) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, setup(t, b, so)) })
	}
}

// rp is an OIDC relying party on golang.org/x/oauth2 and coreos/go-oidc
// (independent of Sesame's code).
type rp struct {
	srv      *httptest.Server
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func (f *fixture) newRP(ctx context.Context) *rp {
	f.t.Helper()
	r := &rp{srv: httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "callback") }))}
	f.t.Cleanup(r.srv.Close)
	reg := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "App", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{r.srv.URL + "/cb"}, "grantTypes": []string{"authorization_code"}}).Map(f.t)
	p, err := oidc.NewProvider(ctx, f.env.Server.URL)
	if err != nil {
		f.t.Fatalf("discovery: %v", err)
	}
	r.conf = oauth2.Config{ClientID: reg["id"].(string), ClientSecret: reg["secret"].(string), Endpoint: p.Endpoint(),
		RedirectURL: r.srv.URL + "/cb", Scopes: []string{oidc.ScopeOpenID, "profile"}}
	r.verifier = p.Verifier(&oidc.Config{ClientID: r.conf.ClientID})
	return r
}
