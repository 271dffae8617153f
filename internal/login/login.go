package login

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/web"
)

// Handler serves /login, /logout and /.
type Handler struct {
	Svc *directory.Service
	// Authn checks the password and records logins and logouts.
	Authn    *authn.Service
	Sessions *session.Manager
	Pages    *web.Pages
	Log      *slog.Logger
	// OnLogout is told about every ended session and the services it had
	// signed in to (single logout, R-SSO-7).
	OnLogout []func(ctx context.Context, s model.Session, svcs []model.SessionService)
}

// Register mounts the routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.form)
	mux.HandleFunc("POST /login", h.submit)
	mux.HandleFunc("GET /logout", h.logout)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /{$}", h.home)
}

type formData struct {
	Return, Username string
	Error            i18n.Msg
	// UILocales are the OIDC ui_locales of the request this login
	// continues (issue 9 §5), carried through the form.
	UILocales string
	// Tenant is the slug of the tenant whose login page this is
	// (/login?tenant=slug): a plain name typed there is that tenant's user
	// (issue 8, item 7). Empty: the root context's.
	Tenant string
}

// tenantParam reads the login page's tenant slug; a malformed one is
// dropped (the name then resolves at root, never more widely).
func tenantParam(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if !identity.ValidSlug(v) {
		return ""
	}
	return v
}

// SafeReturn accepts only a local path ("/…", not "//…" or "/\…"), so the
// login page is never an open redirect.
func SafeReturn(s string) string {
	if s == "" || len(s) > 2048 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) || strings.ContainsAny(s, "\r\n\t\x00") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return s
}

func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	r, ui := withUILocales(r, q.Get("ui_locales"))
	h.Pages.Render(w, r, http.StatusOK, "login", formData{Return: SafeReturn(q.Get("return")), Tenant: tenantParam(q.Get("tenant")), UILocales: ui})
}

// withUILocales records the ui_locales the login page was handed (by
// /oauth2/login from the stored authorization request, OIDC Core
// §3.1.2.1) for the page's language, bounded.
func withUILocales(r *http.Request, v string) (*http.Request, string) {
	v = truncate(strings.TrimSpace(v), 256)
	if v == "" {
		return r, ""
	}
	return r.WithContext(i18n.WithUILocales(r.Context(), v)), v
}

// clientIP is the client address (clientip: X-Forwarded-For only from
// trusted proxies).
func clientIP(r *http.Request) string { return clientip.Of(r) }

// submit is the password step.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("msg.bad_request.title"), Message: i18n.M("msg.bad_form"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
		return
	}
	r, ui := withUILocales(r, r.PostForm.Get("ui_locales"))
	ret := SafeReturn(r.PostForm.Get("return"))
	tenant := tenantParam(r.PostForm.Get("tenant"))
	name, pw := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	if name == "" || pw == "" || len(name) > 400 || len(pw) > 1024 {
		h.Pages.Render(w, r, http.StatusBadRequest, "login", formData{Return: ret, Tenant: tenant, UILocales: ui, Username: truncate(name, 400), Error: i18n.M("login.error.missing")})
		return
	}
	u, err := h.Authn.Authenticate(r.Context(), authn.ScopedLogin(tenant, name), pw)
	if fault.Storage(err) {
		// The store failed, not the user (issue 8 item 23).
		h.Unavailable(w, r, "authenticate", err)
		return
	}
	if err != nil {
		switch model.ErrorCode(err) {
		case model.EUNAVAILABLE:
			h.Pages.Render(w, r, http.StatusServiceUnavailable, "message", web.Message{Title: i18n.M("msg.try_again.title"), Message: i18n.M("msg.too_many"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
			return
		case model.EUNAUTHORIZED:
			h.Authn.AuditFailedLogin(r.Context(), "login", "user", map[string]any{"loginName": name})
		case model.ETOOMANY:
			// Over the brute-force budget (R-PWD-3): refused before any
			// hashing, with the same page as a wrong password.
		default:
			h.Log.Error("authenticate", "err", err)
		}
		// One message for unknown users, wrong passwords, inactive and
		// locked accounts: no enumeration.
		h.Pages.Render(w, r, http.StatusUnauthorized, "login", formData{Return: ret, Tenant: tenant, UILocales: ui, Username: name, Error: i18n.M("login.error.invalid")})
		return
	}
	h.complete(w, r, u, ret)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// complete runs the login steps still due after a first factor and, when
// none is left, starts the session and returns the browser.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, u model.User, ret string) {
	// Second factor (R-2FA) and context choice (R-SSO-5) slot in here. The
	// context is the one the return URL asks for, when the user may act in
	// it, else the user's first assigned context (root first).
	ctxID := h.Svc.Rights().DefaultContext(r.Context(), u, "")
	if want := contextFromReturn(ret); want != "" {
		if ok, err := h.Svc.Rights().CanActIn(r.Context(), u, want); err == nil && ok {
			ctxID = want
		}
	}
	s, err := h.Sessions.Start(w, r, u, ctxID, clientIP(r))
	if err != nil {
		h.Unavailable(w, r, "start session", err)
		return
	}
	h.Authn.RecordLogin(context.WithoutCancel(r.Context()), u, s.AuthTime, clientIP(r))
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

func contextFromReturn(ret string) string {
	u, err := url.Parse(ret)
	if err != nil {
		return ""
	}
	return u.Query().Get("context")
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	_, u, ok, err := h.Sessions.Lookup(r)
	if err != nil {
		h.Unavailable(w, r, "session lookup", err)
		return
	}
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	r = r.WithContext(i18n.WithUserLanguage(r.Context(), u.Person.Language))
	h.Pages.Render(w, r, http.StatusOK, "message", web.Message{Title: i18n.M("msg.signed_in.title"), Message: i18n.M("msg.signed_in", u.LoginName), Link: "/logout", LinkText: i18n.M("link.sign_out")})
}

// logout ends the SSO session and tells every app that had one (R-SSO-7),
// once the user confirmed it (ConfirmLogout).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if ConfirmLogout(h.Pages, h.Sessions, w, r, "/logout", nil) {
		return
	}
	h.EndSession(w, r)
	h.Pages.Render(w, r, http.StatusOK, "message", SignedOut())
}

// SignedOut is the page after a logout.
func SignedOut() web.Message {
	return web.Message{Title: i18n.M("msg.signed_out.title"), Message: i18n.M("msg.signed_out"), Link: "/login", LinkText: i18n.M("link.sign_in_again")}
}

// EndSession ends the request's SSO session (clearing the cookie) and runs
// the OnLogout hooks — CAS single logout, OIDC back-channel logout — without
// writing a body, so protocol endpoints (RP-initiated logout) can use it.
func (h *Handler) EndSession(w http.ResponseWriter, r *http.Request) {
	s, _, ok := h.Sessions.Current(r)
	if !ok {
		h.Sessions.End(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	svcs, err := h.Sessions.Store.SessionServices(ctx, s.ID)
	if err != nil {
		h.Log.Error("session services", "err", err)
	}
	h.Sessions.End(w, r)
	for _, f := range h.OnLogout {
		f(ctx, s, svcs)
	}
	h.Authn.AuditLogout(ctx, s.UserID, clientIP(r))
}
