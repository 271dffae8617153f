package adminapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// formLogin posts the login page (optionally a tenant's, ?tenant=slug) and
// reports whether it signed in (a redirect) — without following it.
func formLogin(t *testing.T, env *sesametest.Env, tenant, user, pass string) bool {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"username": {user}, "password": {pass}, "return": {"/"}}
	if tenant != "" {
		form.Set("tenant", tenant)
	}
	resp, err := c.PostForm(env.Server.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusSeeOther
}

// me returns the id Basic auth as login resolves to, or "" on a 401.
func me(t *testing.T, env *sesametest.Env, login, pass string) string {
	t.Helper()
	r := env.As(login, pass).Do("GET", "/api/v1/me", nil)
	if r.Status != http.StatusOK {
		return ""
	}
	id, _ := r.Map(t)["id"].(string)
	return id
}

// tenantWithAdmin creates a tenant (slug derived from name unless given)
// and an administrator in it with every boolean cas right there.
func tenantWithAdmin(t *testing.T, env *sesametest.Env, name, slug, admin string) (tenantID, adminID string) {
	ad := env.Admin()
	body := map[string]any{"type": "tenant", "name": name, "parentId": env.RootID}
	if slug != "" {
		body["slug"] = slug
	}
	tenantID = ad.ID("POST", "/api/v1/contexts", body)
	g := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": tenantID, "name": "Tenant admins", "values": casAdminValues(t, ad)})
	adminID = ad.ID("POST", "/api/v1/users", map[string]any{"loginName": admin, "domain": "ENTERPRISE", "contexts": []string{tenantID}, "status": "active", "password": pw})
	ad.Must(204, "POST", "/api/v1/groups/"+g+"/members", map[string]string{"userId": adminID})
	return tenantID, adminID
}

// TestTenantAdminCannotHijackRootLogin (issue 8, item 7): a tenant admin
// creates "admin" in its tenant and renames the tenant "Root" (number and
// all). Root's admin still signs in with the plain name — on the login
// page, with HTTP Basic and through /api/v1/authorize — and the tenant's
// "admin" only as "slug/admin"; the slug cannot be changed or faked.
func TestTenantAdminCannotHijackRootLogin(t *testing.T) {
	t.Parallel()
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := sesametest.New(t, backend)
			rootAdmin := me(t, env, "admin", sesametest.AdminPassword)
			if rootAdmin == "" {
				t.Fatal("root admin cannot sign in")
			}
			evilT, _ := tenantWithAdmin(t, env, "Evil", "", "mallory")
			mallory := env.As("evil/mallory", pw)
			const evilPW = "evil-slate-harbor-quill-1"
			fakeAdmin := mallory.ID("POST", "/api/v1/users", map[string]any{"loginName": "admin", "domain": "ENTERPRISE", "contexts": []string{evilT}, "status": "active", "password": evilPW})
			mallory.Must(200, "PATCH", "/api/v1/contexts/"+evilT, map[string]any{"name": "Root", "number": "root"})
			for _, slug := range []string{"root", "evil2"} {
				if r := mallory.Do("PATCH", "/api/v1/contexts/"+evilT, map[string]any{"slug": slug}); r.Status != 400 || !strings.Contains(string(r.Body), "slug") {
					t.Errorf("tenant admin set the slug to %q: %d %s", slug, r.Status, r.Body)
				}
			}
			if r := env.Admin().Do("PATCH", "/api/v1/contexts/"+evilT, map[string]any{"slug": "root"}); r.Status != 400 {
				t.Errorf("root admin moved a tenant onto root's slug: %d %s", r.Status, r.Body)
			}
			if r := mallory.Do("POST", "/api/v1/users", map[string]any{"loginName": "root/admin", "domain": "ENTERPRISE", "contexts": []string{evilT}, "status": "active", "password": evilPW}); r.Status != 400 {
				t.Errorf("login name with a slash: %d %s", r.Status, r.Body)
			}

			for _, login := range []string{"admin", "ADMIN", "root/admin", "Root/admin"} {
				if got := me(t, env, login, sesametest.AdminPassword); got != rootAdmin {
					t.Errorf("Basic %q with root's password: %q, want root admin", login, got)
				}
				if !formLogin(t, env, "", login, sesametest.AdminPassword) {
					t.Errorf("login page %q with root's password refused", login)
				}
			}
			for _, login := range []string{"admin", "root/admin"} {
				if got := me(t, env, login, evilPW); got != "" {
					t.Errorf("Basic %q with the tenant's password signed in as %s", login, got)
				}
				if formLogin(t, env, "", login, evilPW) {
					t.Errorf("login page %q with the tenant's password signed in", login)
				}
			}
			// The tenant's own admin, by slug or on the tenant's login page.
			if got := me(t, env, "evil/admin", evilPW); got != fakeAdmin {
				t.Errorf("evil/admin: %q", got)
			}
			if !formLogin(t, env, "evil", "admin", evilPW) || formLogin(t, env, "evil", "admin", sesametest.AdminPassword) {
				t.Error("the tenant login page does not resolve plain names in its tenant")
			}
			// Tenant name, number or id do not name a tenant in logins any more.
			for _, login := range []string{evilT + "/admin", "Root/admin"} {
				if got := me(t, env, login, evilPW); got != "" {
					t.Errorf("%q signed in as %s", login, got)
				}
			}
			// /api/v1/authorize resolves logins the same way.
			var d decision
			pdp := env.MachineClient(t, "cas", map[string]any{"policyDecision": true})
			must200(t, bearer(env, pdp.Token)("POST", "/api/v1/authorize", map[string]any{"credentials": login("admin", sesametest.AdminPassword), "ip": "203.0.113.7", "module": "cas"})).JSON(t, &d)
			// The portal learns only allow/deny; the audit names the user the
			// login resolved to.
			var events struct{ Items []model.AuditEvent }
			env.Admin().Must(200, "GET", "/api/v1/audit?action=api.authorize&limit=50", nil).JSON(t, &events)
			if len(events.Items) == 0 || events.Items[0].TargetID != rootAdmin {
				t.Errorf("authorize admin resolved to %+v, want %s", events.Items, rootAdmin)
			}
		})
	}
}

