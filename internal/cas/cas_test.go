package cas_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	casclient "gopkg.in/cas.v2"

	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const pw = "ruby-lantern-orbit-123"

type fixture struct {
	env              *sesametest.Env
	acct, carol      string
	app1, app2       *httptest.Server
	app1URL, app2URL string
	rmService        string
}

// protectedApp is a web app guarded by the independent CAS client library.
func protectedApp(t *testing.T, casURL string) *httptest.Server {
	u, _ := url.Parse(casURL + "/cas/")
	client := casclient.NewClient(&casclient.Options{URL: u})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !casclient.IsAuthenticated(r) {
			casclient.RedirectToLogin(w, r)
			return
		}
		attrs := casclient.Attributes(r)
		fmt.Fprintf(w, "hello %s <%s> module=%s", casclient.Username(r), attrs.Get("email"), attrs.Get("module"))
	})
	srv := httptest.NewServer(client.Handle(h))
	t.Cleanup(srv.Close)
	return srv
}

func setup(t *testing.T, backend string, opts sesametest.Options) *fixture {
	env := sesametest.NewWith(t, backend, opts)
	ad := env.Admin()
	f := &fixture{env: env}
	f.acct = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	f.carol = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "carol", "domain": "ENTERPRISE", "contexts": []string{f.acct},
		"status": "active", "password": pw, "person": map[string]string{"firstName": "Carol", "email": "carol@acme.example"}})
	f.app1 = protectedApp(t, env.Server.URL)
	f.app2 = protectedApp(t, env.Server.URL)
	// app2 is reached as "localhost" so the two apps' cookies do not mix
	// in one cookie jar (jars ignore ports).
	f.app1URL = f.app1.URL + "/"
	f.app2URL = strings.Replace(f.app2.URL, "127.0.0.1", "localhost", 1) + "/"
	ad.ID("POST", "/api/v1/clients", map[string]any{"name": "App one", "module": "portal", "protocol": "cas", "servicePatterns": []string{f.app1URL + "*"}})
	ad.ID("POST", "/api/v1/clients", map[string]any{"name": "App two", "module": "cas", "protocol": "cas", "servicePatterns": []string{f.app2URL + "*"}})
	f.rmService = "https://rm.example.com/"
	ad.ID("POST", "/api/v1/clients", map[string]any{"name": "Resource Manager", "module": "rm", "protocol": "cas", "servicePatterns": []string{f.rmService + "*"}})
	return f
}

// forBackends runs fn once per storage backend, in parallel with the other
// backends and tests: each run has its own Sesame, store and apps.
func forBackends(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Parallel()
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

// onBackends runs fn against a fresh Sesame on every storage backend.
func onBackends(t *testing.T, opts sesametest.Options, fn func(t *testing.T, f *fixture)) {
	forBackends(t, func(t *testing.T, backend string) { fn(t, setup(t, backend, opts)) })
}

func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func body(t *testing.T, resp *http.Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	return body(t, resp, err)
}

func isLoginPage(s string) bool { return strings.Contains(s, `name="password"`) }

// login fills the login form the way a browser would.
func login(t *testing.T, c *http.Client, base, ret, user, pass string) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pass}, "return": {ret}})
	return resp, body(t, resp, err)
}

