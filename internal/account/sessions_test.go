package account_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// handles are the session handles listed on an account page.
func handles(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `data-session="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// TestSessions (issue 9 §3.3): the page lists the user's own live
// sessions with this one marked and no stored id in full; ending one of
// them ends that session only and tells its app (back-channel logout);
// "everywhere else" ends all but this one.
func TestSessions(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		here, second, third := f.browser(t, "en"), f.browser(t, "en"), f.browser(t, "en")
		here.login("carol", carolPW)
		second.login("carol", carolPW)
		third.login("carol", carolPW)
		app := f.newRP(t)
		app.tokens(t, f.ctx, second)
		f.browser(t, "en").login("dave", davePW)

		p := here.get("/account")
		hs := handles(p.body)
		if len(hs) != 3 || !strings.Contains(p.body, `<tr data-session="`+hs[0]+`" class="current">`) || strings.Count(p.body, "This session") != 1 ||
			!strings.Contains(p.body, "<td>127.0.0.1</td>") {
			t.Fatalf("sessions listed: %v\n%s", hs, p.body)
		}
		for _, s := range f.sessions(t, f.carol) {
			if strings.Contains(p.body, s.ID) {
				t.Error("a stored session id is shown in full")
			}
		}
		// The second browser's session: its handle is the one the second
		// browser's own page marks current.
		secondHandle := handles(second.get("/account").body)[0]
		p = here.post("/account/sessions/end", url.Values{"session": {secondHandle}})
		if p.url.RawQuery != "done=session" || !strings.Contains(p.body, "The session was ended.") {
			t.Fatalf("end one: %d %s", p.status, p.url)
		}
		if second.signedIn() || !third.signedIn() || !here.signedIn() {
			t.Errorf("after ending one: second %v third %v here %v", second.signedIn(), third.signedIn(), here.signedIn())
		}
		eventually(t, "the ended session's app's back-channel logout", func() bool { return app.logoutCount() >= 1 })
		// Everywhere else.
		p = here.post("/account/sessions/end", url.Values{"others": {"1"}})
		if p.url.RawQuery != "done=sessions" || third.signedIn() || !here.signedIn() {
			t.Fatalf("end others: %d %s, third %v", p.status, p.url, third.signedIn())
		}
		if hs := handles(here.get("/account").body); len(hs) != 1 {
			t.Errorf("%d sessions listed after ending the others", len(hs))
		}
	})
}

// TestEndOtherUsersSession (IDOR): a user cannot end another user's
// session, whatever handle or id is posted; nothing changes and the
// answer is 404.
func TestEndOtherUsersSession(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		carol, dave := f.browser(t, "en"), f.browser(t, "en")
		carol.login("carol", carolPW)
		dave.login("dave", davePW)
		daveHandle := handles(dave.get("/account").body)[0]
		daveID := f.sessions(t, f.dave)[0].ID
		for _, v := range []string{daveHandle, daveID, strings.ToUpper(daveHandle), daveHandle[:8], "", "../" + daveHandle} {
			p := carol.post("/account/sessions/end", url.Values{"session": {v}})
			if p.status != http.StatusNotFound || !strings.Contains(p.body, "There is no such session of yours.") {
				t.Errorf("ending %q: %d", v, p.status)
			}
		}
		if !dave.signedIn() || len(f.sessions(t, f.dave)) != 1 {
			t.Fatal("carol ended dave's session")
		}
		// The directory checks the owner too, whatever the page did.
		if _, err := f.env.Svc.EndOwnSessions(f.ctx, f.carol, daveID, ""); err == nil {
			t.Error("the directory ended another user's session")
		}
		if !dave.signedIn() {
			t.Fatal("dave's session ended")
		}
	})
}
