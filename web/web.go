// Package web holds the server-rendered pages (login, errors, logout) as
// embedded html/template files: no JavaScript build step.
package web

import (
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var files embed.FS

// Templates parses every page; each page defines "title" and "content" and
// is rendered through "layout".
func Templates() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, page := range []string{"login", "message", "logout"} {
		t, err := template.ParseFS(files, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		out[page] = t
	}
	return out, nil
}

// Pages renders templates.
type Pages struct{ t map[string]*template.Template }

// NewPages parses the embedded templates.
func NewPages() (*Pages, error) {
	t, err := Templates()
	if err != nil {
		return nil, err
	}
	return &Pages{t: t}, nil
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

// Message is the data of the "message" page.
type Message struct{ Title, Message, Link, LinkText string }

// Render writes page with status.
func (p *Pages) Render(w http.ResponseWriter, status int, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// No form-action: browsers apply it to the redirects that follow a form
	// post too, and a login ends in a redirect to the app (another origin).
	// The forms post to Sesame itself (relative actions), and CSRF is
	// refused by CrossOriginProtection.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_ = p.t[page].ExecuteTemplate(w, "layout", data)
}
