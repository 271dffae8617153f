package app_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// browserFor is a cookie-keeping client that stops at redirects to app.
func browserFor(app string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), app) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// signIn opens start (an app's sign-in URL on Sesame), posts the login
// form and returns where Sesame finally sends the browser (the app's URL).
func signIn(t *testing.T, c *http.Client, base, start, login, pw string) *url.URL {
	loc, _ := signInID(t, c, base, start, login, pw)
	return loc
}

// signInID is signIn also returning the request id of the last answer
// (the one sending the browser to the app).
func signInID(t *testing.T, c *http.Client, base, start, login, pw string) (*url.URL, string) {
	t.Helper()
	resp, err := c.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := resp.Location(); loc != nil { // already signed in
		return loc, resp.Header.Get("X-Request-Id")
	}
	ret := resp.Request.URL.Query().Get("return")
	resp, err = c.PostForm(base+"/login", url.Values{"username": {login}, "password": {pw}, "return": {ret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loc, _ := resp.Location()
	if loc == nil && resp.StatusCode == 200 {
		// Several organisations: the context step, the first one chosen.
		b, _ := io.ReadAll(resp.Body)
		fields := url.Values{}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`).FindAllStringSubmatch(string(b), -1) {
			fields.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
		if m := regexp.MustCompile(`name="context" value="([^"]*)" checked`).FindStringSubmatch(string(b)); m != nil {
			fields.Set("context", m[1])
			if resp, err = c.PostForm(base+"/login", fields); err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			loc, _ = resp.Location()
		} else {
			resp.Body = io.NopCloser(strings.NewReader(string(b)))
		}
	}
	if loc == nil {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s was not sent back to the app: %d at %s\n%s", login, resp.StatusCode, resp.Request.URL, b)
	}
	return loc, resp.Header.Get("X-Request-Id")
}

// TestDemoDataSignsIn: `sesame apply -f examples/demo.yaml` gives a demo
// whose user alice (telco/alice) enters both demo apps: the OIDC portal
// (a code for http://localhost:3000/callback) and the CAS billing app (a
// ticket for http://localhost:3001/).
func TestDemoDataSignsIn(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": backupAdminPW}
	t.Setenv("DEMO_PORTAL_SECRET", "demo-portal-secret-123456") // read by apply (secretEnv)
	if code, out, errs := run([]string{"apply", "-f", filepath.Join("..", "..", "examples", "demo.yaml"), "--data-dir", dir}, env); code != 0 {
		t.Fatalf("apply: %d %s %s", code, out, errs)
	}
	s := serveAll(t, []string{"--data-dir", dir}, env)

	// The OIDC portal: code flow with PKCE, the code redeemed by the app.
	conf := oauth2.Config{ClientID: "demo-portal", ClientSecret: "demo-portal-secret-123456", RedirectURL: "http://localhost:3000/callback",
		Scopes: []string{"openid", "profile"}, Endpoint: oauth2.Endpoint{AuthURL: s.base + "/oauth2/authorize", TokenURL: s.base + "/oauth2/token"}}
	verifier := oauth2.GenerateVerifier()
	browser := browserFor("http://localhost:")
	loc := signIn(t, browser, s.base, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "telco/alice", "wonderland-rabbit-hole-7")
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("alice got no code for the demo portal: %s", loc)
	}
	if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("the demo portal cannot redeem alice's code: %v\n%s", err, s.stderr.String())
	}
	// The CAS billing app, on the same SSO session.
	service := "http://localhost:3001/"
	loc = signIn(t, browser, s.base, s.base+"/cas/login?service="+url.QueryEscape(service), "telco/alice", "wonderland-rabbit-hole-7")
	if loc.Query().Get("ticket") == "" {
		t.Fatalf("alice got no ticket for the demo intranet: %s", loc)
	}
	// The rights the README shows for her in Acme: from the group Users.
	_, ctxs := get(t, s.base+"/api/v1/me/contexts", "telco/alice", "wonderland-rabbit-hole-7")
	acme := ""
	for _, c := range ctxs["items"].([]any) {
		if c := c.(map[string]any); c["name"] == "Acme" {
			acme = c["id"].(string)
		}
	}
	var rights struct {
		Rights []struct {
			Name, Value, SetBy string
			Assigned           bool
		}
	}
	resp, err := http.Get(strings.Replace(s.base, "http://", "http://telco%2Falice:wonderland-rabbit-hole-7@", 1) + "/api/v1/me/rights?module=portal&contextId=" + acme)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&rights)
	got := map[string]string{}
	for _, r := range rights.Rights {
		if r.Assigned {
			got[r.Name] = r.Value + " by " + r.SetBy
		}
	}
	if got["SIM - Price Plan Modify"] != "true by Users" || got["API IP Allow"] != "0.0.0.0/0 by Users" {
		t.Fatalf("alice's rights in Acme: %d %v", resp.StatusCode, got)
	}
}
