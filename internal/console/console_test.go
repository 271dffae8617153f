package console_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSignInAndBack: without a session every console URL leads through the
// login page and back to the very page asked for (an expired session
// too), in the user's language.
func TestSignInAndBack(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	p := b.get("/console/users?q=bo")
	if p.url.Path != "/login" || p.url.Query().Get("return") != "/console/users?q=bo" {
		t.Fatalf("unauthenticated: at %s", p.url)
	}
	// A form posted without a session goes to the login page and back to
	// the page it came from.
	other := newBrowser(t, w.env)
	req, _ := http.NewRequest("POST", b.base+"/console/users/"+w.bob+"/lifecycle", strings.NewReader("action=deactivate"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", b.base+"/console/users/"+w.bob+"?x=1")
	resp, err := other.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" || resp.Request.URL.Query().Get("return") != "/console/users/"+w.bob+"?x=1" {
		t.Errorf("expired post: at %s", resp.Request.URL)
	}
	p = b.login("admin", sesametest.AdminPassword, "/console/users?q=bo")
	if !strings.Contains(p.body, `id="users"`) || !strings.Contains(p.body, ">bob<") || strings.Contains(p.body, ">alice<") {
		t.Errorf("search after sign-in:\n%.3000s", p.body)
	}
}

// TestModuleAccess: a user who may not enter module cas (assigned only to
// a customer context, R-MOD-1) gets a 403 page, not the console.
func TestModuleAccess(t *testing.T) {
	w := newWorld(t, "sqlite")
	ad := w.env.Admin()
	cust := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "customer", "name": "Cust", "parentId": w.a})
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "cuss", "domain": "ENTERPRISE", "contexts": []string{cust}, "status": "active", "password": pw})
	b := newBrowser(t, w.env)
	b.login("one/cuss", pw, "/account")
	if p := b.get("/console/users"); p.status != http.StatusForbidden || !strings.Contains(p.body, "No access to user management") {
		t.Errorf("customer user: %d\n%.2000s", p.status, p.body)
	}
}

// TestUserLifecycle walks a user through the console as a root admin: a
// bad email is shown next to its field and creates nothing; a double
// submit of the create form makes one user; a stale person edit is
// refused and explained; deactivate shows only reactivate/delete; delete
// explains anonymisation first, then anonymises.
func TestUserLifecycle(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			b := newBrowser(t, w.env)
			b.login("admin", sesametest.AdminPassword, "/console/users")
			v := b.form("/console/users/new?context=A-100", url.Values{"loginName": {"dora"}, "domain": {"ENTERPRISE"}, "context": {"A-100"},
				"status": {"active"}, "firstName": {"Dora"}, "email": {"not an email"}})
			p := b.do("POST", "/console/users", v)
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="e-f-email"`) || !strings.Contains(p.body, `aria-invalid="true"`) ||
				!strings.Contains(p.body, `value="dora"`) {
				t.Fatalf("bad email: %d\n%.4000s", p.status, p.body)
			}
			if n := countUsers(t, w, "dora"); n != 0 {
				t.Fatalf("a refused form created %d users", n)
			}
			// The corrected form, sent twice with the same nonce.
			v = b.form("/console/users/new", url.Values{"loginName": {"dora"}, "domain": {"ENTERPRISE"}, "context": {"A-100"},
				"status": {"active"}, "firstName": {"Dora"}, "email": {"dora@example.com"}})
			p1 := b.do("POST", "/console/users", v)
			p2 := b.do("POST", "/console/users", v)
			if p1.status != 200 || p2.status != 200 || p1.url.Path != p2.url.Path || !strings.HasPrefix(p1.url.Path, "/console/users/") {
				t.Fatalf("double submit: %d at %s, %d at %s\n%.2000s", p1.status, p1.url, p2.status, p2.url, p2.body)
			}
			if n := countUsers(t, w, "dora"); n != 1 {
				t.Fatalf("double submit created %d users", n)
			}
			userPath := p1.url.Path
			id := strings.TrimPrefix(userPath, "/console/users/")
			// A stale edit: the form is read, the user changes meanwhile.
			stale := b.form(userPath, url.Values{"firstName": {"Dorothea"}, "email": {"dora@example.com"}})
			stale.Set("version", field(t, versionRE, b.get(userPath)))
			w.env.Admin().Must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"person": map[string]string{"firstName": "Doro", "email": "dora@example.com"}})
			p = b.do("POST", userPath+"/person", stale)
			if p.status != http.StatusConflict || !strings.Contains(p.body, "Someone else changed this meanwhile") || !strings.Contains(p.body, `value="Doro"`) {
				t.Fatalf("stale edit: %d\n%.3000s", p.status, p.body)
			}
			// Deactivate: the page then offers reactivate and delete only.
			p = b.do("POST", userPath+"/lifecycle", b.form(userPath, url.Values{"action": {"deactivate"}}))
			if !strings.Contains(p.body, `id="action-reactivate"`) || strings.Contains(p.body, `id="action-deactivate"`) ||
				!strings.Contains(p.body, `id="action-delete"`) || !strings.Contains(p.body, "Inactive") {
				t.Fatalf("after deactivate:\n%.3000s", p.body)
			}
			p = b.get(userPath + "/delete")
			if !strings.Contains(p.body, "anonymises") || !strings.Contains(p.body, "cannot be undone") {
				t.Errorf("delete confirmation does not explain anonymisation:\n%.2000s", p.body)
			}
			p = b.do("POST", userPath+"/delete", b.form(userPath+"/delete", url.Values{}))
			if p.status != 200 || !strings.Contains(p.body, "deleted-") || strings.Contains(p.body, "Doro") || strings.Contains(p.body, `id="action-`) {
				t.Errorf("after delete:\n%.3000s", p.body)
			}
		})
	}
}

