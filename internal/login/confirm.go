package login

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/i18n"

	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/web"
)

// ConfirmLogout guards the logout endpoints (/logout, /cas/logout,
// /oauth2/logout) against cross-site requests (issue 8 item 11): an <img>
// or a link can make the browser GET them with its session cookie, so a
// GET never ends a session by itself. When r carries a live session and is
// not a POST with the session's CSRF token, ConfirmLogout renders a page
// whose form posts fields back to action with that token, and returns
// true: the caller stops there. Without a session there is nothing to
// protect and it returns false.
func ConfirmLogout(pages *web.Pages, sessions *session.Manager, w http.ResponseWriter, r *http.Request, action string, fields []web.Field) bool {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	}
	if sessions.CheckCSRF(r) {
		return false
	}
	_, u, ok := sessions.Current(r)
	if !ok {
		return false
	}
	// The page must not be cached or framed (server.go sets no-store and
	// frame-ancestors 'none' on every answer).
	r = r.WithContext(i18n.WithUserLanguage(r.Context(), u.Person.Language))
	pages.Render(w, r, http.StatusOK, "logout", web.LogoutForm{Action: action, CSRF: sessions.CSRFToken(r), Fields: fields})
	return true
}
