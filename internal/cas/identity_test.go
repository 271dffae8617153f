package cas_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// signInTo opens app through a fresh browser, signs in on Sesame's login
// page (tenant: the page's ?tenant=, kept from /cas/login) and returns what
// the app, guarded by gopkg.in/cas.v2, shows.
func signInTo(t *testing.T, f *fixture, app, tenant, user string) string {
	t.Helper()
	c := browser(t)
	start := app
	if tenant != "" {
		start = f.env.Server.URL + "/cas/login?" + url.Values{"service": {app}, "tenant": {tenant}}.Encode()
	}
	resp, err := c.Get(start)
	page := body(t, resp, err)
	if !isLoginPage(page) {
		t.Fatalf("no login page for %s: %s", start, page)
	}
	q := resp.Request.URL.Query()
	if q.Get("tenant") != tenant || (tenant != "" && !strings.Contains(page, `name="tenant" value="`+tenant+`"`)) {
		t.Fatalf("the tenant was not kept through the flow: %s\n%s", resp.Request.URL, page)
	}
	form := url.Values{"username": {user}, "password": {pw}, "return": {q.Get("return")}}
	if tenant != "" {
		form.Set("tenant", tenant)
	}
	resp, err = c.PostForm(f.env.Server.URL+"/login", form)
	return body(t, resp, err)
}

// TestCASPrincipalUniqueAcrossTenants (issue 8, item 1): two users named
// alice in two tenants are two principals for every CAS service — the user
// id by default, "slug/login" for a tenantLogin service — as a CAS client
// library sees them; loginName stays an attribute. While a tenantLogin
// service exists, renames are refused (the principal never changes).
func TestCASPrincipalUniqueAcrossTenants(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		ids := map[string]string{}
		for _, tenant := range []string{"one", "two"} {
			tid := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Tenant " + tenant, "slug": tenant, "parentId": f.env.RootID})
			acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Shop", "parentId": tid})
			ids[tenant] = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "alice", "domain": "ENTERPRISE", "contexts": []string{acct},
				"status": "active", "password": pw, "person": map[string]string{"email": "alice@" + tenant + ".example"}})
		}
		app3 := protectedApp(t, f.env.Server.URL)
		app3URL := app3.URL + "/" // each sign-in has its own browser: no cookie mix-up
		tl := ad.ID("POST", "/api/v1/clients", map[string]any{"name": "Legacy", "module": "cas", "protocol": "cas", "casPrincipal": "tenantLogin", "servicePatterns": []string{app3URL + "*"}})

		for _, tenant := range []string{"one", "two"} {
			want := "hello " + ids[tenant] + " <alice@" + tenant + ".example> module=portal"
			if page := signInTo(t, f, f.app1URL, "", tenant+"/alice"); !strings.Contains(page, want) {
				t.Errorf("default principal, %s/alice: %q, want %q", tenant, page, want)
			}
			if page := signInTo(t, f, f.app1URL, tenant, "ALICE"); !strings.Contains(page, want) {
				t.Errorf("default principal on the tenant's login page, %s: %q", tenant, page)
			}
			want = "hello " + tenant + "/alice <alice@" + tenant + ".example> module=cas"
			if page := signInTo(t, f, app3URL, "", tenant+"/Alice"); !strings.Contains(page, want) {
				t.Errorf("tenantLogin principal, %s/alice: %q, want %q", tenant, page, want)
			}
		}
		// A plain "alice" is root's (there is none): no tenant's alice.
		if page := signInTo(t, f, f.app1URL, "", "alice"); !isLoginPage(page) {
			t.Errorf("plain alice signed in: %q", page)
		}

		// Renames would change (or hand over) a tenantLogin principal.
		if r := ad.Do("PATCH", "/api/v1/users/"+ids["one"], map[string]any{"loginName": "alicia"}); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "Legacy") {
			t.Errorf("rename with a tenantLogin service: %d %s", r.Status, r.Body)
		}
		ad.Must(200, "PATCH", "/api/v1/users/"+ids["one"], map[string]any{"loginName": "ALICE"}) // same login key
		ad.Must(204, "DELETE", "/api/v1/clients/"+tl, nil)
		if r := ad.Do("PATCH", "/api/v1/users/"+ids["one"], map[string]any{"loginName": "alicia"}); r.Status != 200 {
			t.Errorf("rename without tenantLogin services: %d %s", r.Status, r.Body)
		}
	})
}
