package throttle_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

const (
	pw       = "ruby-lantern-orbit-123"
	attacker = "198.51.100.7"
)

// fixture is a Sesame behind a trusted proxy (127.0.0.1): requests carry
// their client address in X-Forwarded-For, so the attacker's source is not
// the admin's.
type fixture struct {
	env   *sesametest.Env
	carol string
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var loopback = clientip.Resolver{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

func setup(t *testing.T, backend string, cfg throttle.Config, opts sesametest.Options) *fixture {
	t.Helper()
	opts.Throttle = &cfg
	env := sesametest.NewWith(t, backend, opts)
	f := &fixture{env: env, clock: &clock{t: time.Now()}}
	env.Limiter.SetClock(f.clock.now)
	ad := env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	f.carol = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "carol", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": pw})
	return f
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// login posts the login form from ip (via the trusted proxy) and reports
// the status, whether a session started, and the page.
func (f *fixture) login(t *testing.T, ip, user, pass string) (int, bool, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", f.env.Server.URL+"/login", strings.NewReader(url.Values{"username": {user}, "password": {pass}, "return": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.StatusCode == http.StatusSeeOther && len(resp.Cookies()) > 0, string(b)
}

// basic calls GET /api/v1/me with HTTP Basic from ip.
func (f *fixture) basic(t *testing.T, ip, user, pass string) sesametest.Response {
	t.Helper()
	return f.env.As(user, pass).Do("GET", "/api/v1/me", nil, "X-Forwarded-For", ip)
}

func audits(t *testing.T, f *fixture, action string) []model.AuditEvent {
	t.Helper()
	evs, _, err := f.env.Store.ListAudit(context.Background(), model.AuditFilter{Action: action, Page: model.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestBruteForceLogin (issue 8 item 4, R-PWD-3): 400 wrong guesses and
// then the right password must not sign in; the guesses past the free
// ones are refused before any hashing, with the same page as a wrong
// password.
func TestBruteForceLogin(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, throttle.DefaultConfig(), sesametest.Options{ClientIP: loopback})
			before := f.env.Hasher.Work()
			var wrongPage string
			for i := 0; i < 400; i++ {
				st, ok, page := f.login(t, attacker, "carol", fmt.Sprintf("guess-%03d-password", i))
				if ok || st != http.StatusUnauthorized {
					t.Fatalf("guess %d: status %d, signed in %v", i, st, ok)
				}
				wrongPage = page
			}
			if runs := f.env.Hasher.Work().Runs - before.Runs; runs != 4 {
				t.Errorf("400 guesses cost %d hashes, want 4 (3 free failures, then the delay refuses before hashing)", runs)
			}
			st, ok, page := f.login(t, attacker, "carol", pw)
			if ok || st != http.StatusUnauthorized {
				t.Fatalf("the right password after 400 guesses: status %d, signed in %v", st, ok)
			}
			if !strings.Contains(page, "Invalid login name or password.") || !strings.Contains(wrongPage, "Invalid login name or password.") {
				t.Errorf("a throttled login must look like a wrong password: %q", page)
			}
			// The delay ends by time: then the right password works.
			f.clock.add(2 * time.Minute)
			if st, ok, _ := f.login(t, attacker, "carol", pw); !ok {
				t.Fatalf("after the delay the right password fails: %d", st)
			}
		})
	}
}

// TestLockAndAdminUnlock: failures spread out in time still lock the
// account; the lock holds against the right password on every path
// (browser, HTTP Basic → 429 + Retry-After), is audited, and an admin
// with the right to modify the user can lift it (audited).
func TestLockAndAdminUnlock(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, throttle.DefaultConfig(), sesametest.Options{ClientIP: loopback})
			for i := 0; i < 10; i++ {
				f.clock.add(2 * time.Minute) // past every delay: each guess is checked
				if st, _, _ := f.login(t, attacker, "carol", "wrong-password-x"); st != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d", i, st)
				}
			}
			f.clock.add(2 * time.Minute)
			if st, ok, _ := f.login(t, "203.0.113.50", "carol", pw); ok {
				t.Fatalf("a locked account signed in from another source: %d", st)
			}
			r := f.basic(t, "203.0.113.50", "carol", pw)
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Fatalf("HTTP Basic on a locked account: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
			locks := audits(t, f, "login.lock")
			if len(locks) != 1 || locks[0].TargetID != f.carol || locks[0].SourceIP != attacker {
				t.Errorf("lock audit: %+v", locks)
			}
			// Carol cannot unlock herself (no right to modify users).
			if r := f.env.As("carol", pw).Do("POST", "/api/v1/users/"+f.carol+"/unlock", nil); r.Status < 400 {
				t.Errorf("unlock without the right: %d", r.Status)
			}
			f.env.Admin().Must(http.StatusNoContent, "POST", "/api/v1/users/"+f.carol+"/unlock", nil)
			un := audits(t, f, "user.unlock")
			if len(un) != 1 || un[0].TargetID != f.carol || un[0].ActorID == "" || un[0].Details["wasLocked"] != true {
				t.Errorf("unlock audit: %+v", un)
			}
			if st, ok, _ := f.login(t, "203.0.113.50", "carol", pw); !ok {
				t.Fatalf("after the admin's unlock: %d", st)
			}
			if r := f.env.Admin().Do("POST", "/api/v1/users/no-such-user/unlock", nil); r.Status != http.StatusNotFound {
				t.Errorf("unlock of an unknown user: %d", r.Status)
			}
		})
	}
}

// TestLockAcrossNodes: two nodes on one database see the same counters: a
// lock earned on node A refuses the right password on node B.
func TestLockAcrossNodes(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			cfg := throttle.DefaultConfig()
			cfg.Account = throttle.Policy{Free: 100, LockAfter: 3}
			a := setup(t, backend, cfg, sesametest.Options{ClientIP: loopback})
			b := &fixture{env: sesametest.NewWith(t, backend, sesametest.Options{ClientIP: loopback, Throttle: &cfg, StoreURL: a.env.StoreURL}), carol: a.carol}
			for i := 0; i < 3; i++ {
				a.login(t, attacker, "carol", "wrong-password-x")
			}
			if st, ok, _ := b.login(t, "203.0.113.50", "carol", pw); ok {
				t.Fatalf("node B ignored node A's lock: %d", st)
			}
			if r := b.basic(t, "203.0.113.50", "carol", pw); r.Status != http.StatusTooManyRequests {
				t.Errorf("node B, HTTP Basic: %d", r.Status)
			}
		})
	}
}

// TestUnknownNameSpellingsShareABudget: an unknown login name is counted
// under its PRECIS key (RFC 8265), so typing it in other cases or in
// full-width letters buys no fresh guesses (R-PWD-3).
func TestUnknownNameSpellingsShareABudget(t *testing.T) {
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 100, LockAfter: 3}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, cfg, sesametest.Options{ClientIP: loopback})
			for i, login := range []string{"Ghost", "GHOST", "ｇｈｏｓｔ"} {
				if r := f.basic(t, fmt.Sprintf("198.51.100.%d", i+1), login, "wrong-password-x"); r.Status != http.StatusUnauthorized {
					t.Fatalf("guess %d (%s): %d", i, login, r.Status)
				}
			}
			if r := f.basic(t, "198.51.100.9", "ghost", "wrong-password-x"); r.Status != http.StatusTooManyRequests {
				t.Errorf("a fourth spelling of one unknown name got a fresh budget: %d %s", r.Status, r.Body)
			}
		})
	}
}
