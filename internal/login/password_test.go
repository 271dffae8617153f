package login_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// Passwords the default policy accepts (12+ characters, not common, no
// login name).
const (
	firstPW  = "amber-falcon-river-4711"
	secondPW = "quiet-lantern-meadow-2093"
	thirdPW  = "copper-willow-harbor-5820"
)

func backends(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// followingBrowser keeps cookies and follows redirects.
func followingBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func read(t *testing.T, resp *http.Response, err error) (int, string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// fields reads a page's hidden fields (the step form's step and flow).
func fields(page string) url.Values {
	v := url.Values{}
	for _, m := range hidden.FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// submit posts the page's form with its hidden fields and extra.
func submit(t *testing.T, c *http.Client, base, action, page string, extra url.Values) (int, string) {
	t.Helper()
	v := fields(page)
	for k, x := range extra {
		v[k] = x
	}
	resp, err := c.PostForm(base+action, v)
	return read(t, resp, err)
}

// signIn opens the login page and posts name and password: the page the
// browser ends on.
func signIn(t *testing.T, c *http.Client, base, name, pw string) (int, string) {
	t.Helper()
	_, page := getPage(t, c, base+"/login")
	return submit(t, c, base, "/login", page, url.Values{"username": {name}, "password": {pw}})
}

// postPage posts v to u: status and body.
func postPage(t *testing.T, c *http.Client, u string, v url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	return read(t, resp, err)
}

// getPage GETs u: status and body.
func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	return read(t, resp, err)
}

const signedIn = "You are signed in as"

func isChangePage(p string) bool {
	return strings.Contains(p, `name="new"`) && strings.Contains(p, `value="password_change"`)
}

// createUser makes an active local user of the root context.
func createUser(t *testing.T, env *sesametest.Env, login string, person model.Person, pw string) string {
	t.Helper()
	return env.Admin().ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": model.DomainCSP, "contexts": []string{env.RootID},
		"status": "active", "person": person, "password": pw})
}

