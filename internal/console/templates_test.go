package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestTemplatesCSV: root creates a template in the console, previews a CSV
// with one bad and one good row — each row checked, the bad one with its
// reason, nothing written — then imports a correct CSV (values replaced)
// and exports it again; an account admin cannot create templates.
func TestTemplatesCSV(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/templates")
	p := b.do("POST", "/console/templates", b.form("/console/templates", url.Values{"name": {"Portal user"}, "types": {"account", "tenant"}}))
	if p.status != 200 || !strings.HasPrefix(p.url.Path, "/console/templates/") {
		t.Fatalf("create template: %d at %s\n%.2000s", p.status, p.url, p.body)
	}
	path := p.url.Path
	bad := "module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,true\nportal,Nope,No such right,boolean,true\n"
	p = b.do("POST", path+"/import", b.form(path, url.Values{"csv": {bad}}))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "unknown ACL") || !strings.Contains(p.body, "1 row is wrong") ||
		strings.Contains(p.body, `id="apply-import"`) {
		t.Fatalf("preview of a bad CSV: %d\n%.4000s", p.status, p.body)
	}
	if p := b.get(path); !strings.Contains(p.body, "No values.") {
		t.Errorf("a preview wrote values")
	}
	good := "module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,true\n"
	p = b.do("POST", path+"/import", b.form(path, url.Values{"csv": {good}}))
	if p.status != 200 || !strings.Contains(p.body, `id="apply-import"`) || strings.Contains(p.body, `class="bad"`) {
		t.Fatalf("preview of a good CSV: %d\n%.4000s", p.status, p.body)
	}
	p = b.do("POST", path+"/import", b.form(path, url.Values{"csv": {good}, "apply": {"1"}}))
	if p.status != 200 || !strings.Contains(p.body, "SIM - Price Plan Modify") {
		t.Fatalf("apply: %d\n%.3000s", p.status, p.body)
	}
	if csv := b.get(path + "/csv"); !strings.Contains(csv.body, "portal,SIM Cards,SIM - Price Plan Modify,boolean,true") ||
		!strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") {
		t.Errorf("export: %q %q", csv.header.Get("Content-Type"), csv.body)
	}
	a := newBrowser(t, w.env)
	a.login("one/alice", pw, "/console/users")
	if p := a.do("POST", "/console/templates", a.form("/console/contexts/"+w.a, url.Values{"name": {"evil"}, "nonce": {"AAAAAAAAAAAAAAAAAAAAAA"}})); p.status != http.StatusNotFound {
		t.Errorf("account admin creates a template: %d\n%.2000s", p.status, p.body)
	}
	if p := b.get("/console/templates"); strings.Contains(p.body, "evil") {
		t.Error("the account admin's template was created")
	}
}
