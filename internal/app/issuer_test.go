package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

// TestNodesWithDefaultExternalURL: on PostgreSQL a node without
// server.externalURL warns at start; a second such node refuses the
// first's tokens (another issuer) and says why in its debug log.
func TestNodesWithDefaultExternalURL(t *testing.T) {
	const adminPW = "slate-harbor-quill-123"
	env := map[string]string{"SESAME_DATABASE_URL": pgtest.DSN(t), "SESAME_BOOTSTRAP_ADMIN_PASSWORD": adminPW,
		"SESAME_MASTER_KEY": testMasterKey, "SESAME_LOG_LEVEL": "debug"}
	a := serveAll(t, nil, env)
	b := serveAll(t, nil, env)
	if !strings.Contains(a.stderr.String(), "server.externalURL is not set") {
		t.Fatalf("no warning about the default external URL:\n%s", a.stderr.String())
	}
	machine := adminClient(t, a.base, adminPW)("POST", "/api/v1/clients", map[string]any{"name": "Machine", "module": "portal",
		"protocol": "oidc", "grantTypes": []string{"client_credentials"}})
	id, secret := url.QueryEscape(machine["id"].(string)), url.QueryEscape(machine["secret"].(string))
	form := func(base, path, body string) map[string]any {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	tok, _ := form(a.base, "/oauth2/token", "grant_type=client_credentials")["access_token"].(string)
	if tok == "" {
		t.Fatal("no token from node A")
	}
	if m := form(a.base, "/oauth2/introspect", "token="+tok); m["active"] != true {
		t.Fatalf("node A does not accept its own token: %v", m)
	}
	if m := form(b.base, "/oauth2/introspect", "token="+tok); m["active"] == true {
		t.Fatalf("node B accepted a token of another issuer: %v", m)
	}
	log := b.stderr.String()
	if !strings.Contains(log, "access token refused") || !strings.Contains(log, "not by this server's issuer") {
		t.Fatalf("node B's debug log does not say why it refused the token:\n%s", log)
	}
}
