package app_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/config"
)

func run(args []string, env map[string]string) (int, string, string) {
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), app.Env{Args: args, Stdout: &out, Stderr: &errb, Getenv: envFrom(env)})
	return code, out.String(), errb.String()
}

// TestServeHelpListsFlagsAndEnvironment: `serve --help` names every flag
// and every environment variable, on stdout, exit 0.
func TestServeHelpListsFlagsAndEnvironment(t *testing.T) {
	code, out, _ := run([]string{"serve", "--help"}, nil)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-addr", "-management-addr", "-config", "-data-dir", "-insecure-plaintext-keys"} {
		if !strings.Contains(out, "  "+f) {
			t.Errorf("flag %s missing:\n%s", f, out)
		}
	}
	for _, v := range config.EnvVars() {
		if !strings.Contains(out, v.Name) {
			t.Errorf("variable %s missing", v.Name)
		}
	}
}

// TestBadFlagReportedOnce: an unknown flag is one line, not the error and
// then a usage dump and the error again.
func TestBadFlagReportedOnce(t *testing.T) {
	code, out, errs := run([]string{"serve", "--adrr", "x"}, nil)
	if code == 0 || out != "" || strings.Count(errs, "adrr") != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestTakenAddressLeavesNoDataDir: a listen address in use stops serve
// before a new data directory is created.
func TestTakenAddressLeavesNoDataDir(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := filepath.Join(t.TempDir(), "fresh")
	code, _, errs := run([]string{"serve", "--addr", ln.Addr().String(), "--management-addr", "off", "--data-dir", dir}, nil)
	if code == 0 || !strings.Contains(errs, "server.addr") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the data directory was created: %v", err)
	}
	// The same for the management listener.
	code, _, errs = run([]string{"serve", "--addr", "127.0.0.1:0", "--management-addr", ln.Addr().String(), "--data-dir", dir}, nil)
	if code == 0 || !strings.Contains(errs, "server.managementAddr") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the data directory was created: %v", err)
	}
}
