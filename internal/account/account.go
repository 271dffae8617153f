package account

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/totp"
	"github.com/sesame-sso/sesame/web"
)

// Path is where the account page lives.
const Path = "/account"

// maxForm bounds every account form's body.
const maxForm = 16 << 10

// Handler serves /account and its forms.
type Handler struct {
	Svc      *directory.Service
	Authn    *authn.Service
	Sessions *session.Manager
	Pages    *web.Pages
	Log      *slog.Logger
	// TOTP enrols authenticator apps; nil: the section is not shown.
	TOTP *totp.Authenticator
	// Outbox queues the password_changed email; WakeOutbox makes this
	// node's worker send it now (nil: at its next poll).
	Outbox     *outbox.Queue
	WakeOutbox func()
	// DelegatedURL, when set, returns where a delegated user manages their
	// password (their IdP; the federation issue sets it). "" or nil: the
	// page only says that their organisation's sign-in manages it.
	DelegatedURL func(u model.User) string
	// DelegatedProfileURL, when set, returns where a delegated user sees
	// their profile at their IdP (R-USR-3); "": no link.
	DelegatedProfileURL func(u model.User) string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Register mounts the routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Path, h.page)
	mux.HandleFunc("POST "+Path+"/password", h.guard(h.changePassword))
	mux.HandleFunc("POST "+Path+"/totp/enrol", h.guard(h.enrolTOTP))
	mux.HandleFunc("POST "+Path+"/totp/confirm", h.guard(h.confirmTOTP))
	mux.HandleFunc("POST "+Path+"/totp/remove", h.guard(h.removeTOTP))
	mux.HandleFunc("POST "+Path+"/totp/recovery", h.guard(h.regenerateCodes))
	mux.HandleFunc("POST "+Path+"/sessions/end", h.guard(h.endSessions))
	mux.HandleFunc("POST "+Path+"/language", h.guard(h.setLanguage))
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// req is a signed-in request: its session and user.
type req struct {
	s model.Session
	u model.User
}

// signedIn reads the session: none sends the browser to the login page
// (coming back here), a store failure answers 503. ok is false when the
// answer was written.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (*http.Request, req, bool) {
	s, u, ok, err := h.Sessions.Lookup(r)
	if err != nil {
		h.unavailable(w, r, "account: session", err)
		return r, req{}, false
	}
	if !ok {
		http.Redirect(w, r, "/login?return="+url.QueryEscape(Path), http.StatusSeeOther)
		return r, req{}, false
	}
	// Pages speak the user's language (issue 9 §5).
	return r.WithContext(i18n.WithUserLanguage(r.Context(), u.Person.Language)), req{s, u}, true
}

// guard wraps a form handler: a live session, a parsed bounded body, and
// the session's CSRF token (session.CheckCSRF) on top of the server's
// CrossOriginProtection — a form posted without it changes nothing.
func (h *Handler) guard(next func(w http.ResponseWriter, r *http.Request, q req)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		r, q, ok := h.signedIn(w, r)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
			return
		}
		if !h.Sessions.CheckCSRF(r) {
			h.message(w, r, http.StatusForbidden, "account.csrf.title", "account.csrf")
			return
		}
		next(w, r, q)
	}
}

// message renders the message page with a link back to the account page.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	h.Pages.Render(w, r, status, "message", web.Message{Title: i18n.M(title), Message: i18n.M(msg), Link: Path,
		LinkText: i18n.M("account.back")})
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	fault.Log(r.Context(), h.Log, what, err)
	login.TryAgain(w, r, h.Pages)
}

// done redirects to the account page showing notice (post/redirect/get:
// a reload does not post again).
func done(w http.ResponseWriter, r *http.Request, notice string) {
	http.Redirect(w, r, Path+"?done="+notice, http.StatusSeeOther)
}

// notices are the ?done= values the page shows (anything else: nothing).
var notices = map[string]string{
	"password":     "account.done.password",
	"totp_removed": "account.done.totp_removed",
	"sessions":     "account.done.sessions",
	"session":      "account.done.session",
	"language":     "account.done.language",
}

// pageData is the account page.
type pageData struct {
	CSRF      string
	LoginName string
	Notice    i18n.Msg
	// Local: the password form is shown; else Delegated (and the IdP's
	// URL when known).
	Local        bool
	DelegatedURL string
	// ProfileURL is the IdP's profile page of a delegated user (R-USR-3).
	ProfileURL string
	Password   passwordView
	TOTP       totpView
	Sessions   []sessionView
	Languages  []languageOption
}

// page is GET /account.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	r, q, ok := h.signedIn(w, r)
	if !ok {
		return
	}
	d := pageData{}
	if key, ok := notices[r.URL.Query().Get("done")]; ok {
		d.Notice = i18n.M(key)
	}
	h.render(w, r, q, http.StatusOK, d)
}

// render fills what every account page shows and renders it with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, q req, status int, d pageData) {
	ctx := r.Context()
	d.CSRF, d.LoginName = h.Sessions.CSRFToken(r), q.u.LoginName
	d.Local = q.u.Kind == model.KindLocal
	if !d.Local && h.DelegatedURL != nil {
		d.DelegatedURL = h.DelegatedURL(q.u)
	}
	if !d.Local && h.DelegatedProfileURL != nil {
		d.ProfileURL = h.DelegatedProfileURL(q.u)
	}
	var err error
	if d.TOTP, err = h.totpView(ctx, q.u, d.TOTP); err != nil {
		h.unavailable(w, r, "account: totp state", err)
		return
	}
	if d.Sessions, err = h.sessionViews(ctx, q); err != nil {
		h.unavailable(w, r, "account: sessions", err)
		return
	}
	d.Languages = languageOptions(q.u.Person.Language)
	h.Pages.Render(w, r, status, "account", d)
}
