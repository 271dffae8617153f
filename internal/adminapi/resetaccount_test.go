package adminapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestResetAccount (issue 9 §2.3, seed 003): "reset the account" needs
// the password reset right and "2FA settings - Modify" (tina, who may only
// reset passwords, gets 403 and changes nothing); tom's reset returns a
// temporary password once, removes the authenticator app and recovery
// codes, ends the user's sessions, and the next login with the temporary
// password asks for a new one. PUT …/password with mustChange forces the
// change too.
func TestResetAccount(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ta := newTenantAdmin(t, backend)
			ctx := context.Background()
			tom := ta.env.As("tenant-one/tom", pw)
			now := time.Now()
			if err := ta.env.Store.PutTOTP(ctx, storage.TOTPEnrolment{UserID: ta.ursula, Secret: []byte("s"), CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if err := ta.env.Store.ConfirmTOTP(ctx, ta.ursula, 1, now); err != nil {
				t.Fatal(err)
			}
			if err := ta.env.Store.ReplaceRecoveryCodes(ctx, ta.ursula, [][]byte{[]byte("a"), []byte("b")}, now); err != nil {
				t.Fatal(err)
			}
			// ursula is signed in in a browser.
			jar, _ := cookiejar.New(nil)
			b := &http.Client{Jar: jar}
			resp, err := b.PostForm(ta.env.Server.URL+"/login", url.Values{"username": {"tenant-one/ursula"}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			signedIn := func() bool {
				r, err := b.Get(ta.env.Server.URL + "/")
				if err != nil {
					t.Fatal(err)
				}
				defer r.Body.Close()
				return r.Request.URL.Path == "/"
			}
			if !signedIn() {
				t.Fatal("setup: ursula is not signed in")
			}
			// Password reset right only: refused, nothing changed.
			ta.tinaC.Must(http.StatusForbidden, "POST", "/api/v1/users/"+ta.ursula+"/reset", nil)
			if _, err := ta.env.Store.GetTOTP(ctx, ta.ursula); err != nil {
				t.Fatalf("a refused reset removed the authenticator: %v", err)
			}
			if !signedIn() {
				t.Fatal("a refused reset ended the session")
			}
			r := tom.Must(http.StatusOK, "POST", "/api/v1/users/"+ta.ursula+"/reset", nil).Map(t)
			temp, _ := r["temporaryPassword"].(string)
			if len(temp) < 12 || r["sessionsEnded"] != float64(1) {
				t.Fatalf("answer: %v", r)
			}
			if _, err := ta.env.Store.GetTOTP(ctx, ta.ursula); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("authenticator kept: %v", err)
			}
			if n, _ := ta.env.Store.RecoveryCodesLeft(ctx, ta.ursula); n != 0 {
				t.Errorf("%d recovery codes kept", n)
			}
			if signedIn() {
				t.Error("the session survived the account reset")
			}
			u, _ := ta.env.Store.GetUser(ctx, ta.ursula)
			if !u.PasswordMustChange || ta.env.Svc.PasswordMatches(ctx, u.PasswordHash, pw) || !ta.env.Svc.PasswordMatches(ctx, u.PasswordHash, temp) {
				t.Fatalf("after the reset: mustChange %v", u.PasswordMustChange)
			}
			if audit := ta.env.Admin().Must(200, "GET", "/api/v1/audit?targetId="+ta.ursula, nil); !strings.Contains(string(audit.Body), `"user.account_reset"`) ||
				strings.Contains(string(audit.Body), temp) {
				t.Errorf("audit: %s", audit.Body)
			}
			// The next login with the temporary password asks for a new one.
			resp, err = b.PostForm(ta.env.Server.URL+"/login", url.Values{"username": {"tenant-one/ursula"}, "password": {temp}})
			if err != nil {
				t.Fatal(err)
			}
			buf := new(strings.Builder)
			_, _ = io.Copy(buf, resp.Body)
			resp.Body.Close()
			if !strings.Contains(buf.String(), `value="password_change"`) {
				t.Fatalf("login with the temporary password:\n%s", buf)
			}
			// The set-password route forces a change when asked to.
			tom.Must(http.StatusNoContent, "PUT", "/api/v1/users/"+ta.uma+"/password", map[string]any{"password": "granite-bellows-ninety-7", "mustChange": true})
			if u, _ := ta.env.Store.GetUser(ctx, ta.uma); !u.PasswordMustChange {
				t.Error("mustChange not stored")
			}
			tom.Must(http.StatusNoContent, "PUT", "/api/v1/users/"+ta.uma+"/password", map[string]any{"password": "granite-bellows-ninety-8"})
			if u, _ := ta.env.Store.GetUser(ctx, ta.uma); u.PasswordMustChange {
				t.Error("mustChange kept by a plain set")
			}
		})
	}
}
