package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const pw = "a-long-enough-password-7"

// world: tenants T1 (accounts A, B) and T2 (account C); alice is an
// account admin of A (a group from a template with every cas right),
// bob lives in A, carol in C; groupC is C's admin group.
type world struct {
	env               *sesametest.Env
	t1, t2, a, b, c   string
	tmpl, groupA      string
	groupC            string
	alice, bob, carol string
	t2slug            string
}

func casValues(t *testing.T, ad *sesametest.Client) []map[string]string {
	var acls struct {
		Items []struct{ Name, Type string }
	}
	ad.Must(200, "GET", "/api/v1/acls?module=cas", nil).JSON(t, &acls)
	var vals []map[string]string
	for _, a := range acls.Items {
		if a.Type == "boolean" {
			vals = append(vals, map[string]string{"module": "cas", "acl": a.Name, "value": "true"})
		}
	}
	return vals
}

func newWorld(t *testing.T, backend string) *world {
	env := sesametest.New(t, backend)
	ad := env.Admin()
	w := &world{env: env}
	w.t1 = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Tenant One", "slug": "one", "parentId": env.RootID})
	w.t2 = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Tenant Two", "slug": "two", "parentId": env.RootID})
	w.t2slug = "two"
	w.a = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "number": "A-100", "parentId": w.t1})
	w.b = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Beta", "number": "B-200", "parentId": w.t1})
	w.c = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Gamma", "number": "C-300", "parentId": w.t2})
	w.tmpl = ad.ID("POST", "/api/v1/templates", map[string]any{"name": "Account admin", "contextTypes": []string{"account", "tenant"}, "values": casValues(t, ad)})
	w.groupA = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.a, "name": "Account admins", "templateId": w.tmpl})
	w.groupC = ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": w.c, "name": "Gamma admins", "templateId": w.tmpl})
	user := func(login, ctx string) string {
		return ad.ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{ctx}, "status": "active",
			"password": pw, "person": map[string]string{"email": login + "@example.com"}})
	}
	w.alice, w.bob, w.carol = user("alice", w.a), user("bob", w.a), user("carol", w.c)
	ad.Must(204, "POST", "/api/v1/groups/"+w.groupA+"/members", map[string]string{"userId": w.alice})
	return w
}

// browser keeps cookies and follows redirects within Sesame.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, env *sesametest.Env) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: env.Server.URL, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

type page struct {
	status int
	body   string
	url    *url.URL
	header http.Header
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(raw), url: resp.Request.URL, header: resp.Header}
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }

// login signs in through the login page, coming back to ret.
func (b *browser) login(user, password, ret string) page {
	b.t.Helper()
	p := b.do("POST", "/login", url.Values{"username": {user}, "password": {password}, "return": {ret}})
	if p.status != http.StatusOK || p.url.RequestURI() != ret {
		b.t.Fatalf("login as %s: %d at %s\n%.2000s", user, p.status, p.url, p.body)
	}
	return p
}

var (
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	nonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)
)

func field(t *testing.T, re *regexp.Regexp, p page) string {
	t.Helper()
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s on %s (%d):\n%.3000s", re, p.url, p.status, p.body)
	}
	return m[1]
}

// form reads a page's CSRF token (and nonce, when it has one) into v.
func (b *browser) form(path string, v url.Values) url.Values {
	b.t.Helper()
	p := b.get(path)
	v.Set("csrf", field(b.t, csrfRE, p))
	if m := nonceRE.FindStringSubmatch(p.body); m != nil && v.Get("nonce") == "" {
		v.Set("nonce", m[1])
	}
	return v
}
