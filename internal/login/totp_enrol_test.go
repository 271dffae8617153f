package login_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

var secretRE = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`)

// TestAccountResetForcesTOTPEnrolment (seed 003, issue 9 §2.3): after an
// admin "resets the account", the next login asks for a new password and
// then for a new authenticator app — the recovery codes are shown once —
// before any session exists; the login after that asks the new app's code.
func TestAccountResetForcesTOTPEnrolment(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			tf := config.DefaultTwoFactor()
			tf.TOTPAllowed = true
			env := sesametest.NewWith(t, backend, sesametest.Options{TwoFactor: &tf})
			base := env.Server.URL
			id := createUser(t, env, "rita", model.Person{Email: "rita@example.com"}, firstPW)
			temp, _ := env.Admin().Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/reset", nil).Map(t)["temporaryPassword"].(string)
			if temp == "" {
				t.Fatal("no temporary password")
			}
			c := followingBrowser()
			_, p := signIn(t, c, base, "rita", temp)
			if !isChangePage(p) {
				t.Fatalf("no change page after the reset:\n%s", p)
			}
			_, p = submit(t, c, base, "/login", p, url.Values{"new": {secondPW}, "confirm": {secondPW}})
			m := secretRE.FindStringSubmatch(p)
			if m == nil || !strings.Contains(p, `value="totp-enrol"`) || strings.Contains(p, signedIn) {
				t.Fatalf("no enrolment page after the new password:\n%s", p)
			}
			// A wrong code keeps the same secret; no session yet.
			st, p2 := submit(t, c, base, "/login", p, url.Values{"code": {"000000"}})
			if st != http.StatusBadRequest || secretRE.FindStringSubmatch(p2)[1] != m[1] {
				t.Fatalf("wrong code: %d, same secret %v", st, secretRE.FindStringSubmatch(p2))
			}
			if n := len(mustSessions(t, env, id)); n != 0 {
				t.Fatalf("%d sessions before the enrolment", n)
			}
			code, err := totp.GenerateCode(m[1], time.Now())
			if err != nil {
				t.Fatal(err)
			}
			st, p = submit(t, c, base, "/login", p2, url.Values{"code": {code}})
			codes := regexp.MustCompile(`<li><code>([^<]+)</code></li>`).FindAllStringSubmatch(p, -1)
			if st != http.StatusOK || len(codes) != 10 {
				t.Fatalf("recovery codes page: %d, %d codes\n%s", st, len(codes), p)
			}
			next := regexp.MustCompile(`href="(/login\?flow=[^"]+)" id="codes-done"`).FindStringSubmatch(p)
			if next == nil {
				t.Fatalf("no continue link:\n%s", p)
			}
			_, p = getPage(t, c, base+strings.ReplaceAll(next[1], "&amp;", "&"))
			if !strings.Contains(p, signedIn) {
				t.Fatalf("not signed in after the codes:\n%s", p)
			}
			ss := mustSessions(t, env, id)
			if len(ss) != 1 || strings.Join(ss[0].AMR, " ") != "pwd otp mfa" {
				t.Errorf("session after enrolment: %+v", ss)
			}
			u, _ := env.Store.GetUser(t.Context(), id)
			if u.TOTPMustEnrol || u.PasswordMustChange {
				t.Errorf("flags left set: %+v", u)
			}
			// Next login: the new app's code is asked, not a new enrolment.
			_, p = signIn(t, followingBrowser(), base, "rita", secondPW)
			if !strings.Contains(p, `value="totp"`) {
				t.Errorf("second login does not ask the app's code:\n%s", p)
			}
		})
	}
}

func mustSessions(t *testing.T, env *sesametest.Env, id string) []model.Session {
	t.Helper()
	ss, err := env.Store.ListUserSessions(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}
