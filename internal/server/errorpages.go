package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/web"
)

// Pages a person sees instead of a bare "404 page not found" (issue 14
// §10): the mux's own 404 and 405 answers, and the plain-text 4xx answers
// of the browser-facing OAuth endpoints (an authorization request whose
// client or redirect URI is unknown cannot be sent back to the app, so
// zitadel/oidc answers it with http.Error), become styled, translated
// pages with a next step; API clients (paths under /api/, /scim/, the
// OAuth back-channel endpoints, or no text/html in Accept) get an RFC 9457
// problem in JSON instead.

// browserOAuthPaths are the OAuth endpoints a browser is sent to.
var browserOAuthPaths = map[string]bool{"/oauth2/authorize": true, "/oauth2/logout": true}

// errorPages wraps the route table.
func (s *Server) errorPages(next http.Handler, pages *web.Pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &errorWriter{ResponseWriter: w, r: r}
		next.ServeHTTP(ew, r)
		if ew.code == 0 {
			return
		}
		h := w.Header()
		h.Del("Content-Type")
		h.Del("Content-Length")
		detail := strings.TrimSpace(ew.body.String())
		if wantsJSON(r) {
			h.Set("Content-Type", "application/problem+json")
			w.WriteHeader(ew.code)
			p := map[string]any{"type": "about:blank", "title": http.StatusText(ew.code), "status": ew.code}
			switch ew.code {
			case http.StatusNotFound:
				p["detail"] = "no endpoint at " + r.URL.Path
			case http.StatusMethodNotAllowed:
				p["detail"] = r.Method + " is not allowed here; allowed: " + h.Get("Allow")
			default:
				p["detail"] = detail
			}
			_ = json.NewEncoder(w).Encode(p)
			return
		}
		msg := web.Message{Link: "/", LinkText: i18n.M("link.start_page")}
		switch ew.code {
		case http.StatusNotFound:
			msg.Title, msg.Message = i18n.M("err.not_found.title"), i18n.M("err.not_found")
		case http.StatusMethodNotAllowed:
			msg.Title, msg.Message = i18n.M("err.method.title"), i18n.M("err.method")
		default:
			msg.Title, msg.Message, msg.Detail = i18n.M("err.request.title"), i18n.M("err.request"), detail
		}
		pages.Render(w, r, ew.code, "message", msg)
	})
}

// wantsJSON: an API client rather than a person's browser.
func wantsJSON(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/scim/") || (strings.HasPrefix(p, "/oauth2/") && !browserOAuthPaths[p]) {
		return true
	}
	// Browsers ask for text/html when they navigate; curl and API
	// libraries do not.
	return !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// errorWriter holds back the answers errorPages replaces.
type errorWriter struct {
	http.ResponseWriter
	r    *http.Request
	code int          // the held-back status; 0: passing through
	body bytes.Buffer // the held-back text (an OAuth error description)
	sent bool
}

func (w *errorWriter) WriteHeader(code int) {
	if !w.sent && w.code == 0 && w.replaces(code) {
		w.code = code
		return
	}
	w.sent = true
	w.ResponseWriter.WriteHeader(code)
}

// replaces: the mux found no route (r.Pattern is empty: 404 / 405), or a
// browser OAuth endpoint answers a 4xx in plain text (http.Error).
func (w *errorWriter) replaces(code int) bool {
	if code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
		if w.r.Pattern == "" {
			return true
		}
	}
	return code >= 400 && code < 500 && browserOAuthPaths[w.r.URL.Path] &&
		strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain")
}

func (w *errorWriter) Write(b []byte) (int, error) {
	if w.code != 0 {
		if w.body.Len() < 2048 {
			w.body.Write(b[:min(len(b), 2048-w.body.Len())])
		}
		return len(b), nil
	}
	w.sent = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *errorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
