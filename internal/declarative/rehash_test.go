package declarative_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestImportedHashUpgradedAtLogin (issue 9 §2.4): a user applied with a
// bcrypt hash, and one with an argon2id hash at older parameters, sign in
// (the login page, HTTP Basic); their stored hashes are then argon2id at
// the hasher's current parameters, the change is audited, and the next
// logins still work, on SQLite and PostgreSQL.
func TestImportedHashUpgradedAtLogin(t *testing.T) {
	const pw = "imported-secret-phrase-9"
	bc, err := bcrypt.GenerateFromPassword([]byte(pw), 10)
	if err != nil {
		t.Fatal(err)
	}
	older := sesametest.FastHash
	older.Memory = 2 * older.Memory // within the accepted band, not the current defaults
	oldArgon, err := password.New(older, 1).Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := declarative.Parse(strings.NewReader(`
contexts:
  - {ref: t1, type: tenant, name: Imports, slug: imp, parent: root}
users:
  - {login: bcuser, domain: ENTERPRISE, contexts: [t1], status: active, passwordHash: "` + string(bc) + `"}
  - {login: oldargon, domain: ENTERPRISE, contexts: [t1], status: active, passwordHash: "` + oldArgon + `"}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			env := sesametest.New(t, backend)
			if _, err := declarative.Apply(ctx, env.Svc, doc); err != nil {
				t.Fatal(err)
			}
			stored := func(login string) model.User {
				u, err := env.Store.UserBySlugLogin(ctx, "imp", login)
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			current := "$argon2id$v=19$m=64,t=1,p=1$"
			for login, signIn := range map[string]func(login string) bool{
				"bcuser":   func(l string) bool { return formLogin(t, env, "imp/"+l, pw) },
				"oldargon": func(l string) bool { return env.As("imp/"+l, pw).Do("GET", "/api/v1/me", nil).Status == http.StatusOK },
			} {
				before := stored(login)
				if strings.HasPrefix(before.PasswordHash, current) {
					t.Fatalf("%s: stored hash already current: %s", login, before.PasswordHash)
				}
				if signIn(login + "-typo") {
					t.Fatalf("%s: unknown login signed in", login)
				}
				if !signIn(login) {
					t.Fatalf("%s: first sign-in with the imported hash failed", login)
				}
				after := stored(login)
				if !strings.HasPrefix(after.PasswordHash, current) {
					t.Fatalf("%s: stored hash not upgraded: %s", login, after.PasswordHash)
				}
				if !signIn(login) {
					t.Fatalf("%s: sign-in after the upgrade failed", login)
				}
				if again := stored(login); again.PasswordHash != after.PasswordHash {
					t.Fatalf("%s: a current hash was rehashed again", login)
				}
				evs, _, err := env.Store.ListAudit(ctx, model.AuditFilter{TargetID: after.ID, Action: "user.password_rehashed"})
				if err != nil {
					t.Fatal(err)
				}
				if len(evs) != 1 {
					t.Fatalf("%s: %d user.password_rehashed events, want 1", login, len(evs))
				}
			}
		})
	}
}

// formLogin posts the login page and reports whether it signed in (a
// redirect), without following it.
func formLogin(t *testing.T, env *sesametest.Env, login, pass string) bool {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(env.Server.URL+"/login", url.Values{"username": {login}, "password": {pass}, "return": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusSeeOther
}
