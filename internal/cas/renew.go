package cas

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// renewCookie binds a renew prompt to the browser that saw it. CAS 3.0
// §2.1.1: with renew=true "CAS will require the client to present
// credentials regardless of the existence of a single sign-on session". The
// prompt sends the browser to /login with a return URL carrying a random
// "fresh" value that must equal this cookie, so a crafted
// /cas/login?renew=true&fresh=… link cannot skip the credential step.
const renewCookie = "sesame_cas_renew"

// freshWindow: the session answering a renew prompt must come from
// credentials entered this recently.
const freshWindow = time.Minute

// startRenew sets the renew cookie and returns the value the return URL
// must carry.
func (h *Handler) startRenew(w http.ResponseWriter) string {
	nonce := session.Token()
	http.SetCookie(w, &http.Cookie{Name: renewCookie, Value: nonce, Path: "/cas/login", HttpOnly: true,
		Secure: h.Sessions.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(freshWindow / time.Second * 10)})
	return nonce
}

// renewedNow reports whether the session answers this browser's renew
// prompt: the fresh value matches the cookie and the credentials were
// entered within freshWindow. The cookie is cleared either way, so one
// prompt yields at most one renewed ticket.
func (h *Handler) renewedNow(w http.ResponseWriter, r *http.Request, s model.Session) bool {
	fresh := r.URL.Query().Get("fresh")
	c, err := r.Cookie(renewCookie)
	if err != nil {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: renewCookie, Value: "", Path: "/cas/login", HttpOnly: true,
		Secure: h.Sessions.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if fresh == "" || subtle.ConstantTimeCompare([]byte(fresh), []byte(c.Value)) != 1 {
		return false
	}
	age := h.now().Sub(s.AuthTime)
	return age >= -time.Second && age < freshWindow
}