// waitMail waits for a mail to rcpt whose subject is subject.
func waitMail(t *testing.T, ms *mailtest.Server, rcpt, subject string) mailtest.Parsed {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range ms.Received() {
			if len(m.Rcpt) == 1 && m.Rcpt[0] == rcpt {
				if p := mailtest.Parse(t, m.Raw); p.Subject == subject {
					return p
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail %q to %s; received %d", subject, rcpt, len(ms.Received()))
	return mailtest.Parsed{}
}

func mailsTo(ms *mailtest.Server, rcpt string) int {
	n := 0
	for _, m := range ms.Received() {
		for _, r := range m.Rcpt {
			if r == rcpt {
				n++
			}
		}
	}
	return n
}

// TestForcedChangeAfterAdminReset (issue 9 §1, §2.3): an admin sets a
// password with mustChange; the next login asks for a new one right after
// the password, refuses weak ones with the reasons, a mismatch and the
// current password, then goes on to the app; the old password is dead,
// the new one signs in without the page, and password_changed was mailed.
func TestForcedChangeAfterAdminReset(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ms := mailtest.New(t)
		ms.Start("none")
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms})
		base := env.Server.URL
		id := createUser(t, env, "carol", model.Person{FirstName: "Carol", Email: "carol@example.com"}, firstPW)
		env.Admin().Must(http.StatusNoContent, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"password": secondPW, "mustChange": true})
		if u, _ := env.Store.GetUser(context.Background(), id); !u.PasswordMustChange || u.PasswordSetAt.IsZero() {
			t.Fatalf("after the admin reset: mustChange %v setAt %v", u.PasswordMustChange, u.PasswordSetAt)
		}

		c := followingBrowser()
		st, page := signIn(t, c, base, "carol", secondPW)
		if st != http.StatusOK || !isChangePage(page) || !strings.Contains(page, "Your administrator has asked you") {
			t.Fatalf("after the password: %d, not the change page:\n%s", st, page)
		}
		// Weak: too short and containing the login name, each reason said.
		st, p2 := submit(t, c, base, "/login", page, url.Values{"new": {"carol12"}, "confirm": {"carol12"}})
		if st != http.StatusBadRequest || !strings.Contains(p2, "must be at least 12 characters long") || !strings.Contains(p2, "must not contain your login name") {
			t.Fatalf("weak password: %d\n%s", st, p2)
		}
		st, p2 = submit(t, c, base, "/login", page, url.Values{"new": {"password1234"}, "confirm": {"password1234"}})
		if st != http.StatusBadRequest || !strings.Contains(p2, "is one of the most common passwords") {
			t.Fatalf("common password: %d\n%s", st, p2)
		}
		st, p2 = submit(t, c, base, "/login", page, url.Values{"new": {thirdPW}, "confirm": {thirdPW + "x"}})
		if st != http.StatusBadRequest || !strings.Contains(p2, "are not the same") {
			t.Fatalf("mismatch: %d\n%s", st, p2)
		}
		st, p2 = submit(t, c, base, "/login", page, url.Values{"new": {secondPW}, "confirm": {secondPW}})
		if st != http.StatusBadRequest || !strings.Contains(p2, "must be different from the current one") {
			t.Fatalf("current password: %d\n%s", st, p2)
		}
		// Nothing was changed by the refused forms.
		if u, _ := env.Store.GetUser(context.Background(), id); !u.PasswordMustChange {
			t.Fatal("a refused form cleared mustChange")
		}
		st, p2 = submit(t, c, base, "/login", page, url.Values{"new": {thirdPW}, "confirm": {thirdPW}})
		if st != http.StatusOK || !strings.Contains(p2, signedIn) {
			t.Fatalf("good password: %d\n%s", st, p2)
		}
		// Replaying the change form after the login finished changes nothing.
		st, p3 := submit(t, c, base, "/login", page, url.Values{"new": {firstPW + "-z"}, "confirm": {firstPW + "-z"}})
		if st != http.StatusBadRequest || strings.Contains(p3, signedIn) {
			t.Fatalf("replayed change form: %d\n%s", st, p3)
		}
		u, _ := env.Store.GetUser(context.Background(), id)
		if u.PasswordMustChange || !env.Svc.PasswordMatches(context.Background(), u.PasswordHash, thirdPW) {
			t.Fatalf("after the change: mustChange %v, new password stored %v", u.PasswordMustChange, env.Svc.PasswordMatches(context.Background(), u.PasswordHash, thirdPW))
		}
		if _, p := signIn(t, followingBrowser(), base, "carol", secondPW); !strings.Contains(p, "Invalid login name or password") {
			t.Fatalf("the old password still works:\n%s", p)
		}
		if st, p := signIn(t, followingBrowser(), base, "carol", thirdPW); st != http.StatusOK || !strings.Contains(p, signedIn) {
			t.Fatalf("the new password: %d\n%s", st, p)
		}
		m := waitMail(t, ms, "carol@example.com", "Your password was changed")
		if !strings.Contains(m.Text, "carol") {
			t.Errorf("password_changed mail: %q", m.Text)
		}
	})
}

// TestExpiredPasswordMustChange: with password.maxAge the login after the
// password's age ran out asks for a new one (reason: expired); before, it
// does not (an injected clock, no waiting).
func TestExpiredPasswordMustChange(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		env := sesametest.NewWith(t, backend, sesametest.Options{Now: clock, PasswordMaxAge: 90 * 24 * time.Hour})
		base := env.Server.URL
		id := createUser(t, env, "dave", model.Person{Email: "dave@example.com"}, firstPW)
		if u, _ := env.Store.GetUser(context.Background(), id); !u.PasswordSetAt.Equal(now.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("PasswordSetAt %v, want the creation time %v", u.PasswordSetAt, now)
		}
		if st, p := signIn(t, followingBrowser(), base, "dave", firstPW); st != http.StatusOK || !strings.Contains(p, signedIn) {
			t.Fatalf("fresh password: %d\n%s", st, p)
		}
		mu.Lock()
		now = now.Add(91 * 24 * time.Hour)
		mu.Unlock()
		c := followingBrowser()
		st, page := signIn(t, c, base, "dave", firstPW)
		if st != http.StatusOK || !isChangePage(page) || !strings.Contains(page, "Your password has expired") {
			t.Fatalf("expired password: %d\n%s", st, page)
		}
		if st, p := submit(t, c, base, "/login", page, url.Values{"new": {secondPW}, "confirm": {secondPW}}); st != http.StatusOK || !strings.Contains(p, signedIn) {
			t.Fatalf("new password: %d\n%s", st, p)
		}
		if st, p := signIn(t, followingBrowser(), base, "dave", secondPW); st != http.StatusOK || !strings.Contains(p, signedIn) {
			t.Fatalf("after the change (counted from now): %d\n%s", st, p)
		}
		if u, _ := env.Store.GetUser(context.Background(), id); !u.PasswordSetAt.Equal(now.UTC().Truncate(time.Microsecond)) {
			t.Errorf("PasswordSetAt %v after the change, want %v", u.PasswordSetAt, now)
		}
	})
}