// TestSSOWithCASClient: app one sends the browser to Sesame, the user logs
// in once, app two gets the user without a prompt; logout reaches both.
func TestSSOWithCASClient(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := browser(t)
		resp, err := c.Get(f.app1URL)
		page := body(t, resp, err)
		if !isLoginPage(page) || !strings.HasPrefix(resp.Request.URL.String(), f.env.Server.URL+"/login?return=") {
			t.Fatalf("app one did not send us to the login page: %s\n%s", resp.Request.URL, page)
		}
		ret := resp.Request.URL.Query().Get("return")
		resp, page = login(t, c, f.env.Server.URL, ret, "carol", pw)
		if !strings.Contains(page, "hello "+f.carol+" <carol@acme.example> module=portal") {
			t.Fatalf("after login app one shows: %q (at %s)", page, resp.Request.URL)
		}
		// Second app: single sign-on, no prompt.
		page = get(t, c, f.app2URL)
		if !strings.Contains(page, "hello "+f.carol+" <carol@acme.example> module=cas") {
			t.Fatalf("app two did not get the user without a prompt: %q", page)
		}
		// Logout at Sesame: both apps are told (single logout) and prompt again.
		_, page = sesametest.Logout(t, c, f.env.Server.URL, "/cas/logout")
		if !strings.Contains(page, "signed out") {
			t.Fatalf("logout page: %q", page)
		}
		for _, app := range []string{f.app1URL, f.app2URL} {
			if page := get(t, c, app); !isLoginPage(page) {
				t.Errorf("%s still serves the user after single logout: %q", app, page)
			}
		}
	})
}

type casResponse struct {
	ServiceResponse struct {
		AuthenticationSuccess *struct {
			User       string            `json:"user"`
			Attributes map[string]string `json:"attributes"`
		} `json:"authenticationSuccess"`
		AuthenticationFailure *struct{ Code, Description string } `json:"authenticationFailure"`
	} `json:"serviceResponse"`
}

// ticketFor returns a ticket for service, logging carol in when Sesame asks
// for credentials. After the login it follows the page's return URL, as a
// browser does: restarting from the first URL instead would loop forever
// under renew=true, which asks for credentials on every fresh request.
func ticketFor(t *testing.T, f *fixture, c *http.Client, service string, extra string) string {
	t.Helper()
	noFollow := noRedirect(c)
	resp, err := noFollow.Get(f.env.Server.URL + "/cas/login?service=" + url.QueryEscape(service) + extra)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if strings.HasPrefix(loc, "/login") {
		u, _ := url.Parse(loc)
		resp, _ := login(t, noFollow, f.env.Server.URL, u.Query().Get("return"), "carol", pw)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/cas/login?") {
			t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, err = noFollow.Get(f.env.Server.URL + resp.Header.Get("Location")); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc = resp.Header.Get("Location")
	}
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, service) || u.Query().Get("ticket") == "" {
		t.Fatalf("no ticket in redirect %q (status %d)", loc, resp.StatusCode)
	}
	return u.Query().Get("ticket")
}

// validate asks Sesame about a ticket; extra is appended to the query as is
// (e.g. "&renew=true").
func validate(t *testing.T, f *fixture, path, service, ticket string, extra ...string) casResponse {
	t.Helper()
	var r casResponse
	page := get(t, http.DefaultClient, f.env.Server.URL+path+"?format=JSON&service="+url.QueryEscape(service)+"&ticket="+url.QueryEscape(ticket)+strings.Join(extra, ""))
	if err := json.Unmarshal([]byte(page), &r); err != nil {
		t.Fatalf("%s: %v: %s", path, err, page)
	}
	return r
}

func failCode(r casResponse) string {
	if r.ServiceResponse.AuthenticationFailure == nil {
		return ""
	}
	return r.ServiceResponse.AuthenticationFailure.Code
}

