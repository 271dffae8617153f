package app_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// docBlocks returns the shell blocks of a markdown file marked for test
// name: a "<!-- test: name -->" line right before a ```sh fence.
func docBlocks(t *testing.T, file, name string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- test: " + regexp.QuoteMeta(name) + " -->\n```sh\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("%s has no block marked <!-- test: %s -->", file, name)
	}
	return strings.Join(out, "\n")
}

// runShell runs script with bash -euo pipefail from the repository root,
// failing the test (with the output) when it fails.
func runShell(t *testing.T, script string, env map[string]string, timeout time.Duration) string {
	t.Helper()
	out, code := runShellFor(t, script, env, timeout)
	if code != 0 {
		t.Fatalf("the commands failed (exit %d):\n%s", code, out)
	}
	return out
}

// runShellStatus runs script and returns its output and exit status.
func runShellStatus(t *testing.T, script string, env map[string]string) (string, int) {
	return runShellFor(t, script, env, 3*time.Minute)
}

func runShellFor(t *testing.T, script string, env map[string]string, timeout time.Duration) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return string(out), 0
}

// listen holds a loopback port for the test and returns its address.
func listen(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// TestQuickstartDocs runs the commands of each docs/quickstart-*.md
// against a fresh server and checks what they print.
func TestQuickstartDocs(t *testing.T) {
	s := serveAll(t, []string{"--data-dir", t.TempDir()}, map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": backupAdminPW})
	env := map[string]string{"SESAME": s.base, "ADMIN": "admin:" + backupAdminPW, "APP_URL": "http://" + freeAddr(t), "TMPDIR": t.TempDir()}
	for _, c := range []struct {
		doc, name string
		want      []string
	}{
		{"quickstart-cas.md", "cas", []string{"https://wiki.example.com/home?ticket=ST-", "INVALID_TICKET"}},
		{"quickstart-oidc.md", "oidc", []string{"Hello Dana Scully (dana@team.example), subject "}},
		{"quickstart-spa.md", "spa", []string{"Access-Control-Allow-Origin: https://app.example.com", "Bearer\ntrue\nportal\ntrue\ninvalid_grant"}},
		{"quickstart-portal.md", "portal", []string{`{"allow":true,"via":"basic","user":"fleet-bot","acl":true}`,
			`{"allow":false,"reason":"access denied"}`, `{"allow":true,"via":"apikey"}`, "invalid credentials", "403"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := runShell(t, docBlocks(t, filepath.Join("..", "..", "docs", c.doc), c.name), env, 2*time.Minute)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
