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

const enginePW = "amber-falcon-river-42"

// engineClock is a settable time source.
type engineClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *engineClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *engineClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type engineFixture struct {
	env          *sesametest.Env
	acme, globex string
	// dana is assigned to two contexts (the context step is due); eve to one.
	dana, eve   string
	engineClock *engineClock
}

func engineSetup(t *testing.T, backend string) *engineFixture {
	ck := &engineClock{t: time.Now()}
	env := sesametest.NewWith(t, backend, sesametest.Options{Now: ck.Now})
	f := &engineFixture{env: env, engineClock: ck}
	ad := env.Admin()
	f.acme = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	f.globex = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Globex", "parentId": env.RootID})
	f.dana = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "dana", "domain": "ENTERPRISE", "contexts": []string{f.acme, f.globex},
		"status": "active", "password": enginePW})
	f.eve = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "eve", "domain": "ENTERPRISE", "contexts": []string{f.acme},
		"status": "active", "password": enginePW})
	return f
}

func engineBackends(t *testing.T, fn func(t *testing.T, f *engineFixture)) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, engineSetup(t, b)) })
	}
}

// browser keeps cookies and does not follow redirects (tests read them).
func engineBrowser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func engineDo(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
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

var engineStepRE = regexp.MustCompile(`name="step" value="([^"]*)"><input type="hidden" name="flow" value="([^"]*)"`)

// formOf returns the step and flow tag of the page's form.
func engineFormOf(t *testing.T, page string) (step, flow string) {
	t.Helper()
	m := engineStepRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no step form on the page:\n%s", page)
	}
	return m[1], m[2]
}

func (f *engineFixture) sessions(t *testing.T, userID string) []model.Session {
	t.Helper()
	ss, err := f.env.Store.ListUserSessions(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func engineHasSession(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "sesame_session") && c.Value != "" {
			return true
		}
	}
	return false
}

// passwordStep opens the login page for ret and submits the password;
// it returns the response to the submit.
func (f *engineFixture) passwordStep(t *testing.T, c *http.Client, base, ret, user string) (*http.Response, string) {
	t.Helper()
	_, page := engineDo(t, c, "GET", base+"/login?return="+url.QueryEscape(ret), nil)
	step, flow := engineFormOf(t, page)
	if step != string(login.StepPassword) {
		t.Fatalf("first step %q, want password", step)
	}
	return engineDo(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "username": {user}, "password": {enginePW}})
}

