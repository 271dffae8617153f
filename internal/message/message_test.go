package message_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

var ctx = context.Background()

// TestDefaultsShipped: every type has a valid default in en, de and fr.
func TestDefaultsShipped(t *testing.T) {
	for _, typ := range message.Types {
		for _, l := range message.Languages {
			d, ok := message.Default(typ, l)
			if !ok {
				t.Errorf("no default for %s/%s", typ, l)
				continue
			}
			if err := message.Validate(typ, d); err != nil {
				t.Errorf("default %s/%s does not validate: %v", typ, l, err)
			}
		}
	}
}

// TestValidateRefusesUnknownPlaceholders: a placeholder the type does not
// offer is refused by name, wherever it hides (R-MSG-1).
func TestValidateRefusesUnknownPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		tpl  message.Template
		name string // in the error
	}{
		{message.Template{Subject: "{{.Secret}}", Text: "x"}, "{{.Secret}}"},
		{message.Template{Subject: "s", Text: "{{if .Link}}{{.Password}}{{end}}"}, "{{.Password}}"},
		{message.Template{Subject: "s", Text: "{{range .Link}}{{end}}{{with .Hash}}{{end}}"}, "{{.Hash}}"},
		{message.Template{Subject: "s", Text: "{{printf \"%s\" .Token}}"}, "{{.Token}}"},
		{message.Template{Subject: "s", Text: "{{$.Other}}"}, "{{.Other}}"},
		{message.Template{Subject: "s", Text: "t", HTML: "<b>{{.User.Email}}</b>"}, "{{.User}}"},
	} {
		err := message.Validate(message.PasswordReset, tc.tpl)
		if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%+v: %v", tc.tpl, err)
		}
	}
	// Known ones with builtins are fine.
	if err := message.Validate(message.PasswordReset, message.Template{Subject: "Reset for {{.Login}}",
		Text: `{{if eq .Name ""}}Hello{{else}}Hello {{.Name}}{{end}}, {{printf "%s" .Link}} {{.ExpiresIn}}`}); err != nil {
		t.Error(err)
	}
	for _, bad := range []message.Template{
		{Subject: "s", Text: `{{define "x"}}y{{end}}`},
		{Subject: "s", Text: `{{call .Link}}`},
		{Subject: "s", Text: `{{index .Link 0}}`},
		{Subject: "a\nb", Text: "t"},
		{Subject: "s", Text: "t", HTML: `<a href="{{.Link}}`},
	} {
		if err := message.Validate(message.PasswordReset, bad); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
}

// TestRenderLanguageAndOverride: the user's language, English when it has
// none, an administrator's override before the default (R-MSG-1).
func TestRenderLanguageAndOverride(t *testing.T) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			url := "sqlite://" + filepath.Join(t.TempDir(), "s.db")
			if b == "postgres" {
				url = pgtest.DSN(t)
			}
			st, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			data := map[string]string{"Name": "<Zoé>", "Code": "123456", "ExpiresIn": "5 min"}
			for _, c := range []struct{ pref, lang, subject string }{
				{"fr-CA", "fr", "Votre code de connexion"}, {"DE", "de", "Ihr Anmeldecode"}, {"es", "en", "Your sign-in code"}, {"", "en", "Your sign-in code"},
			} {
				r, err := message.Render(ctx, st, message.OTPEmail, c.pref, data)
				if err != nil || r.Language != c.lang || r.Subject != c.subject || !strings.Contains(r.Text, "123456") || !strings.Contains(r.Text, "<Zoé>") {
					t.Errorf("%q: %+v %v", c.pref, r, err)
				}
			}
			tm := message.NewTemplates(st)
			if _, err := tm.Put(ctx, "admin", "", message.OTPEmail, "de", message.Template{Subject: "Code {{.Code}}", Text: "{{.Code}}", HTML: "<p>{{.Name}}</p>"}); err != nil {
				t.Fatal(err)
			}
			r, err := message.Render(ctx, st, message.OTPEmail, "de", data)
			if err != nil || r.Subject != "Code 123456" || r.HTML != "<p>&lt;Zoé&gt;</p>" {
				t.Errorf("override: %+v %v", r, err)
			}
			// An English override applies to languages without a template.
			if _, err := tm.Put(ctx, "admin", "", message.OTPSMS, "en", message.Template{Text: "Code: {{.Code}}"}); err != nil {
				t.Fatal(err)
			}
			if r, _ := message.Render(ctx, st, message.OTPSMS, "it", data); r.Text != "Code: 123456" {
				t.Errorf("English override for Italian: %+v", r)
			}
			if err := tm.Reset(ctx, "admin", "", message.OTPEmail, "de"); err != nil {
				t.Fatal(err)
			}
			if r, _ := message.Render(ctx, st, message.OTPEmail, "de", data); r.Subject != "Ihr Anmeldecode" {
				t.Errorf("after reset: %+v", r)
			}
			var _ storage.Storage = st
		})
	}
}