var versionRE = regexp.MustCompile(`name="version" value="([0-9]+)"`)

func countUsers(t *testing.T, w *world, login string) int {
	var l struct{ Items []struct{ LoginName string } }
	w.env.Admin().Must(200, "GET", "/api/v1/users?q="+login, nil).JSON(t, &l)
	n := 0
	for _, u := range l.Items {
		if u.LoginName == login {
			n++
		}
	}
	return n
}

// TestAccountAdminIsolation: alice administers account A only. Direct
// URLs to another account's or tenant's user, group, context and branding
// are "not found" pages; her lists show A only; a form posted without the
// session's CSRF token changes nothing.
func TestAccountAdminIsolation(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			b := newBrowser(t, w.env)
			b.login("one/alice", pw, "/console/users")
			for _, path := range []string{"/console/users/" + w.carol, "/console/users/" + w.carol + "/delete", "/console/groups/" + w.groupC,
				"/console/contexts/" + w.c, "/console/contexts/" + w.b, "/console/branding/" + w.t2, "/console/rights?user=" + w.carol} {
				p := b.get(path)
				if p.status != http.StatusNotFound && p.status != http.StatusForbidden && p.status != http.StatusBadRequest {
					t.Errorf("%s as alice: %d, want 403/404", path, p.status)
				}
				if strings.Contains(p.body, "carol") || strings.Contains(p.body, "Gamma") {
					t.Errorf("%s leaked another account:\n%.1500s", path, p.body)
				}
			}
			if p := b.get("/console/users/" + w.carol); p.status != http.StatusNotFound || !strings.Contains(p.body, "not within the contexts you administer") {
				t.Errorf("other account's user: %d\n%.1500s", p.status, p.body)
			}
			// Posts to the other account's objects change nothing.
			v := b.form("/console/users/"+w.bob, url.Values{"action": {"deactivate"}})
			if p := b.do("POST", "/console/users/"+w.carol+"/lifecycle", v); p.status != http.StatusNotFound {
				t.Errorf("deactivate carol as alice: %d", p.status)
			}
			p := b.get("/console/users?q=a")
			if strings.Contains(p.body, ">carol<") || !strings.Contains(p.body, ">bob<") {
				t.Errorf("alice's user list:\n%.3000s", p.body)
			}
			if p := b.get("/console/contexts?q=a"); strings.Contains(p.body, "Gamma") || strings.Contains(p.body, "Beta") || !strings.Contains(p.body, "Acme") {
				t.Errorf("alice's context search:\n%.3000s", p.body)
			}
			// CSRF: no token, nothing happens.
			if p := b.do("POST", "/console/users/"+w.bob+"/lifecycle", url.Values{"action": {"deactivate"}}); p.status != http.StatusForbidden {
				t.Errorf("post without the CSRF token: %d", p.status)
			}
			var u struct{ Status string }
			w.env.Admin().Must(200, "GET", "/api/v1/users/"+w.bob, nil).JSON(t, &u)
			w.env.Admin().Must(200, "GET", "/api/v1/users/"+w.carol, nil)
			if u.Status != "active" {
				t.Errorf("bob is %s after refused posts", u.Status)
			}
		})
	}
}

