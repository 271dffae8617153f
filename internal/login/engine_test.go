package login_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const pw = "amber-falcon-river-42"

// clock is a settable time source.
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

type fixture struct {
	env          *sesametest.Env
	acme, globex string
	// dana is assigned to two contexts (the context step is due); eve to one.
	dana, eve string
	clock     *clock
}

func setup(t *testing.T, backend string) *fixture {
	ck := &clock{t: time.Now()}
	env := sesametest.NewWith(t, backend, sesametest.Options{Now: ck.Now})
	f := &fixture{env: env, clock: ck}
	ad := env.Admin()
	f.acme = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	f.globex = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Globex", "parentId": env.RootID})
	f.dana = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "dana", "domain": "ENTERPRISE", "contexts": []string{f.acme, f.globex},
		"status": "active", "password": pw})
	f.eve = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "eve", "domain": "ENTERPRISE", "contexts": []string{f.acme},
		"status": "active", "password": pw})
	return f
}

func onBackends(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, setup(t, b)) })
	}
}

// browser keeps cookies and does not follow redirects (tests read them).
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var (
		resp *http.Response
		err  error
	)
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var stepRE = regexp.MustCompile(`name="step" value="([^"]*)"><input type="hidden" name="flow" value="([^"]*)"`)

// formOf returns the step and flow tag of the page's form.
func formOf(t *testing.T, page string) (step, flow string) {
	t.Helper()
	m := stepRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no step form on the page:\n%s", page)
	}
	return m[1], m[2]
}

func (f *fixture) sessions(t *testing.T, userID string) []model.Session {
	t.Helper()
	ss, err := f.env.Store.ListUserSessions(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func hasSessionCookie(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "sesame_session") && c.Value != "" {
			return true
		}
	}
	return false
}

// passwordStep opens the login page for ret and submits the password;
// it returns the response to the submit.
func (f *fixture) passwordStep(t *testing.T, c *http.Client, base, ret, user string) (*http.Response, string) {
	t.Helper()
	_, page := do(t, c, "GET", base+"/login?return="+url.QueryEscape(ret), nil)
	step, flow := formOf(t, page)
	if step != string(login.StepPassword) {
		t.Fatalf("first step %q, want password", step)
	}
	return do(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "username": {user}, "password": {pw}})
}

