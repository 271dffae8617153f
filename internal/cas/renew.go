package cas

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// renewCookie binds a renew prompt to the browser that saw it. CAS 3.0
// §2.1.1: with renew=true "CAS will require the client to present
// credentials regardless of the existence of a single sign-on session".
// The prompt starts a login flow for "cas:<nonce>" (login.Request.For)
// with the nonce in this cookie; only the session that very login started
// carries that LoginFor, so neither an older session nor a crafted
// /cas/login?renew=true link skips the credential step (issue 9 §1: no
// time windows).
const renewCookie = "sesame_cas_renew"

// renewCookieAge bounds a renew prompt: the login flow's own lifetime.
const renewCookieAge = 15 * time.Minute

// startRenew sets the renew cookie and returns its nonce.
func (h *Handler) startRenew(w http.ResponseWriter) string {
	nonce := session.Token()
	http.SetCookie(w, &http.Cookie{Name: renewCookie, Value: nonce, Path: "/cas/login", HttpOnly: true,
		Secure: h.Sessions.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(renewCookieAge / time.Second)})
	return nonce
}

// renewed reports whether the session answers this browser's renew
// prompt: it was started by the login flow begun for the cookie's nonce.
// The cookie is cleared either way, so one prompt yields at most one
// renewed ticket.
func (h *Handler) renewed(w http.ResponseWriter, r *http.Request, s model.Session) bool {
	c, err := r.Cookie(renewCookie)
	if err != nil || c.Value == "" {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: renewCookie, Value: "", Path: "/cas/login", HttpOnly: true,
		Secure: h.Sessions.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	want, ok := strings.CutPrefix(s.LoginFor, "cas:")
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(c.Value)) == 1
}
