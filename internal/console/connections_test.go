package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestConnectionSteps walks seed 003's four steps for an OIDC connection
// of tenant one as root: configure (the redirect URL to give the IdP is
// shown), test (stage testing), SSO defaults, activate; a stale stage
// change is refused; turning it off needs a password sign-in, which this
// admin has. An account admin cannot see the connection.
func TestConnectionSteps(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/connections")
	p := b.do("POST", "/console/connections", b.form("/console/connections", url.Values{"tenant": {"Tenant One"}, "name": {"Corp IdP"},
		"discoveryUrl": {""}, "clientId": {"sesame"}}))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="e-f-discoveryUrl"`) {
		t.Fatalf("missing discovery URL: %d\n%.3000s", p.status, p.body)
	}
	p = b.do("POST", "/console/connections", b.form("/console/connections", url.Values{"tenant": {"Tenant One"}, "name": {"Corp IdP"},
		"discoveryUrl": {"https://idp.example.com"}, "clientId": {"sesame"}, "clientSecret": {"s3cret"}, "preset": {"okta"}}))
	if p.status != 200 || !strings.HasPrefix(p.url.Path, "/console/connections/") {
		t.Fatalf("create connection: %d at %s\n%.3000s", p.status, p.url, p.body)
	}
	path := p.url.Path
	id := strings.TrimPrefix(path, "/console/connections/")
	if !strings.Contains(p.body, w.env.Server.URL+"/login/idp/"+id+"/callback") || !strings.Contains(p.body, "stored (encrypted)") ||
		strings.Contains(p.body, "s3cret") {
		t.Errorf("step 1 values:\n%.3000s", p.body)
	}
	version := regexp.MustCompile(`name="version" value="([0-9]+)"`)
	stage := func(v string) page {
		f := b.form(path, url.Values{"step": {"1"}, "stage": {v}})
		f.Set("version", field(t, version, b.get(path)))
		return b.do("POST", path, f)
	}
	if p := stage("1"); !strings.Contains(p.body, "testing (administrators only)") || !strings.Contains(p.body, `id="test-login"`) {
		t.Fatalf("step 2:\n%.3000s", p.body)
	}
	f := b.form(path, url.Values{"step": {"2"}, "linkByEmail": {"1"}})
	f.Set("version", field(t, version, b.get(path)))
	if p := b.do("POST", path, f); p.status != 200 || !strings.Contains(p.body, `id="f-linkByEmail" checked`) {
		t.Fatalf("step 3: %d\n%.3000s", p.status, p.body)
	}
	stale := b.form(path, url.Values{"step": {"1"}, "stage": {"2"}})
	stale.Set("version", "1")
	if p := b.do("POST", path, stale); p.status != http.StatusConflict || !strings.Contains(p.body, "Someone else changed this") {
		t.Errorf("stale stage change: %d\n%.2000s", p.status, p.body)
	}
	if p := stage("2"); !strings.Contains(p.body, "active for all users") {
		t.Fatalf("step 4:\n%.3000s", p.body)
	}
	if p := stage("0"); !strings.Contains(p.body, `id="connection-stage">off<`) {
		t.Errorf("turn off with a password sign-in:\n%.3000s", p.body)
	}
	a := newBrowser(t, w.env)
	a.login("one/alice", pw, "/console/users")
	if p := a.get(path); p.status != http.StatusNotFound && p.status != http.StatusForbidden {
		t.Errorf("account admin opens the connection: %d", p.status)
	}
}