// TestContextChoice: a user assigned to two contexts chooses one (R-SSO-5);
// a context the user may not act in is refused; the session acts in the
// chosen one.
func TestContextChoice(t *testing.T) {
	onBackends(t, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		c := browser(t)
		resp, _ := f.passwordStep(t, c, base, "/", "dana")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") || hasSessionCookie(resp) {
			t.Fatalf("after the password: %d to %q (a session already: %v)", resp.StatusCode, resp.Header.Get("Location"), hasSessionCookie(resp))
		}
		_, page := do(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow := formOf(t, page)
		if step != string(login.StepContext) || !strings.Contains(page, "Acme") || !strings.Contains(page, "Globex") {
			t.Fatalf("context page: step %q\n%s", step, page)
		}
		// Root is not dana's: refused, nothing started.
		resp, page = do(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.env.RootID}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "context-error") || hasSessionCookie(resp) {
			t.Errorf("a foreign context: %d\n%s", resp.StatusCode, page)
		}
		resp, _ = do(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.globex}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || !hasSessionCookie(resp) {
			t.Fatalf("choosing Globex: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if ss := f.sessions(t, f.dana); len(ss) != 1 || ss[0].ContextID != f.globex || strings.Join(ss[0].AMR, " ") != "pwd" {
			t.Errorf("sessions: %+v", ss)
		}
		// A user with one context is not asked.
		resp, _ = f.passwordStep(t, browser(t), base, "/", "eve")
		if resp.Header.Get("Location") != "/" || !hasSessionCookie(resp) {
			t.Errorf("eve was asked something: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestOutOfOrderAndBackButton: a form of a step that is not due — posted
// before the password, or again after it passed (back button) — runs
// nothing and shows the step that is due.
func TestOutOfOrderAndBackButton(t *testing.T) {
	onBackends(t, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		c := browser(t)
		_, page := do(t, c, "GET", base+"/login", nil)
		_, flow := formOf(t, page)
		resp, _ := do(t, c, "POST", base+"/login", url.Values{"step": {"context"}, "flow": {flow}, "context": {f.acme}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?flow="+flow || hasSessionCookie(resp) {
			t.Errorf("context before password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = do(t, c, "POST", base+"/login", url.Values{"step": {"password"}, "flow": {flow}, "username": {"dana"}, "password": {pw}})
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") {
			t.Fatalf("password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Back button: the password form again, even with another user's
		// password — it is not due any more.
		resp, _ = do(t, c, "POST", base+"/login", url.Values{"step": {"password"}, "flow": {flow}, "username": {"eve"}, "password": {pw}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") || hasSessionCookie(resp) {
			t.Errorf("password posted twice: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, page = do(t, c, "GET", base+"/login?flow="+flow, nil)
		if step, _ := formOf(t, page); step != "context" {
			t.Errorf("the due step after the back button: %q", step)
		}
		if len(f.sessions(t, f.eve)) != 0 || len(f.sessions(t, f.dana)) != 0 {
			t.Error("a session was started")
		}
	})
}

// TestExpiredAndReplayed: a later step with no login behind it, a login
// past its lifetime, and a finished login posted again never start a
// session; each gets a clear page.
func TestExpiredAndReplayed(t *testing.T) {
	onBackends(t, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		// No login at all.
		resp, page := do(t, browser(t), "POST", base+"/login", url.Values{"step": {"context"}, "context": {f.acme}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "expired") {
			t.Errorf("a step without a login: %d\n%s", resp.StatusCode, page)
		}
		// Expired between two steps.
		c := browser(t)
		resp, _ = f.passwordStep(t, c, base, "/", "dana")
		_, page = do(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow := formOf(t, page)
		f.clock.Add(login.DefaultFlowTTL + time.Minute)
		resp, page = do(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "expired") || hasSessionCookie(resp) {
			t.Errorf("an expired login: %d\n%s", resp.StatusCode, page)
		}
		if len(f.sessions(t, f.dana)) != 0 {
			t.Error("an expired login started a session")
		}
		// Finished, then replayed with the old login cookie: nothing new.
		c = browser(t)
		resp, _ = f.passwordStep(t, c, base, "/", "dana")
		_, page = do(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow = formOf(t, page)
		u, _ := url.Parse(base)
		var flowCookie *http.Cookie
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == login.FlowCookie {
				flowCookie = ck
			}
		}
		resp, _ = do(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}})
		if !hasSessionCookie(resp) {
			t.Fatalf("the login did not finish: %d", resp.StatusCode)
		}
		replay := browser(t)
		replay.Jar.SetCookies(u, []*http.Cookie{{Name: login.FlowCookie, Value: flowCookie.Value, Path: "/"}})
		for range 2 {
			resp, _ = do(t, replay, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.globex}})
			if hasSessionCookie(resp) || resp.StatusCode/100 != 3 && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("replay after completion: %d, session cookie %v", resp.StatusCode, hasSessionCookie(resp))
			}
		}
		if ss := f.sessions(t, f.dana); len(ss) != 1 || ss[0].ContextID != f.acme {
			t.Errorf("after replays: %+v", ss)
		}
	})
}

// TestDoubleSubmit: the same form posted many times at once (a
// double-click, a retrying proxy) starts exactly one session.
func TestDoubleSubmit(t *testing.T) {
	onBackends(t, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		for _, user := range []string{"eve", "dana"} {
			c := browser(t)
			var form url.Values
			if user == "eve" {
				_, page := do(t, c, "GET", base+"/login", nil)
				step, flow := formOf(t, page)
				form = url.Values{"step": {step}, "flow": {flow}, "username": {"eve"}, "password": {pw}}
			} else {
				resp, _ := f.passwordStep(t, c, base, "/", "dana")
				_, page := do(t, c, "GET", base+resp.Header.Get("Location"), nil)
				step, flow := formOf(t, page)
				form = url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}}
			}
			var wg sync.WaitGroup
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := c.PostForm(base+"/login", form)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode >= 500 {
						t.Errorf("%s: a double submit got %d", user, resp.StatusCode)
					}
				}()
			}
			wg.Wait()
			id := f.eve
			if user == "dana" {
				id = f.dana
			}
			if n := len(f.sessions(t, id)); n != 1 {
				t.Errorf("%s: %d sessions from one double-submitted form, want 1", user, n)
			}
		}
	})
}

// TestLoginAcrossNodes: the flow is stored, so a login started on one
// node finishes on another (issue 9: two nodes).
func TestLoginAcrossNodes(t *testing.T) {
	onBackends(t, func(t *testing.T, f *fixture) {
		n2 := f.env.Node(t, sesametest.Options{Now: f.clock.Now})
		c := browser(t)
		resp, _ := f.passwordStep(t, c, f.env.Server.URL, "/", "dana")
		loc := resp.Header.Get("Location")
		// The browser's cookies go with it: copy them to node 2's origin.
		u1, _ := url.Parse(f.env.Server.URL)
		u2, _ := url.Parse(n2.Server.URL)
		c.Jar.SetCookies(u2, c.Jar.Cookies(u1))
		_, page := do(t, c, "GET", n2.Server.URL+loc, nil)
		step, flow := formOf(t, page)
		if step != "context" {
			t.Fatalf("node 2 shows step %q", step)
		}
		resp, _ = do(t, c, "POST", n2.Server.URL+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.globex}})
		if !hasSessionCookie(resp) || resp.Header.Get("Location") != "/" {
			t.Fatalf("finish on node 2: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if ss := f.sessions(t, f.dana); len(ss) != 1 || ss[0].ContextID != f.globex {
			t.Errorf("sessions: %+v", ss)
		}
	})
}

// TestUserDeactivatedMidLogin: a user deactivated between two steps does
// not get a session.
func TestUserDeactivatedMidLogin(t *testing.T) {
	onBackends(t, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		c := browser(t)
		resp, _ := f.passwordStep(t, c, base, "/", "dana")
		_, page := do(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow := formOf(t, page)
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.dana+"/deactivate", nil)
		resp, page = do(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}})
		if hasSessionCookie(resp) || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("deactivated mid-login: %d\n%s", resp.StatusCode, page)
		}
	})
}
