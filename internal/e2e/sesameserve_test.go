package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// startSesameServe builds cmd/sesame and runs `sesame serve` as its own
// process on addr with a fresh data directory and master key: an
// ordinary Sesame, configured only through its environment and admin API.
func startSesameServe(t *testing.T, host, adminPW string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "sesame")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	build := exec.Command("go", "build", "-o", bin, "./cmd/sesame")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	base := "http://" + addr
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "SESAME_DATA_DIR="+filepath.Join(dir, "data"), "SESAME_SERVER_ADDR="+addr, "SESAME_EXTERNAL_URL="+base,
		"SESAME_BOOTSTRAP_ADMIN_PASSWORD="+adminPW, "SESAME_MASTER_KEY="+base64.StdEncoding.EncodeToString(key), "SESAME_DATABASE_URL=",
		"SESAME_MANAGEMENT_ADDR=off")
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
			t.Fatalf("sesame serve not ready: %v\n%s", err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var stepFieldRE = regexp.MustCompile(`<input type="hidden" name="(step|flow)" value="([^"]*)">`)

// TestSesameServeAsUpstream (issue 10 "proven with real peers"): a second
// `sesame serve` process, configured as an ordinary OpenID Connect
// provider through its admin API (a client with the downstream's redirect
// URL), is a connection's upstream: its user signs in on its login page
// and becomes a delegated user of the downstream tenant.
func TestSesameServeAsUpstream(t *testing.T) {
	const adminPW = "ruby-lantern-orbit-123"
	base := startSesameServe(t, "127.0.0.4", adminPW)
	remote := &sesametest.Env{T: t, Server: &httptest.Server{URL: base}}
	uad := remote.As("admin", adminPW)
	acct := uad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Upstream Corp", "parentId": rootID(t, uad)})
	uwe := uad.ID("POST", "/api/v1/users", map[string]any{"loginName": "uwe", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": adminPW, "person": map[string]string{"firstName": "Uwe", "lastName": "Up", "email": "uwe@upstream.example"}})

	env := sesametest.New(t, "sqlite")
	tenant, err := env.Svc.CreateContext(context.Background(), directory.System, model.Context{Type: model.ContextTenant, Name: "Acme", Slug: "acme", ParentID: env.RootID})
	if err != nil {
		t.Fatal(err)
	}
	connID := uuid.NewString()
	reg := uad.Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Downstream", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{env.Server.URL + "/login/idp/" + connID + "/callback"}, "grantTypes": []string{"authorization_code"}}).Map(t)
	secret := reg["secret"].(string)
	if _, err := env.Svc.CreateConnection(context.Background(), directory.System, directory.ConnectionInput{ID: connID, TenantID: tenant.ID,
		Kind: model.ConnectionOIDC, Name: "Upstream", OIDC: model.OIDCSettings{DiscoveryURL: base, ClientID: reg["id"].(string)}, ClientSecret: &secret}); err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(env.Server.URL + "/login?tenant=acme&connection=" + connID)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	if !strings.HasPrefix(resp.Request.URL.String(), base+"/login") {
		t.Fatalf("not at the upstream's login page: %v", resp.Request.URL)
	}
	v := url.Values{"username": {"uwe"}, "password": {adminPW}, "return": {resp.Request.URL.Query().Get("return")}}
	for _, m := range stepFieldRE.FindAllStringSubmatch(body, 2) {
		v.Set(m[1], m[2])
	}
	resp, err = c.PostForm(base+"/login", v)
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), env.Server.URL) {
		t.Fatalf("after the upstream login: %d at %v\n%.800s", resp.StatusCode, resp.Request.URL, body)
	}
	l, err := env.Svc.IdentityLink(context.Background(), connID, uwe)
	if err != nil {
		t.Fatalf("no identity link for the upstream subject: %v", err)
	}
	u, err := env.Svc.GetUser(context.Background(), directory.System, l.UserID)
	if err != nil || u.Kind != model.KindDelegated || u.Person.Email != "uwe@upstream.example" {
		t.Fatalf("delegated user: %+v %v", u, err)
	}
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// rootID reads the root context's id through the admin API.
func rootID(t *testing.T, c *sesametest.Client) string {
	t.Helper()
	var page struct{ Items []map[string]any }
	c.Must(http.StatusOK, "GET", "/api/v1/contexts?type=root", nil).JSON(t, &page)
	for _, it := range page.Items {
		if it["type"] == "root" {
			return fmt.Sprint(it["id"])
		}
	}
	t.Fatalf("no root context in %v", page.Items)
	return ""
}
