package adminapi_test

import (
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestMessageTemplatesAPI: the shipped defaults are listed, an override is
// saved, read and reset to the default; an unknown placeholder is refused
// with 400 naming it; an account admin cannot touch the instance's
// templates (R-MSG-1).
func TestMessageTemplatesAPI(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ad := w.env.Admin()
			var list struct {
				Items []struct {
					Type, Language, Subject, Text string
					Custom                        bool
					Placeholders                  []string
				}
			}
			ad.Must(200, "GET", "/api/v1/message-templates", nil).JSON(t, &list)
			if len(list.Items) != 18 {
				t.Fatalf("%d templates listed, want 6 types × 3 languages", len(list.Items))
			}
			path := "/api/v1/message-templates/password_reset/de"
			if m := ad.Must(200, "GET", path, nil).Map(t); m["subject"] != "Passwort zurücksetzen" || m["custom"] != false {
				t.Fatalf("default: %v", m)
			}
			// An unknown placeholder: 400 naming it, nothing saved.
			r := ad.Do("PUT", path, map[string]string{"subject": "Reset", "text": "Hallo {{.Name}}, {{.Password}} {{.Link}}"})
			if r.Status != 400 || !strings.Contains(string(r.Body), "{{.Password}}") {
				t.Fatalf("unknown placeholder: %d %s", r.Status, r.Body)
			}
			for _, bad := range []map[string]string{
				{"subject": "x", "text": `{{template "y"}}`},
				{"subject": "x", "text": `{{call .Link}}`},
				{"subject": "x", "text": `{{.Link`},
				{"subject": "", "text": "t"},
			} {
				if r := ad.Do("PUT", path, bad); r.Status != 400 {
					t.Errorf("%v: %d %s", bad, r.Status, r.Body)
				}
			}
			if r := ad.Do("PUT", "/api/v1/message-templates/otp_sms/en", map[string]string{"subject": "no", "text": "{{.Code}}"}); r.Status != 400 {
				t.Errorf("SMS with a subject: %d", r.Status)
			}
			if r := ad.Do("PUT", "/api/v1/message-templates/nope/en", map[string]string{"subject": "a", "text": "b"}); r.Status != 404 {
				t.Errorf("unknown type: %d", r.Status)
			}
			if r := ad.Do("PUT", "/api/v1/message-templates/welcome/es", map[string]string{"subject": "a", "text": "b"}); r.Status != 404 {
				t.Errorf("unknown language: %d", r.Status)
			}
			saved := ad.Must(200, "PUT", path, map[string]string{"subject": "Neues Passwort für {{.Login}}", "text": "Link: {{.Link}}", "html": `<a href="{{.Link}}">Link</a>`}).Map(t)
			if saved["custom"] != true || saved["subject"] != "Neues Passwort für {{.Login}}" {
				t.Fatalf("saved: %v", saved)
			}
			if m := ad.Must(200, "GET", path, nil).Map(t); m["text"] != "Link: {{.Link}}" || m["updatedBy"] == "" {
				t.Errorf("read back: %v", m)
			}
			// An account admin (alice) sees none of it.
			alice := w.env.As("tenant-one/alice", pw)
			for _, c := range []struct{ method, path string }{{"GET", "/api/v1/message-templates"}, {"GET", path}, {"PUT", path}, {"DELETE", path}} {
				if r := alice.Do(c.method, c.path, map[string]string{"subject": "x", "text": "y"}); r.Status != 403 && r.Status != 404 {
					t.Errorf("alice %s %s: %d", c.method, c.path, r.Status)
				}
			}
			ad.Must(204, "DELETE", path, nil)
			if m := ad.Must(200, "GET", path, nil).Map(t); m["subject"] != "Passwort zurücksetzen" || m["custom"] != false {
				t.Errorf("after reset: %v", m)
			}
			audit := ad.Must(200, "GET", "/api/v1/audit?targetId=password_reset/de", nil).Map(t)
			if items, _ := audit["items"].([]any); len(items) != 2 {
				t.Errorf("audit of update and reset: %v", audit)
			}
		})
	}
}
