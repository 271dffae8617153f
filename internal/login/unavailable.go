package login

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/web"
)

// Unavailable answers a store failure: 503 with the "try again" page,
// never a wrong-password message or a login prompt (issue 8 item 23). A
// request its client cancelled is logged below ERROR.
func (h *Handler) Unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	fault.Log(r.Context(), h.Log, what, err)
	TryAgain(w, r, h.Pages)
}

// TryAgain writes the 503 "try again" page.
func TryAgain(w http.ResponseWriter, r *http.Request, pages *web.Pages) {
	w.Header().Set("Retry-After", "5")
	pages.Render(w, r, http.StatusServiceUnavailable, "message", web.Message{Title: i18n.M("msg.try_again.title"),
		Message: i18n.M("msg.unavailable")})
}
