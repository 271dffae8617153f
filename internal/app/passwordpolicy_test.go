package app_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/password"
)

// TestBootstrapRefusesWeakAdminPassword (issue 9 §2.1): a weak
// SESAME_BOOTSTRAP_ADMIN_PASSWORD stops start-up with a message naming the
// variable and the broken rules, before anything is created (first start
// only); the policy comes from password.* (env here).
func TestBootstrapRefusesWeakAdminPassword(t *testing.T) {
	for _, tc := range []struct{ pw, want string }{
		{"admin-password-123", "contains_login"},
		{"password1234", "common"},
		{"short-one", "too_short"},
		{"fourteen-chars", "too_short"}, // with SESAME_PASSWORD_MIN_LENGTH=16
	} {
		dir := t.TempDir()
		var stderr syncBuf
		code := app.Main(context.Background(), app.Env{Args: []string{"serve", "--addr", "127.0.0.1:0", "--management-addr", "127.0.0.1:0", "--data-dir", dir},
			Stdout: io.Discard, Stderr: &stderr, Getenv: envFrom(map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": tc.pw, "SESAME_PASSWORD_MIN_LENGTH": "16"})})
		if code == 0 || !strings.Contains(stderr.String(), "SESAME_BOOTSTRAP_ADMIN_PASSWORD does not meet the password policy") || !strings.Contains(stderr.String(), tc.want+": ") {
			t.Errorf("%q: exit %d: %s", tc.pw, code, stderr.String())
		}
		if strings.Contains(stderr.String(), tc.pw) {
			t.Errorf("%q: the refused password was printed", tc.pw)
		}
	}
	// Only the first start uses the variable: on a bootstrapped store a weak
	// one left set is ignored, as before.
	dir := t.TempDir()
	doc := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(doc, []byte("contexts: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"a-chosen-root-passphrase", "password1234"} {
		var out, errb bytes.Buffer
		if code := app.Main(context.Background(), app.Env{Args: []string{"apply", "-f", doc, "--data-dir", dir}, Stdout: &out, Stderr: &errb,
			Getenv: envFrom(map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": pw})}); code != 0 {
			t.Fatalf("apply with %q on a bootstrapped store: %d %s", pw, code, errb.String())
		}
	}
	var stderr syncBuf
	code := app.Main(context.Background(), app.Env{Args: []string{"serve", "--addr", "127.0.0.1:0", "--management-addr", "127.0.0.1:0", "--data-dir", t.TempDir()},
		Stdout: io.Discard, Stderr: &stderr, Getenv: envFrom(map[string]string{"SESAME_PASSWORD_MIN_LENGTH": "5"})})
	if code == 0 || !strings.Contains(stderr.String(), "password.minLength: must be between 8") {
		t.Errorf("SESAME_PASSWORD_MIN_LENGTH=5: exit %d: %s", code, stderr.String())
	}
}

// TestGeneratedAdminPasswordMeetsPolicy: without
// SESAME_BOOTSTRAP_ADMIN_PASSWORD the generated one passes the configured
// policy, even a longer minimum than its usual 20 characters.
func TestGeneratedAdminPasswordMeetsPolicy(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(doc, []byte("contexts: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), app.Env{Args: []string{"apply", "-f", doc, "--data-dir", dir}, Stdout: &out, Stderr: &errb,
		Getenv: envFrom(map[string]string{"SESAME_PASSWORD_MIN_LENGTH": "32"})})
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(errb.String())
	if code != 0 || m == nil {
		t.Fatalf("apply: %d %s", code, errb.String())
	}
	p := password.DefaultPolicy()
	p.MinLength = 32
	if v := p.Check(m[1], password.Subject{LoginName: "admin"}); len(v) != 0 {
		t.Fatalf("generated %q: %v", m[1], v)
	}
}
