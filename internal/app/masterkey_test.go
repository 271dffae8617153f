package app_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

// testMasterKey is a fixed SESAME_MASTER_KEY for tests (32 bytes, base64).
const testMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// TestPostgresRefusesPlaintextKeys (issue 8 item 16): on PostgreSQL,
// `serve` without SESAME_MASTER_KEY does not start (the signing keys would
// be stored in plain text); --insecure-plaintext-keys starts with a warning.
func TestPostgresRefusesPlaintextKeys(t *testing.T) {
	dsn := pgtest.DSN(t)
	env := map[string]string{"SESAME_DATABASE_URL": dsn, "SESAME_BOOTSTRAP_ADMIN_PASSWORD": "slate-harbor-quill-123"}
	var stderr syncBuf
	// If it starts anyway, Ready fires and the context is cancelled: the
	// test fails instead of hanging.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	go func() { <-ready; cancel() }()
	code := app.Main(ctx, app.Env{Args: []string{"serve", "--addr", "127.0.0.1:0", "--management-addr", "127.0.0.1:0"},
		Stdout: io.Discard, Stderr: &stderr, Getenv: envFrom(env), Ready: ready})
	if code != 1 || !strings.Contains(stderr.String(), "SESAME_MASTER_KEY is not set") || !strings.Contains(stderr.String(), "--insecure-plaintext-keys") {
		t.Fatalf("started on PostgreSQL without a master key: exit %d: %s", code, stderr.String())
	}
	url, log, _ := serve(t, []string{"--insecure-plaintext-keys"}, env)
	if c, _ := get(t, url+"/healthz", "", ""); c != 200 {
		t.Fatalf("healthz with --insecure-plaintext-keys: %d", c)
	}
	if !strings.Contains(log.String(), "INSECURE") {
		t.Fatalf("no warning with --insecure-plaintext-keys: %s", log.String())
	}
	env["SESAME_MASTER_KEY"] = testMasterKey
	_, log, _ = serve(t, nil, env)
	if strings.Contains(log.String(), "INSECURE") {
		t.Fatalf("warned although a master key is set: %s", log.String())
	}
}

// TestSQLiteWarnsWithoutMasterKey: SQLite starts without a master key (the
// zero-config start) but says loudly that the keys are unencrypted.
func TestSQLiteWarnsWithoutMasterKey(t *testing.T) {
	_, log, _ := serve(t, []string{"--data-dir", t.TempDir()}, map[string]string{})
	if !strings.Contains(log.String(), "INSECURE: SESAME_MASTER_KEY is not set") {
		t.Fatalf("no warning on SQLite without a master key: %s", log.String())
	}
}
