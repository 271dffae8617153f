package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

const (
	backupAdminPW = "slate-harbor-quill-123"
	danaPW        = "velvet-summit-crane-123"
)

// seedDana creates the account Acme and its user dana on a running server.
func seedDana(t *testing.T, base string) {
	admin := adminClient(t, base, backupAdminPW)
	roots := admin("GET", "/api/v1/contexts?type=root", nil)
	root := roots["items"].([]any)[0].(map[string]any)["id"].(string)
	acct := admin("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": root})["id"].(string)
	admin("POST", "/api/v1/users", map[string]any{"loginName": "dana", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": danaPW, "person": map[string]string{"email": "dana@acme.example"}})
}

// sameLogins: the admin and dana sign in with their passwords (HTTP Basic
// on /api/v1/me), a wrong password does not.
func sameLogins(t *testing.T, base string) {
	t.Helper()
	if code, me := get(t, base+"/api/v1/me", "admin", backupAdminPW); code != 200 || me["loginName"] != "admin" {
		t.Errorf("admin after restore: %d %v", code, me)
	}
	if code, me := get(t, base+"/api/v1/me", "dana", danaPW); code != 200 || me["loginName"] != "dana" {
		t.Errorf("dana after restore: %d %v", code, me)
	}
	if code, _ := get(t, base+"/api/v1/me", "dana", "not-her-password"); code != 401 {
		t.Errorf("a wrong password after restore: %d", code)
	}
}

// TestBackupWhileServingAndRestore: `sesame backup --to` copies the SQLite
// database while the server runs and writes; the copy, as the database of
// a new data directory, serves the same logins.
func TestBackupWhileServingAndRestore(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": backupAdminPW}
	s := serveAll(t, []string{"--data-dir", dir}, env)
	seedDana(t, s.base)
	// Writes go on during the backup (failed logins are audited).
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				get(t, s.base+"/api/v1/me", "admin", "wrong-"+time.Now().String())
			}
		}
	}()
	file := filepath.Join(t.TempDir(), "sesame-backup.db")
	code, out, errs := run([]string{"backup", "--to", file, "--data-dir", dir}, nil)
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, file) {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	// A second backup to the same file is refused (never overwritten).
	if code, _, errs := run([]string{"backup", "--to", file, "--data-dir", dir}, nil); code == 0 || !strings.Contains(errs, "exists") {
		t.Fatalf("backup over an existing file: %d %s", code, errs)
	}
	s.stop()

	restored := t.TempDir()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, "sesame.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := serveAll(t, []string{"--data-dir", restored}, nil)
	if strings.Contains(r.stderr.String(), "password:") {
		t.Fatal("the restored instance bootstrapped a new admin")
	}
	sameLogins(t, r.base)
	// PostgreSQL is not copied by this command.
	if code, _, errs := run([]string{"backup", "--to", file + "2"}, map[string]string{"SESAME_DATABASE_URL": "postgres://x@127.0.0.1/db"}); code == 0 || !strings.Contains(errs, "pg_dump") {
		t.Fatalf("backup of PostgreSQL: %d %s", code, errs)
	}
}

// TestPostgresDumpAndRestore runs the commands docs/deploy.md gives for
// PostgreSQL: pg_dump of the live database, pg_restore into a new one, a
// server on the new one with the same master key: the same logins.
func TestPostgresDumpAndRestore(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	src, dst := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	env := map[string]string{"SESAME_DATABASE_URL": src.DSN, "SESAME_BOOTSTRAP_ADMIN_PASSWORD": backupAdminPW,
		"SESAME_MASTER_KEY": testMasterKey, "SESAME_EXTERNAL_URL": "http://sesame.test"}
	s := serveAll(t, nil, env)
	seedDana(t, s.base)
	dump := filepath.Join(t.TempDir(), "sesame.dump")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// docs/deploy.md: pg_dump --format=custom --file=sesame.dump "$SESAME_DATABASE_URL"
	if out, err := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file="+dump, src.DSN).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	s.stop()
	// docs/deploy.md: pg_restore --no-owner --exit-on-error --dbname="$NEW_DATABASE_URL" sesame.dump
	if out, err := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--dbname="+dst.DSN, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	env["SESAME_DATABASE_URL"] = dst.DSN
	delete(env, "SESAME_BOOTSTRAP_ADMIN_PASSWORD")
	r := serveAll(t, nil, env)
	if strings.Contains(r.stderr.String(), "applied migration") || strings.Contains(r.stderr.String(), "password:") {
		t.Fatalf("the restored database was not complete:\n%s", r.stderr.String())
	}
	sameLogins(t, r.base)
}