// TestChangeStepOutOfOrder: the change form posted before the password
// (no login, or a login still at its first step) does nothing: no
// password changes, no one is signed in.
func TestChangeStepOutOfOrder(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		env := sesametest.New(t, backend)
		base := env.Server.URL
		id := createUser(t, env, "erin", model.Person{}, firstPW)
		env.Admin().Must(http.StatusNoContent, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"password": secondPW, "mustChange": true})
		// No login at all.
		c := followingBrowser()
		resp, err := c.PostForm(base+"/login", url.Values{"step": {"password_change"}, "new": {thirdPW}, "confirm": {thirdPW}})
		st, p := read(t, resp, err)
		if st != http.StatusBadRequest || strings.Contains(p, signedIn) {
			t.Fatalf("change without a login: %d\n%s", st, p)
		}
		// A login at its password step: the change form is answered with
		// the step that is due.
		_, page := getPage(t, c, base+"/login")
		v := fields(page)
		v.Set("step", "password_change")
		v.Set("new", thirdPW)
		v.Set("confirm", thirdPW)
		resp, err = c.PostForm(base+"/login", v)
		st, p = read(t, resp, err)
		if st != http.StatusOK || !strings.Contains(p, `name="password"`) || strings.Contains(p, signedIn) {
			t.Fatalf("change before the password: %d\n%s", st, p)
		}
		u, _ := env.Store.GetUser(context.Background(), id)
		if !u.PasswordMustChange || !env.Svc.PasswordMatches(context.Background(), u.PasswordHash, secondPW) {
			t.Fatal("an out-of-order change form changed the password")
		}
	})
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+/password/reset\?token=[A-Za-z0-9_%-]+`)

// forgot posts the forgot form for typed: status and page.
func forgot(t *testing.T, c *http.Client, base, typed string) (int, string) {
	t.Helper()
	resp, err := c.PostForm(base+"/password/forgot", url.Values{"login": {typed}})
	return read(t, resp, err)
}

// TestForgotPasswordByMail (R-PWD-2): forgot → mail → link → new password
// (policy applies) → the browser is sent to sign in; the user's sessions
// ended; the link works once; the old password is dead.
func TestForgotPasswordByMail(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ms := mailtest.New(t)
		ms.Start("none")
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, ForgotFloor: time.Millisecond})
		base := env.Server.URL
		id := createUser(t, env, "fay", model.Person{FirstName: "Fay", Email: "fay@example.com"}, firstPW)
		env.Admin().Must(http.StatusNoContent, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"password": secondPW, "mustChange": true})
		// A signed-in browser of the user, from before the reset.
		old := followingBrowser()
		_, page := signIn(t, old, base, "fay", secondPW)
		if _, p := submit(t, old, base, "/login", page, url.Values{"new": {thirdPW}, "confirm": {thirdPW}}); !strings.Contains(p, signedIn) {
			t.Fatalf("setup sign-in:\n%s", p)
		}

		c := followingBrowser()
		if st, p := getPage(t, c, base+"/password/forgot"); st != http.StatusOK || !strings.Contains(p, `name="login"`) {
			t.Fatalf("forgot page: %d\n%s", st, p)
		}
		if st, p := forgot(t, c, base, "FAY@example.com"); st != http.StatusOK || !strings.Contains(p, "Check your email") {
			t.Fatalf("forgot by email: %d\n%s", st, p)
		}
		m := waitMail(t, ms, "fay@example.com", "Reset your password")
		link := linkRE.FindString(m.Text)
		if link == "" || !strings.HasPrefix(link, base) {
			t.Fatalf("no link to %s in %q", base, m.Text)
		}
		st, form := getPage(t, c, link)
		if st != http.StatusOK || !strings.Contains(form, `name="new"`) || !strings.Contains(form, "fay") {
			t.Fatalf("reset page: %d\n%s", st, form)
		}
		// The policy applies, with reasons; the link survives a refusal.
		if st, p := submit(t, c, base, "/password/reset", form, url.Values{"new": {"fay-short"}, "confirm": {"fay-short"}}); st != http.StatusBadRequest ||
			!strings.Contains(p, "must be at least 12 characters long") || !strings.Contains(p, "must not contain your login name") {
			t.Fatalf("weak reset: %d\n%s", st, p)
		}
		const newPW = "silver-orchard-canyon-3361"
		noRedirect := *c
		noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		v := fields(form)
		v.Set("new", newPW)
		v.Set("confirm", newPW)
		resp, err := noRedirect.PostForm(base+"/password/reset", v)
		if st, _ := read(t, resp, err); st != http.StatusSeeOther || resp.Header.Get("Location") != "/password/reset/done" {
			t.Fatalf("reset: %d → %s", st, resp.Header.Get("Location"))
		}
		if _, p := getPage(t, c, base+"/password/reset/done"); !strings.Contains(p, `href="/login"`) {
			t.Fatalf("done page does not lead to sign in:\n%s", p)
		}
		// Single use: the same link again, by GET or POST.
		if st, p := getPage(t, c, link); st != http.StatusBadRequest || !strings.Contains(p, "This link is not valid") {
			t.Fatalf("reused link (GET): %d\n%s", st, p)
		}
		v.Set("new", firstPW+"-again")
		v.Set("confirm", firstPW+"-again")
		if st, p := postPage(t, c, base+"/password/reset", v); st != http.StatusBadRequest || !strings.Contains(p, "This link is not valid") {
			t.Fatalf("reused link (POST): %d\n%s", st, p)
		}
		// The earlier session is over.
		if _, p := getPage(t, old, base+"/"); strings.Contains(p, signedIn) {
			t.Fatal("a session from before the reset survived it")
		}
		if _, p := signIn(t, followingBrowser(), base, "fay", thirdPW); !strings.Contains(p, "Invalid login name or password") {
			t.Fatal("the old password still works")
		}
		if st, p := signIn(t, followingBrowser(), base, "fay", newPW); st != http.StatusOK || !strings.Contains(p, signedIn) {
			t.Fatalf("the new password: %d\n%s", st, p)
		}
		waitMail(t, ms, "fay@example.com", "Your password was changed")
	})
}

// TestResetLinkExpires: a link used after password.resetTTL is refused and
// sets nothing (an injected clock).
func TestResetLinkExpires(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		ms := mailtest.New(t)
		ms.Start("none")
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, Now: clock, PasswordResetTTL: 10 * time.Minute, ForgotFloor: time.Millisecond})
		base := env.Server.URL
		id := createUser(t, env, "gus", model.Person{Email: "gus@example.com"}, firstPW)
		c := followingBrowser()
		forgot(t, c, base, "gus")
		m := waitMail(t, ms, "gus@example.com", "Reset your password")
		if !strings.Contains(m.Text, "within 10 minutes") {
			t.Errorf("mail does not say how long the link works: %q", m.Text)
		}
		// In the recipient's language, lifetime included.
		createUser(t, env, "gisela", model.Person{Email: "gisela@example.com", Language: "de"}, firstPW)
		forgot(t, followingBrowser(), base, "gisela")
		if de := waitMail(t, ms, "gisela@example.com", "Passwort zurücksetzen"); !strings.Contains(de.Text, "innerhalb von 10 Minuten") {
			t.Errorf("German reset mail: %q %q", de.Subject, de.Text)
		}
		link := linkRE.FindString(m.Text)
		_, form := getPage(t, c, link)
		mu.Lock()
		now = now.Add(11 * time.Minute)
		mu.Unlock()
		if st, p := getPage(t, c, link); st != http.StatusBadRequest || !strings.Contains(p, "This link is not valid") {
			t.Fatalf("expired link (GET): %d\n%s", st, p)
		}
		if st, p := submit(t, c, base, "/password/reset", form, url.Values{"new": {secondPW}, "confirm": {secondPW}}); st != http.StatusBadRequest || !strings.Contains(p, "This link is not valid") {
			t.Fatalf("expired link (POST): %d\n%s", st, p)
		}
		u, _ := env.Store.GetUser(context.Background(), id)
		if !env.Svc.PasswordMatches(context.Background(), u.PasswordHash, firstPW) {
			t.Fatal("an expired link set the password")
		}
	})
}

// TestForgotNoEnumeration: the forgot page answers an existing user, an
// unknown name, an inactive user, a delegated user and a user without an
// email with the same status and the same page; only the existing user
// gets a mail; the delegated request is audited with its reason.
func TestForgotNoEnumeration(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		ms := mailtest.New(t)
		ms.Start("none")
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, ForgotFloor: time.Millisecond})
		base := env.Server.URL
		createUser(t, env, "hal", model.Person{Email: "hal@example.com"}, firstPW)
		createUser(t, env, "nomail", model.Person{}, firstPW)
		inactive := createUser(t, env, "ivy", model.Person{Email: "ivy@example.com"}, firstPW)
		env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+inactive+"/deactivate", nil)
		if err := env.Store.UpsertDomain(ctx, model.UserDomain{Name: "IDP", Kind: model.KindDelegated, Placement: model.PlacementEnterprise}); err != nil {
			t.Fatal(err)
		}
		del, err := env.Store.CreateUser(ctx, model.User{LoginName: "jay", TenantID: env.RootID, Domain: "IDP", Kind: model.KindDelegated,
			Status: model.StatusActive, Person: model.Person{Email: "jay@example.com"}, Contexts: []string{env.RootID}})
		if err != nil {
			t.Fatal(err)
		}
		c := followingBrowser()
		wantSt, want := forgot(t, c, base, "hal")
		for _, typed := range []string{"nobody-here", "nobody@example.com", "ivy", "ivy@example.com", "jay", "jay@example.com", "nomail", "hal@example.com"} {
			st, p := forgot(t, c, base, typed)
			if st != wantSt || p != want {
				t.Errorf("%q: %d, want %d; page differs:\n%s\nvs\n%s", typed, st, wantSt, p, want)
			}
		}
		waitMail(t, ms, "hal@example.com", "Reset your password")
		time.Sleep(500 * time.Millisecond) // the worker polls every 50ms
		if n := mailsTo(ms, "hal@example.com"); n != 2 {
			t.Errorf("hal got %d mails, want 2", n)
		}
		for _, r := range []string{"ivy@example.com", "jay@example.com"} {
			if n := mailsTo(ms, r); n != 0 {
				t.Errorf("%s got %d mails", r, n)
			}
		}
		ev, _, err := env.Store.ListAudit(ctx, model.AuditFilter{TargetID: del.ID, Action: "user.password_reset_request"})
		if err != nil || len(ev) != 2 || ev[0].Outcome != model.OutcomeFailure || ev[0].Details["reason"] != "delegated" {
			t.Fatalf("delegated request audit: %v %+v", err, ev)
		}
		// Nothing to reset for them: no link rows.
		if ids, _ := env.Store.UserIDsByEmail(ctx, env.RootID, "jay@example.com", 2); len(ids) != 1 {
			t.Fatalf("setup: %v", ids)
		}
	})
}

// TestResetMailHeaderInjection: CR/LF in a user's name cannot add headers
// or recipients to the reset mail.
func TestResetMailHeaderInjection(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		ms := mailtest.New(t)
		ms.Start("none")
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, ForgotFloor: time.Millisecond})
		id := createUser(t, env, "kim", model.Person{Email: "kim@example.com"}, firstPW)
		// Stored directly: whatever the API lets through, the mail path
		// must hold on its own.
		if _, err := env.Store.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			u.Person.FirstName = "Kim\r\nBcc: evil@example.com\r\nX-Injected: yes"
			u.Person.LastName = "Lee\nSubject: pwned"
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		forgot(t, followingBrowser(), env.Server.URL, "kim")
		m := waitMail(t, ms, "kim@example.com", "Reset your password")
		for _, h := range []string{"Bcc", "X-Injected"} {
			if v := m.Header.Get(h); v != "" {
				t.Errorf("injected header %s: %q", h, v)
			}
		}
		if len(m.Header["Subject"]) != 1 {
			t.Errorf("subjects: %q", m.Header["Subject"])
		}
		for _, r := range ms.Received() {
			if len(r.Rcpt) != 1 || r.Rcpt[0] != "kim@example.com" {
				t.Errorf("recipients: %v", r.Rcpt)
			}
		}
	})
}

// TestForgotThrottled: repeated forgot requests for one account cannot
// flood its mailbox (the brute-force limiter, per account and source);
// every answer is still the same page.
func TestForgotThrottled(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ms := mailtest.New(t)
		ms.Start("none")
		cfg := throttle.DefaultConfig()
		cfg.Account = throttle.Policy{Free: 2, LockAfter: 3}
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, Throttle: &cfg, ForgotFloor: time.Millisecond})
		base := env.Server.URL
		createUser(t, env, "lou", model.Person{Email: "lou@example.com"}, firstPW)
		c := followingBrowser()
		wantSt, want := forgot(t, c, base, "lou")
		for range 9 {
			if st, p := forgot(t, c, base, "lou"); st != wantSt || p != want {
				t.Fatalf("throttled answer differs: %d\n%s", st, p)
			}
		}
		waitMail(t, ms, "lou@example.com", "Reset your password")
		time.Sleep(500 * time.Millisecond)
		if n := mailsTo(ms, "lou@example.com"); n < 1 || n > 3 {
			t.Errorf("10 requests sent %d mails, want at most 3", n)
		}
	})
}

// TestForgotInTenant: on a tenant's login page the forgot link keeps the
// tenant; a plain name or an email typed there is that tenant's user (as
// on the login page), never another tenant's or root's.
func TestForgotInTenant(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ms := mailtest.New(t)
		ms.Start("none")
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, ForgotFloor: time.Millisecond})
		base := env.Server.URL
		ad := env.Admin()
		tenant := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Acme", "slug": "acme", "parentId": env.RootID})
		ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "otto", "domain": "ENTERPRISE", "contexts": []string{tenant},
			"status": "active", "password": firstPW, "person": map[string]any{"email": "otto@example.com"}})
		c := followingBrowser()
		_, login := getPage(t, c, base+"/login?tenant=acme")
		if !strings.Contains(login, `href="/password/forgot?tenant=acme"`) {
			t.Fatalf("the forgot link loses the tenant:\n%s", login)
		}
		_, form := getPage(t, c, base+"/password/forgot?tenant=acme")
		if !strings.Contains(form, `name="tenant" value="acme"`) {
			t.Fatalf("forgot form without the tenant:\n%s", form)
		}
		// At root, neither the name nor the email is Otto's.
		forgot(t, c, base, "otto")
		forgot(t, c, base, "otto@example.com")
		for _, typed := range []string{"otto", "otto@example.com"} {
			if st, _ := postPage(t, c, base+"/password/forgot", url.Values{"login": {typed}, "tenant": {"acme"}}); st != http.StatusOK {
				t.Fatalf("%s: %d", typed, st)
			}
		}
		waitMail(t, ms, "otto@example.com", "Reset your password")
		time.Sleep(500 * time.Millisecond)
		if n := mailsTo(ms, "otto@example.com"); n != 2 {
			t.Errorf("otto got %d mails, want 2 (the tenant's requests only)", n)
		}
	})
}

// TestAccountLockedMail (R-PWD-3, R-MSG-1 account_locked): the failed
// sign-in that locks an account mails its owner once, in their language;
// further failures during the lock and wrong names send nothing.
func TestAccountLockedMail(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ms := mailtest.New(t)
		ms.Start("none")
		cfg := throttle.DefaultConfig()
		cfg.Account = throttle.Policy{Free: 1, LockAfter: 3}
		cfg.BaseDelay, cfg.MaxDelay = time.Millisecond, 5*time.Millisecond // no waiting between tries
		env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, Throttle: &cfg})
		base := env.Server.URL
		createUser(t, env, "lena", model.Person{Email: "lena@example.com", Language: "de"}, firstPW)
		for range 5 {
			signIn(t, followingBrowser(), base, "lena", "not-her-password-1")
			time.Sleep(10 * time.Millisecond)
		}
		signIn(t, followingBrowser(), base, "nobody-here", "not-a-password-1")
		m := waitMail(t, ms, "lena@example.com", "Ihr Konto ist gesperrt")
		if !strings.Contains(m.Text, "lena") || !strings.Contains(m.Text, "gesperrt") {
			t.Errorf("lock mail: %q", m.Text)
		}
		time.Sleep(300 * time.Millisecond)
		if n := mailsTo(ms, "lena@example.com"); n != 1 {
			t.Errorf("%d mails for one lock, want 1", n)
		}
		if n := len(ms.Received()); n != 1 {
			t.Errorf("%d mails in all, want 1", n)
		}
	})
}
