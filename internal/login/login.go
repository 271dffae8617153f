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
	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/web"
)

// Handler serves /login (the login engine, engine.go), /logout and /.
type Handler struct {
	Svc *directory.Service
	// Authn checks the password and records logins and logouts.
	Authn    *authn.Service
	Sessions *session.Manager
	Pages    *web.Pages
	Log      *slog.Logger
	// Flows stores logins in progress; FlowTTL bounds one (default
	// DefaultFlowTTL).
	Flows   storage.LoginFlows
	FlowTTL time.Duration
	// Steps are the login steps in order (internal/server wires them).
	Steps []Step
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OnLogout is told about every ended session and the services it had
	// signed in to (single logout, R-SSO-7).
	OnLogout []func(ctx context.Context, s model.Session, svcs []model.SessionService)
	// UpstreamLogout, when set, names where the browser goes after the
	// logout of a session (the IdP's logout, issue 10 §9, R-SAML-9): a
	// redirect or an auto-submitted form; zero = nowhere. returnURL is
	// where an OIDC IdP sends it back (IdPStep.UpstreamLogout).
	UpstreamLogout func(ctx context.Context, s model.Session, returnURL string) connector.Action
	// Issuer is Sesame's external URL (upstream logout's return address).
	Issuer string

	flows *flows
}

// Register mounts the routes. Call it once, after setting the fields.
func (h *Handler) Register(mux *http.ServeMux) {
	ttl, now := h.FlowTTL, h.Now
	if ttl <= 0 {
		ttl = DefaultFlowTTL
	}
	if now == nil {
		now = time.Now
	}
	h.flows = &flows{st: h.Flows, ttl: ttl, now: now, secure: h.Sessions.Secure}
	mux.HandleFunc("GET /login", h.form)
	mux.HandleFunc("POST /login", h.submit)
	mux.HandleFunc("GET /logout", h.logout)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /logout/done", h.loggedOut)
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /sso/{context_id}", h.sso)
	for _, s := range h.Steps {
		if rt, ok := s.(router); ok {
			rt.routes(mux, h)
		}
	}
}

// router is a step with routes of its own (the IdP callback, DESIGN
// note 1 "Router"); it gets the engine to continue flows with.
type router interface {
	routes(mux *http.ServeMux, h *Handler)
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

// clientIP is the client address (clientip: X-Forwarded-For only from
// trusted proxies).
func clientIP(r *http.Request) string { return clientip.Of(r) }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
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
	cur, _, hadSession := h.Sessions.Current(r)
	h.EndSession(w, r)
	if hadSession && h.UpstreamLogout != nil {
		// After Sesame's own session ended: the IdP's, when the session
		// came through a connection with upstream logout on.
		if send(h.Pages, w, r, h.UpstreamLogout(r.Context(), cur, strings.TrimRight(h.Issuer, "/")+"/logout/done")) {
			return
		}
	}
	h.Pages.Render(w, r, http.StatusOK, "message", SignedOut())
}

// loggedOut is GET /logout/done: where an IdP's logout sends the
// browser back.
func (h *Handler) loggedOut(w http.ResponseWriter, r *http.Request) {
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
		h.Log.ErrorContext(r.Context(), "session services", "err", err)
	}
	h.Sessions.End(w, r)
	for _, f := range h.OnLogout {
		f(ctx, s, svcs)
	}
	h.Authn.AuditLogout(ctx, s.UserID, clientIP(r))
}
