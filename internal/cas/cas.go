package cas

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/web"
)

// Handler serves the CAS protocol.
type Handler struct {
	Svc *directory.Service
	// Store holds the tickets and the sessions they belong to.
	Store Store
	// Authn records logouts.
	Authn    *authn.Service
	Sessions *session.Manager
	Pages    *web.Pages
	Log      *slog.Logger
	// TicketTTL is how long a service ticket stays valid (default 15 s).
	TicketTTL time.Duration
	// HTTP posts single logout requests and calls proxy callbacks.
	HTTP *http.Client
	// RequireHTTPSCallbacks refuses plain-http proxy callbacks even to a
	// loopback host (CAS 3.0 §2.5.4 requires https; loopback http is
	// accepted by default as its traffic never leaves the machine).
	RequireHTTPSCallbacks bool
	// EndSession, when set, ends the SSO session for /cas/logout and tells
	// every app, whatever its protocol (the login handler's EndSession);
	// otherwise /cas/logout tells the CAS services only.
	EndSession func(w http.ResponseWriter, r *http.Request)
	// Login starts a login (the login engine's Begin).
	Login func(w http.ResponseWriter, r *http.Request, req login.Request)
	Now   func() time.Time
}

// Register mounts the routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /cas/login", h.login)
	mux.HandleFunc("GET /cas/logout", h.logout)
	mux.HandleFunc("POST /cas/logout", h.logout)
	mux.HandleFunc("GET /cas/validate", h.validateV1)
	mux.HandleFunc("GET /cas/serviceValidate", h.serviceValidate(false, false))
	mux.HandleFunc("GET /cas/proxyValidate", h.serviceValidate(true, false))
	mux.HandleFunc("GET /cas/p3/serviceValidate", h.serviceValidate(false, true))
	mux.HandleFunc("GET /cas/p3/proxyValidate", h.serviceValidate(true, true))
	mux.HandleFunc("GET /cas/proxy", h.proxy)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) ttl() time.Duration {
	if h.TicketTTL > 0 {
		return h.TicketTTL
	}
	return 15 * time.Second
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, title, msg i18n.Msg) {
	h.Pages.Render(w, r, status, "message", web.Message{Title: title, Message: msg})
}

// login is CAS 3.0 §2.1 /login as a credential requestor.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	service := q.Get("service")
	renew, gateway := isTrue(q.Get("renew")), isTrue(q.Get("gateway"))
	if service == "" {
		if _, _, ok := h.Sessions.Current(r); ok && !renew {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	client, err := h.Svc.FindCASService(r.Context(), service)
	if fault.Storage(err) {
		h.unavailable(w, r, "find CAS service", err)
		return
	}
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, i18n.M("msg.app_not_allowed.title"), i18n.M("cas.app_unknown"))
		return
	}
	s, u, ok, err := h.Sessions.Lookup(r)
	if err != nil {
		// Not "no session": no login prompt during an outage (issue 8 item 23).
		h.unavailable(w, r, "session lookup", err)
		return
	}
	if ok && !renew {
		h.issue(w, r, client, service, s, u, false)
		return
	}
	if ok && renew && h.renewed(w, r, s) {
		h.issue(w, r, client, service, s, u, true)
		return
	}
	if gateway && !renew {
		// §2.1.1 gateway: no session, no prompt — back to the service.
		http.Redirect(w, r, service, http.StatusSeeOther)
		return
	}
	back := url.Values{"service": {service}}
	req := login.Request{WantContext: q.Get("context"),
		// The tenant's login page (issue 8, item 7): plain names are its users.
		Tenant: q.Get("tenant")}
	if renew {
		back.Set("renew", "true")
		req.For = "cas:" + h.startRenew(w)
	}
	if c := q.Get("context"); c != "" {
		back.Set("context", c)
	}
	if renew && ok {
		// Renew forces a new credential entry: drop the current session.
		h.Sessions.End(w, r)
	}
	req.Return = "/cas/login?" + back.Encode()
	h.Login(w, r, req)
}

// unavailable answers a store failure with 503 and the "try again" page.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	fault.Log(r.Context(), h.Log, what, err)
	login.TryAgain(w, r, h.Pages)
}

func isTrue(v string) bool { return v == "true" || v == "1" || v == "yes" }

// issue creates a service ticket for a session and redirects to the service.
func (h *Handler) issue(w http.ResponseWriter, r *http.Request, client model.Client, service string, s model.Session, u model.User, renewed bool) {
	ctxID := s.ContextID
	if want := r.URL.Query().Get("context"); want != "" {
		// R-SSO-5 / R-PRT-1: the login URL names the context (a partner
		// lands in a customer's context below their account).
		allowed, err := h.Svc.Rights().CanActIn(r.Context(), u, want)
		if err != nil {
			h.Log.ErrorContext(r.Context(), "switch context", "err", err)
			h.fail(w, r, http.StatusServiceUnavailable, i18n.M("msg.try_again.title"), i18n.M("cas.unavailable"))
			return
		}
		if !allowed {
			h.fail(w, r, http.StatusForbidden, i18n.M("cas.no_context.title"), i18n.M("cas.no_context"))
			return
		}
		ctxID = want
	}
	ok, reason, err := h.Svc.Rights().ModuleAccess(r.Context(), u, client.Module, ctxID)
	if err != nil {
		h.Log.ErrorContext(r.Context(), "module access", "err", err)
		h.fail(w, r, http.StatusServiceUnavailable, i18n.M("msg.try_again.title"), i18n.M("cas.unavailable"))
		return
	}
	if !ok {
		// R-MOD-3: a clear page, never a ticket.
		// The reason (English, from access) goes to the log, not the page.
		h.Log.Info("module access refused", "module", client.Module, "reason", reason)
		h.fail(w, r, http.StatusForbidden, i18n.M("cas.no_app.title"), noAppMsg(client, reason))
		return
	}
	ticket := newTicket("ST")
	t := model.Ticket{ID: session.Hash(ticket), Kind: model.TicketService, Service: service, ClientID: client.ID, UserID: u.ID,
		SessionID: s.ID, ContextID: ctxID, ExpiresAt: h.now().Add(h.ttl()), Renewed: renewed}
	if err := h.Store.CreateTicket(r.Context(), t); err != nil {
		h.Log.ErrorContext(r.Context(), "create ticket", "err", err)
		h.fail(w, r, http.StatusServiceUnavailable, i18n.M("msg.try_again.title"), i18n.M("cas.unavailable"))
		return
	}
	h.auditIssue(r, t)
	if err := h.Store.AddSessionService(r.Context(), model.SessionService{SessionID: s.ID, ClientID: client.ID, Service: service, Ticket: ticket}); err != nil {
		h.Log.ErrorContext(r.Context(), "record session service", "err", err)
	}
	sep := "?"
	if strings.Contains(service, "?") {
		sep = "&"
	}
	http.Redirect(w, r, service+sep+"ticket="+url.QueryEscape(ticket), http.StatusSeeOther)
}
