package declarative_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestApplyPlainPasswordPolicy (issue 9 §2.1): a plain password in `sesame
// apply` meets the password policy, on create and on update, and a refused
// one applies nothing; a passwordHash is an operator's import and is not
// subject to it (it cannot be checked).
func TestApplyPlainPasswordPolicy(t *testing.T) {
	doc := func(pw string) declarative.Document {
		d, err := declarative.Parse(strings.NewReader(`
contexts:
  - {ref: acme, type: account, name: Acme, parent: root}
users:
  - {login: erin, domain: ENTERPRISE, contexts: [acme], status: active, password: "` + pw + `"}
`))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			_, svc := open(t, backend)
			for _, w := range []struct{ pw, code string }{{"erin-is-my-name", "contains_login"}, {"iloveyou1234", "common"}, {"tiny", "too_short"}} {
				_, err := declarative.Apply(ctx, svc, doc(w.pw))
				if err == nil || !strings.Contains(err.Error(), "users[0]") || !strings.Contains(err.Error(), w.code+": ") {
					t.Fatalf("create with %q: %v, want users[0] and %s", w.pw, err, w.code)
				}
			}
			if _, err := svc.Authn().Authenticate(ctx, "erin", "erin-is-my-name"); !errors.Is(err, authn.ErrBadCredentials) {
				t.Fatalf("a refused apply created erin: %v", err)
			}
			if _, err := declarative.Apply(ctx, svc, doc("cobalt-meadow-drum-123")); err != nil {
				t.Fatal(err)
			}
			if _, err := declarative.Apply(ctx, svc, doc("erin-is-my-name")); err == nil || !strings.Contains(err.Error(), "contains_login: ") {
				t.Fatalf("update to a weak password: %v", err)
			}
		})
	}
}