// TestTenantSlugs: slugs are derived or given at creation, unique, shown in
// the API and fixed afterwards; bad ones are a 400 naming the field.
func TestTenantSlugs(t *testing.T) {
	t.Parallel()
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := sesametest.New(t, backend)
			ad := env.Admin()
			mk := func(body map[string]any) sesametest.Response {
				body["parentId"] = env.RootID
				return ad.Do("POST", "/api/v1/contexts", body)
			}
			if s := ad.Must(200, "GET", "/api/v1/contexts/"+env.RootID, nil).Map(t)["slug"]; s != "root" {
				t.Errorf("root slug %v", s)
			}
			a := mk(map[string]any{"type": "tenant", "name": "Acme Corp"})
			b := mk(map[string]any{"type": "tenant", "name": "Acme corp"})
			if a.Status != 201 || b.Status != 201 || a.Map(t)["slug"] != "acme-corp" || b.Map(t)["slug"] != "acme-corp-2" {
				t.Errorf("derived slugs: %s / %s", a.Body, b.Body)
			}
			for _, c := range []struct {
				body map[string]any
				want int
			}{
				{map[string]any{"type": "tenant", "name": "X", "slug": "acme-corp"}, 409},
				{map[string]any{"type": "tenant", "name": "X", "slug": "root"}, 409},
				{map[string]any{"type": "tenant", "name": "X", "slug": "Bad Slug"}, 400},
				{map[string]any{"type": "tenant", "name": "X", "slug": strings.Repeat("a", 64)}, 400},
				{map[string]any{"type": "account", "name": "X", "slug": "acct"}, 400},
				{map[string]any{"type": "tenant", "name": "X", "slug": 7}, 400},
			} {
				if r := mk(c.body); r.Status != c.want || !strings.Contains(string(r.Body), "slug") {
					t.Errorf("%v: %d %s, want %d", c.body, r.Status, r.Body, c.want)
				}
			}
			id := a.Map(t)["id"].(string)
			if r := ad.Do("PATCH", "/api/v1/contexts/"+id, map[string]any{"slug": "acme"}); r.Status != 400 {
				t.Errorf("slug changed: %d %s", r.Status, r.Body)
			}
			if r := ad.Must(200, "PATCH", "/api/v1/contexts/"+id, map[string]any{"name": "Renamed", "slug": "acme-corp"}).Map(t); r["slug"] != "acme-corp" {
				t.Errorf("rename: %v", r)
			}
		})
	}
}

