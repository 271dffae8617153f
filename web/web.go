// Package web holds the server-rendered pages (login, errors, logout) as
// embedded html/template files: no JavaScript build step. Every word a
// page shows comes from the i18n catalogs (issue 9 §5): templates call
// {{t "key"}} or {{t .Field}} (an i18n.Msg), and <html lang> is the
// chosen language.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/i18n"
)

//go:embed templates/*.html
var files embed.FS

// pageNames are the pages: every templates/*.html but the layout; each
// defines "title" and "content" and is rendered through "layout".
func pageNames() ([]string, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		n = strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		// "_name" files hold partials every page may use (the console's
		// navigation), not pages.
		if n != "layout" && !strings.HasPrefix(n, "_") {
			out = append(out, n)
		}
	}
	return out, nil
}

// parse parses every page with the template functions bound to loc.
func parse(loc *i18n.Localizer) (map[string]*template.Template, error) {
	pages, err := pageNames()
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		// t prints a catalog key (with args) or an i18n.Msg.
		"t": func(v any, args ...any) (string, error) {
			switch v := v.(type) {
			case string:
				return loc.T(v, args...), nil
			case i18n.Msg:
				return loc.M(v), nil
			default:
				return "", fmt.Errorf("t: want a key or an i18n.Msg, got %T", v)
			}
		},
		"lang": loc.Lang,
		// dict builds the argument map of a partial ("input").
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	out := map[string]*template.Template{}
	for _, page := range pages {
		t, err := template.New(page).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/_*.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", page, err)
		}
		out[page] = t
	}
	return out, nil
}

// Pages renders templates in the request's language.
type Pages struct {
	bundle *i18n.Bundle
	// t holds the pages per language (Localizer.Lang): the functions are
	// bound at parse time, so a render clones nothing.
	t      map[string]map[string]*template.Template
	pseudo bool
	// UserLanguage, when set, returns the preferred language of the user
	// signed in on r ("" for none); the server wires it to the session.
	UserLanguage func(r *http.Request) string
	// Log receives template errors (nil: discarded).
	Log *slog.Logger
	// Brand, when set, returns the branding of the tenant r's login is
	// for (issue 13 §10); the zero Brand is Sesame's own look.
	Brand func(r *http.Request) Brand
}

// Brand is a tenant's look on every page: its display name (in the title
// and heading), logo and accent colour (validated #rrggbb, so safe in
// the style sheet).
type Brand struct {
	Name    string
	LogoURL string
	Accent  template.CSS
}

// layoutData is what the layout executes: the page's data (handed to the
// page's "title" and "content") and the brand.
type layoutData struct {
	Page  any
	Brand Brand
}

// NewPages parses the embedded templates once per shipped language.
func NewPages() (*Pages, error) {
	b, err := i18n.New()
	if err != nil {
		return nil, err
	}
	p := &Pages{bundle: b, t: map[string]map[string]*template.Template{}}
	for _, tag := range i18n.Supported() {
		loc := b.Localizer(tag)
		if p.t[loc.Lang()], err = parse(loc); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Bundle is the catalog the pages use.
func (p *Pages) Bundle() *i18n.Bundle { return p.bundle }

// Localizer is the language of r (i18n.Bundle.Match): the signed-in
// user's preference (set on the context by a handler that knows the user,
// else from UserLanguage), the ui_locales recorded on the context, the
// Accept-Language header, English.
func (p *Pages) Localizer(r *http.Request) *i18n.Localizer {
	if p.pseudo {
		return i18n.Pseudo()
	}
	ctx := r.Context()
	user, ok := i18n.UserLanguage(ctx)
	if !ok && p.UserLanguage != nil {
		user = p.UserLanguage(r)
	}
	return p.bundle.Localizer(p.bundle.Match(user, i18n.UILocales(ctx), r.Header.Get("Accept-Language")))
}

// LogoutForm is the data of the "logout" page: the confirmation a GET
// logout without proof of the user's intent gets (issue 8 item 11). The
// form posts Fields back to Action with the session's CSRF token.
type LogoutForm struct {
	Action string
	CSRF   string
	Fields []Field
}

// Field is a hidden form field.
type Field struct{ Name, Value string }

// FormField is one field of a console form as shown again: the value the
// user sent and, when refused, why (a catalog message and the server's
// own reason, which names the rule).
type FormField struct {
	Value  string
	Err    i18n.Msg
	Detail string
}

// Form is a console form's fields by name; a missing name is empty.
type Form map[string]FormField

// Message is the data of the "message" page. The texts are catalog
// messages, never English strings.
type Message struct {
	Title, Message i18n.Msg
	// Detail, when set, is shown as is under "for the application's
	// administrator" (an OAuth error description: for the developer).
	Detail   string
	Link     string
	LinkText i18n.Msg
}

// SAMLPostScript is the saml_post page's only script: it submits the
// HTTP-POST binding form (SAML bindings §3.5.4) at once.
const SAMLPostScript = `document.getElementById("samlpost").submit()`

// pageScripts are the inline scripts a page may run, exactly as its
// template holds them (TestPageScripts checks); every other page runs none.
var pageScripts = map[string]string{"saml_post": SAMLPostScript}

// Render writes page with status in r's language. The page is executed
// into a buffer first, so a template error is a clean 500 rather than
// half a page (DESIGN small habit 11).
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	loc := p.Localizer(r)
	var buf bytes.Buffer
	err := fmt.Errorf("no page %q", page)
	if t, ok := p.t[loc.Lang()][page]; ok {
		d := layoutData{Page: data}
		if p.Brand != nil {
			d.Brand = p.Brand(r)
		}
		err = t.ExecuteTemplate(&buf, "layout", d)
	}
	h := w.Header()
	h.Set("Content-Language", loc.Lang())
	if err != nil {
		if p.Log != nil {
			p.Log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(loc.T("msg.internal") + "\n"))
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	// No form-action: browsers apply it to the redirects that follow a form
	// post too, and a login ends in a redirect to the app (another origin).
	// The forms post to Sesame itself (relative actions), and CSRF is
	// refused by CrossOriginProtection.
	// img-src data: is for the account page's TOTP QR code (a PNG data:
	// URL, internal/account), 'self' for tenant logos (/branding/…):
	// images only; scripts only by hash where a page needs one.
	csp := "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; frame-ancestors 'none'; base-uri 'none'"
	if sc, ok := pageScripts[page]; ok {
		// The page's one inline script, by its hash (CSP3 §8.3).
		sum := sha256.Sum256([]byte(sc))
		csp += "; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