// TestContextChoice: a user assigned to two contexts chooses one (R-SSO-5);
// a context the user may not act in is refused; the session acts in the
// chosen one.
func TestContextChoice(t *testing.T) {
	engineBackends(t, func(t *testing.T, f *engineFixture) {
		base := f.env.Server.URL
		c := engineBrowser(t)
		resp, _ := f.passwordStep(t, c, base, "/", "dana")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") || engineHasSession(resp) {
			t.Fatalf("after the password: %d to %q (a session already: %v)", resp.StatusCode, resp.Header.Get("Location"), engineHasSession(resp))
		}
		_, page := engineDo(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow := engineFormOf(t, page)
		if step != string(login.StepContext) || !strings.Contains(page, "Acme") || !strings.Contains(page, "Globex") {
			t.Fatalf("context page: step %q\n%s", step, page)
		}
		// Root is not dana's: refused, nothing started.
		resp, page = engineDo(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.env.RootID}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "context-error") || engineHasSession(resp) {
			t.Errorf("a foreign context: %d\n%s", resp.StatusCode, page)
		}
		resp, _ = engineDo(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.globex}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || !engineHasSession(resp) {
			t.Fatalf("choosing Globex: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if ss := f.sessions(t, f.dana); len(ss) != 1 || ss[0].ContextID != f.globex || strings.Join(ss[0].AMR, " ") != "pwd" {
			t.Errorf("sessions: %+v", ss)
		}
		// A user with one context is not asked.
		resp, _ = f.passwordStep(t, engineBrowser(t), base, "/", "eve")
		if resp.Header.Get("Location") != "/" || !engineHasSession(resp) {
			t.Errorf("eve was asked something: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestOutOfOrderAndBackButton: a form of a step that is not due — posted
// before the password, or again after it passed (back button) — runs
// nothing and shows the step that is due.
func TestOutOfOrderAndBackButton(t *testing.T) {
	engineBackends(t, func(t *testing.T, f *engineFixture) {
		base := f.env.Server.URL
		c := engineBrowser(t)
		_, page := engineDo(t, c, "GET", base+"/login", nil)
		_, flow := engineFormOf(t, page)
		resp, _ := engineDo(t, c, "POST", base+"/login", url.Values{"step": {"context"}, "flow": {flow}, "context": {f.acme}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?flow="+flow || engineHasSession(resp) {
			t.Errorf("context before password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = engineDo(t, c, "POST", base+"/login", url.Values{"step": {"password"}, "flow": {flow}, "username": {"dana"}, "password": {enginePW}})
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") {
			t.Fatalf("password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Back button: the password form again, even with another user's
		// password — it is not due any more.
		resp, _ = engineDo(t, c, "POST", base+"/login", url.Values{"step": {"password"}, "flow": {flow}, "username": {"eve"}, "password": {enginePW}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") || engineHasSession(resp) {
			t.Errorf("password posted twice: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, page = engineDo(t, c, "GET", base+"/login?flow="+flow, nil)
		if step, _ := engineFormOf(t, page); step != "context" {
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
	engineBackends(t, func(t *testing.T, f *engineFixture) {
		base := f.env.Server.URL
		// No login at all.
		resp, page := engineDo(t, engineBrowser(t), "POST", base+"/login", url.Values{"step": {"context"}, "context": {f.acme}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "expired") {
			t.Errorf("a step without a login: %d\n%s", resp.StatusCode, page)
		}
		// Expired between two steps.
		c := engineBrowser(t)
		resp, _ = f.passwordStep(t, c, base, "/", "dana")
		_, page = engineDo(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow := engineFormOf(t, page)
		f.engineClock.Add(login.DefaultFlowTTL + time.Minute)
		resp, page = engineDo(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "expired") || engineHasSession(resp) {
			t.Errorf("an expired login: %d\n%s", resp.StatusCode, page)
		}
		if len(f.sessions(t, f.dana)) != 0 {
			t.Error("an expired login started a session")
		}
		// Finished, then replayed with the old login cookie: nothing new.
		c = engineBrowser(t)
		resp, _ = f.passwordStep(t, c, base, "/", "dana")
		_, page = engineDo(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow = engineFormOf(t, page)
		u, _ := url.Parse(base)
		var flowCookie *http.Cookie
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == login.FlowCookie {
				flowCookie = ck
			}
		}
		resp, _ = engineDo(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}})
		if !engineHasSession(resp) {
			t.Fatalf("the login did not finish: %d", resp.StatusCode)
		}
		replay := engineBrowser(t)
		replay.Jar.SetCookies(u, []*http.Cookie{{Name: login.FlowCookie, Value: flowCookie.Value, Path: "/"}})
		for range 2 {
			resp, _ = engineDo(t, replay, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.globex}})
			if engineHasSession(resp) || resp.StatusCode/100 != 3 && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("replay after completion: %d, session cookie %v", resp.StatusCode, engineHasSession(resp))
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
	engineBackends(t, func(t *testing.T, f *engineFixture) {
		base := f.env.Server.URL
		for _, user := range []string{"eve", "dana"} {
			c := engineBrowser(t)
			var form url.Values
			if user == "eve" {
				_, page := engineDo(t, c, "GET", base+"/login", nil)
				step, flow := engineFormOf(t, page)
				form = url.Values{"step": {step}, "flow": {flow}, "username": {"eve"}, "password": {enginePW}}
			} else {
				resp, _ := f.passwordStep(t, c, base, "/", "dana")
				_, page := engineDo(t, c, "GET", base+resp.Header.Get("Location"), nil)
				step, flow := engineFormOf(t, page)
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
	engineBackends(t, func(t *testing.T, f *engineFixture) {
		n2 := f.env.Node(t, sesametest.Options{Now: f.engineClock.Now})
		c := engineBrowser(t)
		resp, _ := f.passwordStep(t, c, f.env.Server.URL, "/", "dana")
		loc := resp.Header.Get("Location")
		// The browser's cookies go with it: copy them to node 2's origin.
		u1, _ := url.Parse(f.env.Server.URL)
		u2, _ := url.Parse(n2.Server.URL)
		c.Jar.SetCookies(u2, c.Jar.Cookies(u1))
		_, page := engineDo(t, c, "GET", n2.Server.URL+loc, nil)
		step, flow := engineFormOf(t, page)
		if step != "context" {
			t.Fatalf("node 2 shows step %q", step)
		}
		resp, _ = engineDo(t, c, "POST", n2.Server.URL+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.globex}})
		if !engineHasSession(resp) || resp.Header.Get("Location") != "/" {
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
	engineBackends(t, func(t *testing.T, f *engineFixture) {
		base := f.env.Server.URL
		c := engineBrowser(t)
		resp, _ := f.passwordStep(t, c, base, "/", "dana")
		_, page := engineDo(t, c, "GET", base+resp.Header.Get("Location"), nil)
		step, flow := engineFormOf(t, page)
		f.env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+f.dana+"/deactivate", nil)
		resp, page = engineDo(t, c, "POST", base+"/login", url.Values{"step": {step}, "flow": {flow}, "context": {f.acme}})
		if engineHasSession(resp) || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("deactivated mid-login: %d\n%s", resp.StatusCode, page)
		}
	})
}