// TestConfusableLoginNamesRefused (issue 8, item 12): a name whose UTS #39
// skeleton equals another user's in the same tenant is refused on create
// and rename (409); other tenants are not affected; a deleted user's name
// stays taken.
func TestConfusableLoginNamesRefused(t *testing.T) {
	t.Parallel()
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := sesametest.New(t, backend)
			ad := env.Admin()
			t1, _ := tenantWithAdmin(t, env, "One", "", "boss")
			t2, _ := tenantWithAdmin(t, env, "Two", "", "boss")
			user := func(tenant, login string) sesametest.Response {
				return ad.Do("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{tenant}, "status": "active", "password": pw})
			}
			alice := user(t1, "alice")
			if alice.Status != 201 {
				t.Fatalf("alice: %s", alice.Body)
			}
			for _, look := range []string{"аlice", "ALICE", "a1ice", "ａｌｉｃｅ", "boss", "b0ss", "BOSS"} {
				if r := user(t1, look); r.Status != 409 || !strings.Contains(string(r.Body), "loginName") {
					t.Errorf("look-alike %q in the same tenant: %d %s", look, r.Status, r.Body)
				}
			}
			if r := user(t2, "аlice"); r.Status != 201 {
				t.Errorf("look-alike in another tenant: %d %s", r.Status, r.Body)
			}
			bob := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "bob", "domain": "ENTERPRISE", "contexts": []string{t1}, "status": "active", "password": pw})
			if r := ad.Do("PATCH", "/api/v1/users/"+bob, map[string]any{"loginName": "аlicе"}); r.Status != 409 {
				t.Errorf("rename to a look-alike: %d %s", r.Status, r.Body)
			}
			ad.Must(200, "POST", "/api/v1/users/"+alice.Map(t)["id"].(string)+"/delete", nil)
			if r := user(t1, "alice"); r.Status != 409 {
				t.Errorf("a deleted user's name given again: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestLoginNamesArePRECISNormalised (issue 8, item 12): RFC 8265
// UsernameCasePreserved on create and rename (fullwidth letters are stored
// as ASCII), UsernameCaseMapped on login (Basic, login page).
func TestLoginNamesArePRECISNormalised(t *testing.T) {
	t.Parallel()
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := sesametest.New(t, backend)
			ad := env.Admin()
			t1, _ := tenantWithAdmin(t, env, "One", "", "boss")
			r := ad.Must(201, "POST", "/api/v1/users", map[string]any{"loginName": "Ｄａｎａ", "domain": "ENTERPRISE", "contexts": []string{t1}, "status": "active", "password": pw}).Map(t)
			if r["loginName"] != "Dana" {
				t.Errorf("stored %q, want Dana", r["loginName"])
			}
			id := r["id"].(string)
			for _, login := range []string{"one/dana", "one/DANA", "one/ｄａｎａ", "ONE/Ｄａｎａ", " one /dana"} {
				if got := me(t, env, login, pw); got != id {
					t.Errorf("Basic %q: %q", login, got)
				}
			}
			if !formLogin(t, env, "one", "ＤＡＮＡ", pw) || !formLogin(t, env, "", "one/ｄａｎａ", pw) {
				t.Error("login page does not apply UsernameCaseMapped")
			}
			if got := ad.Must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"loginName": "Ｄａｎｉ"}).Map(t)["loginName"]; got != "Dani" {
				t.Errorf("renamed to %q", got)
			}
			if me(t, env, "one/dani", pw) != id || me(t, env, "one/dana", pw) != "" {
				t.Error("rename not normalised")
			}
			for _, bad := range []string{"a b", "a\u200bb", "☃", "x\u0301\u0301\u0301/y"} {
				if r := ad.Do("POST", "/api/v1/users", map[string]any{"loginName": bad, "domain": "ENTERPRISE", "contexts": []string{t1}, "status": "active", "password": pw}); r.Status != 400 {
					t.Errorf("login name %q: %d %s", bad, r.Status, r.Body)
				}
			}
		})
	}
}
