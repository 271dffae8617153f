package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestBrowserConsole (issue 13) walks the admin console in Chromium as an
// operator: the console sends the browser through the login page and back;
// they create a tenant and an account below it, a group from an ACL
// template, a user in the account, put the user in the group, read the
// user's effective rights with the group that set them, and deactivate
// the user. Then an account admin of another account signs in: direct URLs
// to the operator's new user, group and account are "not found" pages,
// and her user list does not show them. Every main page is screenshotted
// into the artifacts folder and audited with axe-core in the same browser:
// no critical violation.
func TestBrowserConsole(t *testing.T) {
	exe := chromium(t)
	axe := axeScript(t)
	dir := artifacts(t)
	env := sesametest.New(t, "sqlite")
	ad := env.Admin()
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
	tmpl := ad.ID("POST", "/api/v1/templates", map[string]any{"name": "Account admin", "contextTypes": []string{"account", "tenant"}, "values": vals})
	// Another account with its own admin, who must not see the operator's.
	other := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Umbrella", "number": "U-9", "parentId": env.RootID})
	og := ad.ID("POST", "/api/v1/groups", map[string]any{"contextId": other, "name": "Umbrella admins", "templateId": tmpl})
	alice := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "alice", "domain": "ENTERPRISE", "contexts": []string{other}, "status": "active",
		"password": "umbrella-corp-admin-42"})
	ad.Must(204, "POST", "/api/v1/groups/"+og+"/members", map[string]string{"userId": alice})

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	b := startChrome(t, ctx, exe, chromedp.WindowSize(1280, 900))
	do, read := b.do, b.read
	base := env.Server.URL
	text := func(name string, sel chromedp.ID) string { return read(name, chromedp.Text(sel)) }
	heading := func(h1 string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space(text())="` + h1 + `"]`))
	}
	loc := func() string { return read("location", chromedp.Location()) }

	// Not signed in: the login page, then back to the page asked for.
	do("open the console", chromedp.Navigate(base+"/console/contexts/"+env.RootID), chromedp.WaitVisible(chromedp.ID("username")))
	do("sign in", chromedp.SendKeys(chromedp.ID("username"), "admin"), chromedp.SendKeys(chromedp.ID("password"), sesametest.AdminPassword),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("create-context")))
	if l := loc(); l != base+"/console/contexts/"+env.RootID {
		t.Fatalf("after sign-in at %s", l)
	}
	b.audit("root context", axe)

	// A tenant, then an account below it.
	do("new tenant", chromedp.SetValue(chromedp.ID("f-type"), "tenant"), chromedp.SendKeys(chromedp.ID("f-name"), "Initech"),
		chromedp.Click(chromedp.ID("create-context")), heading("Initech"))
	do("new account", chromedp.SetValue(chromedp.ID("f-type"), "account"), chromedp.SendKeys(chromedp.ID("f-name"), "Initech Berlin"),
		chromedp.SendKeys(chromedp.ID("f-number"), "IB-1"), chromedp.Click(chromedp.ID("create-context")), heading("Initech Berlin"))
	account := strings.TrimPrefix(loc(), base+"/console/contexts/")
	account, _, _ = strings.Cut(account, "?")

	// A group from the template.
	do("new group", chromedp.SendKeys(chromedp.ID("g-name"), "Berlin admins"), chromedp.SetValue(chromedp.ID("f-template"), tmpl),
		chromedp.Click(chromedp.ID("create-group")), heading("Berlin admins"))
	group, _, _ := strings.Cut(strings.TrimPrefix(loc(), base+"/console/groups/"), "?")
	do("the group's cas rights", chromedp.Navigate(base+"/console/groups/"+group+"?module=cas"),
		chromedp.WaitVisible(chromedp.CSS(`select[name="b|cas|CAS users - Read"]`)))
	if v := read("a templated right", chromedp.Value(chromedp.CSS(`select[name="b|cas|CAS users - Read"]`))); v != "1" {
		t.Errorf("the group's CAS users - Read is %q, want true (1) from the template", v)
	}
	b.screenshot(dir, "console-group")
	b.audit("group", axe)

	// A user in the account: a wrong email first, shown at the field.
	do("account page", chromedp.Navigate(base+"/console/contexts/"+account), chromedp.WaitVisible(chromedp.ID("new-user-here")))
	b.screenshot(dir, "console-context")
	do("new user form", chromedp.Click(chromedp.ID("new-user-here")), chromedp.WaitVisible(chromedp.ID("create-user")))
	b.audit("new user", axe)
	do("fill in", chromedp.SendKeys(chromedp.ID("f-loginName"), "erin"), chromedp.SendKeys(chromedp.ID("f-firstName"), "Erin"),
		chromedp.SendKeys(chromedp.ID("f-lastName"), "Example"), chromedp.SendKeys(chromedp.ID("f-email"), "erin-at-example"),
		chromedp.SendKeys(chromedp.ID("f-password"), "copper-meadow-lark-456"), chromedp.Click(chromedp.ID("create-user")),
		chromedp.WaitVisible(chromedp.ID("e-f-email")))
	b.screenshot(dir, "console-user-error")
	b.audit("new user with an error", axe)
	do("correct the email", chromedp.SetValue(chromedp.ID("f-email"), "erin@initech.example"),
		chromedp.SendKeys(chromedp.ID("f-password"), "copper-meadow-lark-456"), chromedp.Click(chromedp.ID("create-user")),
		chromedp.WaitVisible(chromedp.ID("user-login")))
	erin, _, _ := strings.Cut(strings.TrimPrefix(loc(), base+"/console/users/"), "?")
	if s := text("status", "user-status"); s != "Active" {
		t.Errorf("new user status %q", s)
	}
	do("join the group", chromedp.SetValue(chromedp.ID("add-group"), group+"|"+account), chromedp.Click(chromedp.ID("add-membership")),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="user-groups"]//a[text()="Berlin admins"]`)))
	b.screenshot(dir, "console-user")
	b.audit("user", axe)

	// Effective rights: every right, and the group that set it.
	do("rights", chromedp.Click(chromedp.ID("user-rights")), chromedp.WaitVisible(chromedp.ID("show-rights")),
		chromedp.SetValue(chromedp.ID("f-module"), "cas"),
		// The page before the click may already show a table: mark it, and
		// wait for the answer to this form, not for the old page's table.
		chromedp.Evaluate[chromedp.Void](`document.body.setAttribute("data-old", "1")`),
		chromedp.Click(chromedp.ID("show-rights")),
		chromedp.WaitVisible(chromedp.Search(`//body[not(@data-old)]//tr[@data-right="CAS users - Read"]/td[contains(@class,"why")]`)))
	why := read("why", chromedp.Text(chromedp.CSS(`tr[data-right="CAS users - Read"] td.why`)))
	val := read("value", chromedp.Text(chromedp.CSS(`tr[data-right="CAS users - Read"] td.value`)))
	if val != "true" || !strings.Contains(why, "Berlin admins") {
		t.Errorf("effective CAS users - Read: %q set by %q", val, why)
	}
	b.screenshot(dir, "console-rights")
	b.audit("rights", axe)

	// Deactivate: only reactivate and delete remain.
	do("deactivate", chromedp.Navigate(base+"/console/users/"+erin), chromedp.Click(chromedp.ID("action-deactivate")),
		chromedp.WaitVisible(chromedp.ID("action-reactivate")))
	if s := text("status", "user-status"); s != "Inactive" {
		t.Errorf("after deactivate: %q", s)
	}
	do("delete confirmation", chromedp.Click(chromedp.ID("action-delete")), chromedp.WaitVisible(chromedp.ID("confirm-delete")))
	if s := text("explanation", "delete-explain"); !strings.Contains(s, "anonymises") {
		t.Errorf("delete confirmation: %q", s)
	}
	b.audit("delete confirmation", axe)

	for _, p := range []struct{ name, path, wait string }{
		{"console-users", "/console/users", "users"},
		{"console-contexts", "/console/contexts?q=initech", "contexts"},
		{"console-audit", "/console/audit", "audit"},
		{"console-branding", "/console/branding/" + env.RootID, "branding-form"},
		{"console-templates", "/console/templates/" + tmpl, "template-values"},
		{"console-clients", "/console/clients", "clients"},
		{"console-connections", "/console/connections", "connections"},
		{"console-settings", "/console/settings", "messages"},
		{"console-message", "/console/settings/messages/welcome/de", "preview-message"},
	} {
		do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.ID(p.wait)))
		b.screenshot(dir, p.name)
		b.audit(p.name, axe)
		if p.wait == "users" {
			if s := read("users", chromedp.Text(chromedp.ID("users"))); !strings.Contains(s, "erin") {
				t.Errorf("user list without erin: %q", s)
			}
		}
	}

	// A SAML connection of the tenant: pasted XML that is not metadata is
	// shown at its field; the IdP's metadata file makes the connection,
	// whose page shows the values to give the IdP's administrator.
	metadata := filepath.Join(t.TempDir(), "idp-metadata.xml")
	if err := os.WriteFile(metadata, []byte(samltest.New(t).Metadata()), 0o600); err != nil {
		t.Fatal(err)
	}
	do("SAML form", chromedp.Navigate(base+"/console/connections"), chromedp.WaitVisible(chromedp.ID("create-saml")),
		chromedp.SendKeys(chromedp.ID("f-samlTenant"), "Initech"), chromedp.SendKeys(chromedp.ID("f-samlName"), "Initech ADFS"),
		chromedp.SendKeys(chromedp.ID("f-idpMetadata"), "<nope"), chromedp.Click(chromedp.ID("create-saml")), chromedp.WaitVisible(chromedp.ID("e-f-idpMetadata")))
	b.audit("SAML form with an error", axe)
	do("upload the metadata", chromedp.SetValue(chromedp.ID("f-samlPreset"), "adfs"),
		chromedp.SetUploadFiles(chromedp.ID("f-metadataFile"), []string{metadata}),
		chromedp.Click(chromedp.ID("create-saml")), chromedp.WaitVisible(chromedp.ID("sp-entity-id")))
	samlConn, _, _ := strings.Cut(strings.TrimPrefix(loc(), base+"/console/connections/"), "?")
	if s := text("SP entity id", "sp-entity-id"); s != saml.EntityID(base, samlConn) {
		t.Errorf("SP entity id %q", s)
	}
	b.screenshot(dir, "console-saml-connection")
	b.audit("SAML connection", axe)

	// The account admin of another account.
	do("sign out", chromedp.Navigate(base+"/logout"), chromedp.WaitVisible(chromedp.ID("confirm-logout")),
		chromedp.Click(chromedp.ID("confirm-logout")), chromedp.WaitVisible(chromedp.ID("message")))
	do("alice signs in", chromedp.Navigate(base+"/console/users"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"), chromedp.SendKeys(chromedp.ID("password"), "umbrella-corp-admin-42"),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("users")))
	if s := read("alice's users", chromedp.Text(chromedp.ID("users"))); strings.Contains(s, "erin") || !strings.Contains(s, "alice") {
		t.Errorf("alice's user list: %q", s)
	}
	for _, path := range []string{"/console/users/" + erin, "/console/groups/" + group, "/console/contexts/" + account, "/console/connections/" + samlConn} {
		do("alice opens "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("message")))
		if h := read("heading", chromedp.Text(chromedp.CSS("h1"))); h != "Not found" {
			t.Errorf("%s as alice: %q, want Not found", path, h)
		}
		if body := read("page", chromedp.Text(chromedp.CSS("main"))); strings.Contains(body, "erin") || strings.Contains(body, "Berlin") {
			t.Errorf("%s leaked: %q", path, body)
		}
	}
	b.screenshot(dir, "console-not-found")
	b.audit("not found", axe)
}