func TestTicketRules(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := browser(t)
		svc := f.app1URL + "page"

		// A service ticket validates (CAS 3.0 §2.5) with attributes.
		tk := ticketFor(t, f, c, svc, "")
		if r := validate(t, f, "/cas/p3/serviceValidate", svc, tk); r.ServiceResponse.AuthenticationSuccess == nil ||
			r.ServiceResponse.AuthenticationSuccess.User != f.carol || r.ServiceResponse.AuthenticationSuccess.Attributes["contextId"] != f.acct {
			t.Fatalf("first validation: %+v", r)
		}
		// Reuse, other services, expiry, oversized values: attack_test.go.
		// Missing parameters, forged and malformed tickets.
		for _, tc := range []struct{ service, ticket, code string }{
			{svc, "", "INVALID_REQUEST"},
			{"", "ST-x", "INVALID_REQUEST"},
			{svc, "ST-" + session.Token(), "INVALID_TICKET"},
			{svc, "PT-" + session.Token(), "INVALID_TICKET"},
			{svc, "garbage", "INVALID_TICKET"},
		} {
			if code := failCode(validate(t, f, "/cas/serviceValidate", tc.service, tc.ticket)); code != tc.code {
				t.Errorf("service %q ticket %.20q: %q, want %q", tc.service, tc.ticket, code, tc.code)
			}
		}
		// CAS 1.0 /validate.
		tk = ticketFor(t, f, c, svc, "")
		if page := get(t, http.DefaultClient, f.env.Server.URL+"/cas/validate?service="+url.QueryEscape(svc)+"&ticket="+tk); page != "yes\n"+f.carol+"\n" {
			t.Errorf("v1 validate: %q", page)
		}
		if page := get(t, http.DefaultClient, f.env.Server.URL+"/cas/validate?service="+url.QueryEscape(svc)+"&ticket="+tk); page != "no\n\n" {
			t.Errorf("v1 reuse: %q", page)
		}
		// XML answer escapes and names the CAS namespace.
		tk = ticketFor(t, f, c, svc, "")
		xmlPage := get(t, http.DefaultClient, f.env.Server.URL+"/cas/serviceValidate?service="+url.QueryEscape(svc)+"&ticket="+tk)
		if !strings.Contains(xmlPage, `<cas:user>`+f.carol+`</cas:user>`) || !strings.Contains(xmlPage, `xmlns:cas="http://www.yale.edu/tp/cas"`) {
			t.Errorf("XML answer: %s", xmlPage)
		}
		// renew=true validation rejects a ticket from single sign-on.
		tk = ticketFor(t, f, c, svc, "")
		if code := failCode(validate(t, f, "/cas/serviceValidate", svc, tk, "&renew=true")); code != "INVALID_TICKET" {
			t.Errorf("renew validation of an SSO ticket: %q", code)
		}
	})
}

func noRedirect(c *http.Client) *http.Client {
	n := *c
	n.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &n
}

func TestGatewayRenewAndModuleAccess(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := noRedirect(browser(t))
		base := f.env.Server.URL
		// gateway without a session: back to the service, no ticket, no prompt.
		resp, err := c.Get(base + "/cas/login?gateway=true&service=" + url.QueryEscape(f.app1URL))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Location") != f.app1URL {
			t.Errorf("gateway: %q", resp.Header.Get("Location"))
		}
		ticketFor(t, f, c, f.app1URL, "") // logs in
		// renew with a session: credentials are asked for again.
		resp, _ = c.Get(base + "/cas/login?renew=true&service=" + url.QueryEscape(f.app1URL))
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("renew did not prompt: %q", resp.Header.Get("Location"))
		}
		tk := ticketFor(t, f, c, f.app1URL, "&renew=true")
		if r := validate(t, f, "/cas/serviceValidate", f.app1URL, tk, "&renew=true"); r.ServiceResponse.AuthenticationSuccess == nil {
			t.Errorf("renewed ticket refused under renew=true: %+v", r)
		}
		// R-MOD-2: an account user may not enter Resource Manager: a clear page, no ticket.
		resp, _ = c.Get(base + "/cas/login?service=" + url.QueryEscape(f.rmService))
		page := body(t, resp, nil)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" || !strings.Contains(page, "root context") {
			t.Errorf("rm login of an account user: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), page)
		}
		// Deactivation ends the SSO session at once (R-USR-1).
		f.env.Admin().Must(200, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
		resp, _ = c.Get(base + "/cas/login?service=" + url.QueryEscape(f.app1URL))
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("a deactivated user's session still issues tickets: %q", resp.Header.Get("Location"))
		}
	})
}
