package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

var secretRE = regexp.MustCompile(`id="client-secret">([^<]+)<`)

// TestClientSecretOnce: root registers a confidential OIDC client; the
// secret is on that answer only (the client page never shows it, a double
// submit makes no second client), and it works at the token endpoint;
// rotating shows a new one and the old one stops working; a plain-http
// redirect URI is refused next to the field.
func TestClientSecretOnce(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/clients")
	p := b.do("POST", "/console/clients", b.form("/console/clients", url.Values{"name": {"Bad"}, "module": {"portal"}, "protocol": {"oidc"},
		"urls": {"http://portal.example.com/cb"}, "grants": {"authorization_code"}}))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="e-f-urls"`) {
		t.Fatalf("plain-http redirect URI: %d\n%.3000s", p.status, p.body)
	}
	v := b.form("/console/clients", url.Values{"name": {"Machine"}, "module": {"portal"}, "protocol": {"oidc"}, "urls": {"https://portal.example.com/cb"},
		"grants": {"client_credentials"}})
	p = b.do("POST", "/console/clients", v)
	m := secretRE.FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("create client: %d\n%.3000s", p.status, p.body)
	}
	secret := m[1]
	id := regexp.MustCompile(`id="client-id">([^<]+)<`).FindStringSubmatch(p.body)[1]
	again := b.do("POST", "/console/clients", v)
	if secretRE.MatchString(again.body) || again.url.Path != "/console/clients/"+id {
		t.Errorf("double submit: at %s, secret shown again: %v", again.url, secretRE.MatchString(again.body))
	}
	if p := b.get("/console/clients"); strings.Count(p.body, ">Machine<") != 1 {
		t.Errorf("double submit registered %d clients", strings.Count(p.body, ">Machine<"))
	}
	if p := b.get("/console/clients/" + id); strings.Contains(p.body, secret) {
		t.Error("the client page shows the secret")
	}
	token := func(sec string) int {
		req, _ := http.NewRequest("POST", w.env.Server.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, sec)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := token(secret); s != 200 {
		t.Fatalf("token with the shown secret: %d", s)
	}
	p = b.do("POST", "/console/clients/"+id+"/secret", b.form("/console/clients/"+id, url.Values{}))
	m = secretRE.FindStringSubmatch(p.body)
	if m == nil || m[1] == secret {
		t.Fatalf("rotate: %d\n%.2000s", p.status, p.body)
	}
	if token(secret) == 200 || token(m[1]) != 200 {
		t.Errorf("after rotation: old secret %d, new %d", token(secret), token(m[1]))
	}
}

// TestUserAPIKey: an API key made on a user's page is shown once and
// works as HTTP Basic password for the API; revoked, it stops working.
func TestUserAPIKey(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/users/"+w.alice)
	p := b.do("POST", "/console/users/"+w.alice+"/api-keys", b.form("/console/users/"+w.alice, url.Values{"name": {"ci"}}))
	m := regexp.MustCompile(`id="api-key">([^<]+)<`).FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("create key: %d\n%.3000s", p.status, p.body)
	}
	call := func() int {
		req, _ := http.NewRequest("GET", w.env.Server.URL+"/api/v1/me", nil)
		req.SetBasicAuth("one/alice", m[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := call(); s != 200 {
		t.Fatalf("the new key: %d", s)
	}
	page := b.get("/console/users/" + w.alice)
	if strings.Contains(page.body, m[1]) || !strings.Contains(page.body, ">ci<") {
		t.Fatalf("user page after: key shown again or not listed")
	}
	kid := regexp.MustCompile(`name="revoke" value="([^"]+)"`).FindStringSubmatch(page.body)[1]
	b.do("POST", "/console/users/"+w.alice+"/api-keys", b.form("/console/users/"+w.alice, url.Values{"revoke": {kid}}))
	if s := call(); s != http.StatusUnauthorized {
		t.Errorf("revoked key: %d", s)
	}
}

// TestResetAccountAndTwoFactor: root resets bob's account — a temporary
// password shown once, which signs in (and must then be changed); a
// double submit resets once; the one-time-code override is saved.
func TestResetAccountAndTwoFactor(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/users/"+w.bob)
	v := b.form("/console/users/"+w.bob, url.Values{})
	p := b.do("POST", "/console/users/"+w.bob+"/reset", v)
	m := regexp.MustCompile(`id="temporary-password">([^<]+)<`).FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("reset: %d\n%.3000s", p.status, p.body)
	}
	if again := b.do("POST", "/console/users/"+w.bob+"/reset", v); strings.Contains(again.body, "temporary-password") {
		t.Error("a double submit reset the account twice")
	}
	u := newBrowser(t, w.env)
	if p := u.do("POST", "/login", url.Values{"username": {"one/bob"}, "password": {m[1]}, "return": {"/account"}}); !strings.Contains(p.body, "new password") &&
		!strings.Contains(p.body, "New password") {
		t.Errorf("sign-in with the temporary password: %d at %s\n%.1500s", p.status, p.url, p.body)
	}
	p = b.do("POST", "/console/users/"+w.bob+"/two-factor", b.form("/console/users/"+w.bob, url.Values{"otp": {"email"}, "totp": {"default"}}))
	if !strings.Contains(p.body, `<option value="email" selected>`) {
		t.Errorf("two-factor override not saved:\n%.3000s", p.body)
	}
}