// TestGroupFromTemplateAndRights: alice makes a group from a template in
// her account, puts bob in it, and the rights viewer shows bob's rights
// with the group that set them; a stale group edit is refused.
func TestGroupFromTemplateAndRights(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("one/alice", pw, "/console/contexts/"+w.a)
	v := b.form("/console/contexts/"+w.a, url.Values{"name": {"Helpdesk"}, "template": {w.tmpl}, "roles": {"helpdesk, support"}})
	// The page has two nonces (child context, group): the group form's is
	// the second.
	all := nonceRE.FindAllStringSubmatch(b.get("/console/contexts/"+w.a).Body(), -1)
	v.Set("nonce", all[1][1])
	p := b.do("POST", "/console/contexts/"+w.a+"/groups", v)
	if p.status != 200 || !strings.HasPrefix(p.url.Path, "/console/groups/") || !strings.Contains(p.body, "Helpdesk") {
		t.Fatalf("create group: %d at %s\n%.3000s", p.status, p.url, p.body)
	}
	gpath := p.url.Path
	if !strings.Contains(p.body, `value="helpdesk, support"`) || strings.Contains(p.body, "User Preferences") {
		t.Errorf("group page:\n%.3000s", p.body)
	}
	p = b.do("POST", gpath+"/members", b.form(gpath, url.Values{"user": {"bob"}}))
	if !strings.Contains(p.body, ">bob<") {
		t.Fatalf("member not added:\n%.3000s", p.body)
	}
	p = b.get("/console/rights?user=bob&module=cas")
	if p.status != 200 || !strings.Contains(p.body, `data-right="CAS users - Read" class="assigned"`) || !strings.Contains(p.body, "Helpdesk") {
		t.Errorf("rights of bob:\n%.4000s", p.body)
	}
	// The template as the account's access policy.
	p = b.do("POST", "/console/contexts/"+w.a+"/policy", b.form("/console/contexts/"+w.a, url.Values{"template": {w.tmpl}}))
	if !strings.Contains(p.body, "This context has an access policy of") {
		t.Errorf("policy from a template:\n%.3000s", p.body)
	}
	// Stale: the version on the form is older than the stored group.
	stale := b.form(gpath, url.Values{"name": {"Helpdesk 2"}})
	stale.Set("version", field(t, versionRE, b.get(gpath)))
	b.do("POST", gpath, b.form(gpath, url.Values{"name": {"Helpdesk 1"}, "version": {field(t, versionRE, b.get(gpath))}}))
	if p := b.do("POST", gpath, stale); p.status != http.StatusConflict || !strings.Contains(p.body, "Helpdesk 1") {
		t.Errorf("stale group edit: %d\n%.2000s", p.status, p.body)
	}
}

func (p page) Body() string { return p.body }

// TestBranding: root saves tenant two's branding in the console (PNG logo,
// accent colour); its login page (/login?tenant=two) and its users' account
// page show them, other tenants' pages do not; the logo is served as an
// image; an SVG upload is refused next to the field.
func TestBranding(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/branding/"+w.t2)
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	send := func(logo []byte, name, version string) page {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		v := b.form("/console/branding/"+w.t2, url.Values{})
		_ = mw.WriteField("csrf", v.Get("csrf"))
		_ = mw.WriteField("version", version)
		_ = mw.WriteField("displayName", "Initech Sign-in")
		_ = mw.WriteField("accentColor", "#aa3300")
		fw, _ := mw.CreateFormFile("logo", name)
		_, _ = fw.Write(logo)
		mw.Close()
		req, _ := http.NewRequest("POST", b.base+"/console/branding/"+w.t2, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		return page{status: resp.StatusCode, body: out.String(), url: resp.Request.URL}
	}
	if p := send([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "x.svg", "0"); p.status != 400 || !strings.Contains(p.body, `id="e-f-logo"`) {
		t.Errorf("svg logo: %d\n%.2000s", p.status, p.body)
	}
	if p := send(img.Bytes(), "logo.png", "0"); p.status != 200 || !strings.Contains(p.body, `id="current-logo"`) {
		t.Fatalf("save branding: %d\n%.2000s", p.status, p.body)
	}
	if p := send(img.Bytes(), "logo.png", "0"); p.status != http.StatusConflict || !strings.Contains(p.body, "Someone else changed this") {
		t.Errorf("stale branding save: %d", p.status)
	}
	anon := newBrowser(t, w.env)
	p := anon.get("/login?tenant=two")
	if !strings.Contains(p.body, `id="brand-name">Initech Sign-in<`) || !strings.Contains(p.body, `id="brand-logo"`) ||
		!strings.Contains(p.body, "--accent: #aa3300") || !strings.Contains(p.body, "<title>Sign in · Initech Sign-in</title>") {
		t.Errorf("tenant two's login page:\n%.2000s", p.body)
	}
	if p := anon.get("/login?tenant=one"); strings.Contains(p.body, "Initech") {
		t.Errorf("tenant one's login page shows tenant two's branding")
	}
	logo := anon.get("/branding/" + w.t2 + "/logo")
	if logo.status != 200 || logo.header.Get("Content-Type") != "image/png" || logo.body != img.String() {
		t.Errorf("logo: %d %q", logo.status, logo.header.Get("Content-Type"))
	}
	if p := anon.get("/branding/" + w.t1 + "/logo"); p.status != 404 {
		t.Errorf("tenant without a logo: %d", p.status)
	}
	// A user of tenant two signed in: their account page is branded too
	// (the session's tenant), a tenant-one user's is not.
	if p := newBrowser(t, w.env).login("two/carol", pw, "/account"); !strings.Contains(p.body, `id="brand-name">Initech Sign-in<`) {
		t.Errorf("tenant two's account page:\n%.1500s", p.body)
	}
	if p := newBrowser(t, w.env).login("one/bob", pw, "/account"); strings.Contains(p.body, "Initech") {
		t.Error("tenant one's account page shows tenant two's branding")
	}
}
