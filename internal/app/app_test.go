package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func envFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// serve starts `sesame serve` in-process on a free port and returns its
// base URL, its stderr and a stop function.
func serve(t *testing.T, args []string, env map[string]string) (string, *syncBuf, func()) {
	t.Helper()
	s := serveAll(t, args, env)
	return s.base, s.stderr, s.stop
}

// served is a running `sesame serve`.
type served struct {
	base, management string // http://host:port of the main and the management listener
	stderr           *syncBuf
	stop             func()
}

// serveAll starts `sesame serve` in-process, both listeners on free ports.
func serveAll(t *testing.T, args []string, env map[string]string) served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, mready := make(chan string, 1), make(chan string, 1)
	stderr := &syncBuf{}
	done := make(chan int, 1)
	go func() {
		done <- app.Main(ctx, app.Env{Args: append([]string{"serve", "--addr", "127.0.0.1:0", "--management-addr", "127.0.0.1:0"}, args...),
			Stdout: io.Discard, Stderr: stderr, Getenv: envFrom(env), Ready: ready, ManagementReady: mready})
	}()
	select {
	case addr := <-ready:
		var once sync.Once
		stop := func() {
			once.Do(func() {
				cancel()
				select {
				case <-done:
				case <-time.After(15 * time.Second):
					t.Error("server did not stop")
				}
			})
		}
		t.Cleanup(stop)
		return served{base: "http://" + addr, management: "http://" + <-mready, stderr: stderr, stop: stop}
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	return served{}
}

func get(t *testing.T, url, user, pw string) (int, map[string]any) {
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestServeZeroConfig is the README's first command: no configuration, an
// embedded SQLite database, a one-time admin password printed once.
func TestServeZeroConfig(t *testing.T) {
	dir := t.TempDir()
	url, stderr, stop := serve(t, []string{"--data-dir", dir}, map[string]string{})
	if code, m := get(t, url+"/healthz", "", ""); code != 200 || m["status"] != "ok" {
		t.Fatalf("healthz: %d %v", code, m)
	}
	if code, _ := get(t, url+"/readyz", "", ""); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no bootstrap password printed: %s", stderr.String())
	}
	if code, me := get(t, url+"/api/v1/me", "admin", m[1]); code != 200 || me["loginName"] != "admin" {
		t.Fatalf("bootstrap admin cannot log in: %d %v", code, me)
	}
	if code, _ := get(t, url+"/api/v1/me", "admin", "admin"); code != 401 {
		t.Fatalf("a fixed default password works: %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "sesame.db")); err != nil {
		t.Fatalf("no SQLite database in the data dir: %v", err)
	}
	stop()
	// Second start: same data, no new password printed.
	_, stderr2, _ := serve(t, []string{"--data-dir", dir}, map[string]string{})
	if strings.Contains(stderr2.String(), "password:") {
		t.Fatal("a second start printed a new admin password")
	}
}

// TestServePostgresConfig: --config with a postgres:// URL runs on
// PostgreSQL, and SESAME_BOOTSTRAP_ADMIN_PASSWORD sets the admin password.
func TestServePostgresConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "sesame.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("database:\n  url: %q\nlog:\n  format: json\n", pgtest.DSN(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	url, stderr, _ := serve(t, []string{"--config", cfg}, map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": "a-chosen-root-passphrase", "SESAME_MASTER_KEY": testMasterKey})
	if code, me := get(t, url+"/api/v1/me", "admin", "a-chosen-root-passphrase"); code != 200 || me["domain"] != "CSP" {
		t.Fatalf("admin on postgres: %d %v", code, me)
	}
	if !strings.Contains(stderr.String(), `"store":"postgres"`) {
		t.Fatalf("not running on postgres: %s", stderr.String())
	}
	if strings.Contains(stderr.String(), "a-chosen-root-passphrase") {
		t.Fatal("the admin password was logged")
	}
}

func TestBadConfigListsEveryProblem(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "sesame.yaml")
	_ = os.WriteFile(cfg, []byte("server:\n  addr: nonsense\nlog:\n  level: loud\ndatabase:\n  url: mysql://x\n"), 0o600)
	var stderr bytes.Buffer
	code := app.Main(context.Background(), app.Env{Args: []string{"serve", "--config", cfg}, Stdout: io.Discard, Stderr: &stderr, Getenv: envFrom(nil)})
	if code == 0 {
		t.Fatal("bad config accepted")
	}
	for _, key := range []string{"server.addr", "log.level", "database.url"} {
		if !strings.Contains(stderr.String(), key) {
			t.Errorf("error does not name %s: %s", key, stderr.String())
		}
	}
	stderr.Reset()
	_ = os.WriteFile(cfg, []byte("sever:\n  addr: x\n"), 0o600)
	if app.Main(context.Background(), app.Env{Args: []string{"serve", "--config", cfg}, Stdout: io.Discard, Stderr: &stderr, Getenv: envFrom(nil)}) == 0 || !strings.Contains(stderr.String(), "sever") {
		t.Errorf("unknown key not named: %s", stderr.String())
	}
}

// TestApplyExportCommands runs `sesame apply -f` twice and `sesame export`.
func TestApplyExportCommands(t *testing.T) {
	dir := t.TempDir()
	env := envFrom(map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": "a-chosen-root-passphrase"})
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := app.Main(context.Background(), app.Env{Args: args, Stdout: &out, Stderr: &errb, Getenv: env})
		return code, out.String(), errb.String()
	}
	demo := filepath.Join("..", "..", "examples", "demo.yaml")
	if code, out, errs := run("apply", "-f", demo, "--data-dir", dir); code != 0 || !strings.Contains(out, "created") {
		t.Fatalf("apply: %d %s %s", code, out, errs)
	}
	if code, out, _ := run("apply", "-f", demo, "--data-dir", dir); code != 0 || !strings.Contains(out, "0 created, 0 updated") {
		t.Fatalf("second apply not idempotent: %d %s", code, out)
	}
	code, out, errs := run("export", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "login: alice") || !strings.Contains(out, "Telco One") {
		t.Fatalf("export: %d %s %s", code, out, errs)
	}
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("contexts:\n  - {type: account, name: X, parent: nowhere}\n"), 0o600)
	if code, _, errs := run("apply", "-f", bad, "--data-dir", dir); code == 0 || !strings.Contains(errs, "nothing was applied") {
		t.Fatalf("bad apply: %d %s", code, errs)
	}
}

// TestMasterKeyMustBe32Bytes: a malformed SESAME_MASTER_KEY stops start-up
// with a message saying what is expected.
func TestMasterKeyMustBe32Bytes(t *testing.T) {
	var stderr syncBuf
	code := app.Main(context.Background(), app.Env{Args: []string{"serve", "--addr", "127.0.0.1:0", "--management-addr", "127.0.0.1:0", "--data-dir", t.TempDir()},
		Stdout: io.Discard, Stderr: &stderr, Getenv: envFrom(map[string]string{"SESAME_MASTER_KEY": "c2hvcnQ="})})
	if code == 0 || !strings.Contains(stderr.String(), "SESAME_MASTER_KEY must be 32 bytes") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
