package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestMessageTemplates: root previews an edit of the German welcome
// message (an unknown placeholder is refused with its name, a good edit
// renders with the placeholders standing for themselves and is not
// saved), saves it, and resets it; an account admin gets no settings.
func TestMessageTemplates(t *testing.T) {
	w := newWorld(t, "sqlite")
	b := newBrowser(t, w.env)
	b.login("admin", sesametest.AdminPassword, "/console/settings")
	path := "/console/settings/messages/welcome/de"
	p := b.do("POST", path, b.form(path, url.Values{"subject": {"Willkommen"}, "text": {"Hallo {{.Nope}}"}, "preview": {"1"}}))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Nope") {
		t.Fatalf("unknown placeholder: %d\n%.3000s", p.status, p.body)
	}
	p = b.do("POST", path, b.form(path, url.Values{"subject": {"Willkommen"}, "text": {"Hallo {{.Name}}, los geht's: {{.Link}}"}, "preview": {"1"}}))
	if p.status != 200 || !strings.Contains(p.body, "Hallo «Name», los geht&#39;s: «Link»") {
		t.Fatalf("preview: %d\n%.3000s", p.status, p.body)
	}
	if p := b.get(path); strings.Contains(p.body, "los geht") {
		t.Error("the preview saved the template")
	}
	p = b.do("POST", path, b.form(path, url.Values{"subject": {"Willkommen"}, "text": {"Hallo {{.Name}}, los geht's: {{.Link}}"}}))
	if !strings.Contains(p.body, "customised") || !strings.Contains(p.body, "los geht") {
		t.Fatalf("save:\n%.3000s", p.body)
	}
	p = b.do("POST", path, b.form(path, url.Values{"reset": {"1"}}))
	if !strings.Contains(p.body, "as shipped") || strings.Contains(p.body, "los geht") {
		t.Errorf("reset:\n%.3000s", p.body)
	}
	a := newBrowser(t, w.env)
	a.login("one/alice", pw, "/console/users")
	if p := a.get("/console/settings"); p.status != http.StatusNotFound && p.status != http.StatusForbidden {
		t.Errorf("account admin opens settings: %d", p.status)
	}
}
