package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

// TestJSONLogs: in JSON mode the first-start password is one structured
// record (and the first line names the build); an error while serving a
// request names the request (request_id = the X-Request-Id answered).
func TestJSONLogs(t *testing.T) {
	db := pgtest.NewDatabase(t)
	s := serveAll(t, nil, map[string]string{"SESAME_DATABASE_URL": db.DSN, "SESAME_MASTER_KEY": testMasterKey,
		"SESAME_LOG_FORMAT": "json", "SESAME_EXTERNAL_URL": "http://sesame.test"})
	lines := strings.Split(strings.TrimSpace(s.stderr.String()), "\n")
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["msg"] != "sesame starting" || first["version"] == nil || first["commit"] == nil {
		t.Fatalf("first line %q: %v", lines[0], err)
	}
	var pw string
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a JSON record: %q", l)
		}
		if p, ok := rec["password"].(string); ok && rec["login"] == "admin" {
			pw = p
		}
	}
	if pw == "" {
		t.Fatalf("no structured password record:\n%s", s.stderr.String())
	}
	if code, _ := get(t, s.base+"/api/v1/me", "admin", pw); code != 200 {
		t.Fatalf("the logged password does not sign in: %d", code)
	}

	// The database goes away: the request fails with 503 and its error
	// line carries its request id.
	db.Stop()
	defer db.Start()
	req, _ := http.NewRequest("GET", s.base+"/api/v1/me", nil)
	req.SetBasicAuth("admin", pw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 503 || id == "" {
		t.Fatalf("during the outage: %d, id %q", resp.StatusCode, id)
	}
	found := false
	for _, l := range strings.Split(s.stderr.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) != nil || rec["level"] != "ERROR" {
			continue
		}
		// (Background work — the minutely purge — has no request.)
		if rec["request_id"] == id {
			found = true
		}
	}
	if !found {
		t.Fatalf("no error line names request %s:\n%s", id, s.stderr.String())
	}
}
