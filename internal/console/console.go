package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/rights"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/web"
)

// Path is where the console lives.
const Path = "/console"

// maxForm bounds every console form's body but the logo upload.
const maxForm = 64 << 10

// Directory is what the console needs of internal/directory: the same
// authorized, audited methods the admin API calls (DESIGN note 3), so
// the console has no permission check of its own.
type Directory interface {
	Rights() *rights.Decider
	ListUsers(ctx context.Context, a directory.Actor, f model.UserFilter) ([]model.User, bool, error)
	GetUser(ctx context.Context, a directory.Actor, id string) (model.User, error)
	CreateUser(ctx context.Context, a directory.Actor, nu directory.NewUser) (model.User, error)
	UpdateUser(ctx context.Context, a directory.Actor, id string, p directory.UserPatch) (model.User, error)
	Transition(ctx context.Context, a directory.Actor, id string, to model.UserStatus) (model.User, error)
	Discard(ctx context.Context, a directory.Actor, id string) error
	SetUserContexts(ctx context.Context, a directory.Actor, id string, contexts []string) (model.User, error)
	UserMemberships(ctx context.Context, a directory.Actor, userID string) ([]model.Membership, error)
	ListAPIKeys(ctx context.Context, a directory.Actor, userID string) ([]model.APIKey, error)
	CreateAPIKey(ctx context.Context, a directory.Actor, userID string, in directory.NewAPIKey) (directory.CreatedAPIKey, error)
	DeleteAPIKey(ctx context.Context, a directory.Actor, userID, keyID string) error
	ResetAccount(ctx context.Context, a directory.Actor, id string) (directory.AccountReset, error)
	UserTwoFactor(ctx context.Context, a directory.Actor, id string) (directory.TwoFactorView, error)
	SetUserTwoFactor(ctx context.Context, a directory.Actor, id string, in directory.TwoFactorSettings) (directory.TwoFactorView, error)
	UserIdentityLinks(ctx context.Context, userID string) ([]model.IdentityLink, error)
	GetConnection(ctx context.Context, a directory.Actor, id string) (model.Connection, error)
	ListDomains(ctx context.Context) ([]model.UserDomain, error)
	ListModules(ctx context.Context) ([]model.Module, error)
	ListACLs(ctx context.Context, module string, withPreferences bool) ([]model.ACL, error)
	EffectiveRights(ctx context.Context, a directory.Actor, userID, contextID, module string) (access.Result, error)
	GetContext(ctx context.Context, a directory.Actor, id string) (model.Context, error)
	Ancestors(ctx context.Context, a directory.Actor, id string) ([]model.Context, error)
	SearchContexts(ctx context.Context, a directory.Actor, f model.ContextFilter) ([]model.Context, bool, error)
	CreateContext(ctx context.Context, a directory.Actor, c model.Context) (model.Context, error)
	GetPolicy(ctx context.Context, a directory.Actor, contextID string) ([]model.ACLValue, bool, error)
	SetPolicy(ctx context.Context, a directory.Actor, contextID string, values []model.ACLValue) error
	ApplyTemplateToPolicy(ctx context.Context, a directory.Actor, contextID, templateID string) error
	ListGroups(ctx context.Context, a directory.Actor, contextID string, includeGlobal bool) ([]model.Group, error)
	GetGroup(ctx context.Context, a directory.Actor, id string) (model.Group, error)
	CreateGroup(ctx context.Context, a directory.Actor, g model.Group, templateID string) (model.Group, error)
	UpdateGroup(ctx context.Context, a directory.Actor, id string, fn func(model.Group) (model.Group, error)) (model.Group, error)
	DeleteGroup(ctx context.Context, a directory.Actor, id string) error
	ApplyTemplate(ctx context.Context, a directory.Actor, groupID, templateID string) (model.Group, error)
	ListMembers(ctx context.Context, a directory.Actor, groupID string) ([]model.Membership, error)
	AddMember(ctx context.Context, a directory.Actor, m model.Membership) error
	RemoveMember(ctx context.Context, a directory.Actor, m model.Membership) error
	ListTemplates(ctx context.Context, a directory.Actor) ([]model.Template, error)
	ListAudit(ctx context.Context, a directory.Actor, f model.AuditFilter) ([]model.AuditEvent, bool, error)
	GetBranding(ctx context.Context, a directory.Actor, tenantID string) (model.Branding, error)
	SetBranding(ctx context.Context, a directory.Actor, tenantID string, in directory.BrandingInput) (model.Branding, error)
	Branding(ctx context.Context, tenantID string) (model.Branding, error)
}

var _ Directory = (*directory.Service)(nil)

// Handler serves /console.
type Handler struct {
	Dir Directory
	// Tmpl manages ACL templates (templates.go).
	Tmpl Templates
	// Clients manages OIDC clients and CAS services (clients.go).
	Clients Clients
	// Conns manages identity-provider connections (connections.go);
	// CallbackURL is the redirect URL of a connection to give its IdP.
	Conns Connections
	// SAML holds the SAML connections' key and metadata actions; Issuer
	// the server's issuer their SP values start with (empty: the
	// request's origin).
	SAML        SAMLConnections
	Issuer      string
	CallbackURL func(connectionID string) string
	// Settings and Messages serve the settings pages (settings.go).
	Settings Settings
	Messages Messages
	Sessions *session.Manager
	Pages    *web.Pages
	Nonces   storage.FormNonces
	Log      *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Register mounts the routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/users", http.StatusSeeOther)
	})
	get := func(p string, fn page) { mux.HandleFunc("GET "+Path+p, h.page(fn)) }
	post := func(p string, fn page) { mux.HandleFunc("POST "+Path+p, h.form(fn)) }
	get("/users", h.users)
	get("/users/new", h.newUser)
	post("/users", h.createUser)
	get("/users/{id}", h.user)
	post("/users/{id}/person", h.savePerson)
	post("/users/{id}/lifecycle", h.lifecycle)
	get("/users/{id}/delete", h.confirmDelete)
	post("/users/{id}/delete", h.deleteUser)
	post("/users/{id}/contexts", h.userContexts)
	post("/users/{id}/groups", h.userGroups)
	post("/users/{id}/api-keys", h.userAPIKeys)
	post("/users/{id}/reset", h.resetAccount)
	post("/users/{id}/two-factor", h.userTwoFactor)
	get("/rights", h.rights)
	get("/contexts", h.contexts)
	get("/contexts/{id}", h.contextPage)
	post("/contexts/{id}/children", h.createChild)
	post("/contexts/{id}/groups", h.createGroup)
	post("/contexts/{id}/policy", h.contextPolicy)
	get("/groups/{id}", h.group)
	post("/groups/{id}", h.saveGroup)
	post("/groups/{id}/template", h.applyTemplate)
	post("/groups/{id}/members", h.groupMembers)
	get("/groups/{id}/delete", h.confirmDeleteGroup)
	post("/groups/{id}/delete", h.deleteGroup)
	get("/audit", h.audit)
	get("/templates", h.templates)
	post("/templates", h.createTemplate)
	get("/templates/{id}", h.template)
	post("/templates/{id}", h.saveTemplate)
	get("/templates/{id}/csv", h.exportTemplate)
	mux.HandleFunc("POST "+Path+"/templates/{id}/import", h.formLimit(h.importTemplate, maxCSV+maxForm))
	get("/templates/{id}/delete", h.confirmDeleteTemplate)
	get("/clients", h.clients)
	post("/clients", h.createClient)
	get("/clients/{id}", h.client)
	post("/clients/{id}/secret", h.rotateSecret)
	post("/clients/{id}/delete", h.deleteClient)
	get("/connections", h.connections)
	post("/connections", h.createConnection)
	get("/connections/{id}", h.connection)
	post("/connections/{id}", h.saveConnection)
	mux.HandleFunc("POST "+Path+"/connections/saml", h.formLimit(h.createSAMLConnection, maxMetadata+maxForm))
	mux.HandleFunc("POST "+Path+"/connections/{id}/saml", h.formLimit(h.saveSAMLConnection, maxMetadata+maxForm))
	post("/connections/{id}/saml/{action}", h.samlAction)
	get("/settings", h.settings)
	get("/settings/messages/{type}/{lang}", h.messageTemplate)
	post("/settings/messages/{type}/{lang}", h.saveMessage)
	post("/templates/{id}/delete", h.deleteTemplate)
	get("/branding/{id}", h.branding)
	mux.HandleFunc("POST "+Path+"/branding/{id}", h.formLimit(h.saveBranding, directory.MaxLogoBytes+maxForm))
	mux.HandleFunc("GET /branding/{id}/logo", h.logo)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// req is a signed-in console request: who acts, and the session's CSRF
// token for the forms it renders.
type req struct {
	actor directory.Actor
	csrf  string
}

// page is a console handler.
type page func(w http.ResponseWriter, r *http.Request, q req)

// signedIn admits the request: a live session (else the login page, back
// to this very URL — an expired session comes back here after signing
// in), and entry to module cas by the same rule every cas login passes
// (rights.Decider.ModuleAccess, R-MOD-1). What the admin may see and do
// beyond that is decided by the directory, call by call (R-USR-4).
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (*http.Request, req, bool) {
	s, u, ok, err := h.Sessions.Lookup(r)
	if err != nil {
		h.unavailable(w, r, "console: session", err)
		return r, req{}, false
	}
	if !ok {
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			// A form posted after the session expired: back to the
			// console page it was on (same origin only), else the start.
			back = Path
			if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, Path) {
				back = ref.RequestURI()
			}
		}
		http.Redirect(w, r, "/login?return="+url.QueryEscape(login.SafeReturn(back)), http.StatusSeeOther)
		return r, req{}, false
	}
	r = r.WithContext(i18n.WithUserLanguage(r.Context(), u.Person.Language))
	dec := h.Dir.Rights()
	in, reason, err := dec.ModuleAccess(r.Context(), u, model.ModuleCAS, dec.DefaultContext(r.Context(), u, s.ContextID))
	if err != nil {
		h.unavailable(w, r, "console: module access", err)
		return r, req{}, false
	}
	if !in {
		h.Log.InfoContext(r.Context(), "console refused", "user", u.ID, "reason", reason)
		h.message(w, r, http.StatusForbidden, "console.denied.title", "console.denied")
		return r, req{}, false
	}
	a := directory.Actor{User: u, IP: clientip.Of(r), AMR: s.AMR}
	return r, req{actor: a, csrf: h.Sessions.CSRFToken(r)}, true
}

// page wraps a GET handler.
func (h *Handler) page(fn page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, q, ok := h.signedIn(w, r)
		if ok {
			fn(w, r, q)
		}
	}
}

// form wraps a POST handler: a bounded body, a live session and the
// session's CSRF token. Sessions are SameSite=Lax cookies and the server
// runs net/http's CrossOriginProtection; the token on every form adds a
// check that does not depend on the browser sending Sec-Fetch-Site or
// Origin (older browsers, some proxies), as /account does.
func (h *Handler) form(fn page) http.HandlerFunc { return h.formLimit(fn, maxForm) }

func (h *Handler) formLimit(fn page, limit int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		r, q, ok := h.signedIn(w, r)
		if !ok {
			return
		}
		var err error
		if ct := r.Header.Get("Content-Type"); len(ct) >= 19 && ct[:19] == "multipart/form-data" {
			err = r.ParseMultipartForm(limit)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				h.message(w, r, http.StatusRequestEntityTooLarge, "console.too_large.title", "console.too_large")
				return
			}
			h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
			return
		}
		if !h.Sessions.CheckCSRF(r) {
			h.message(w, r, http.StatusForbidden, "console.csrf.title", "console.csrf")
			return
		}
		fn(w, r, q)
	}
}

// common is what every console page shows around its content.
type common struct {
	Active  string
	CSRF    string
	Me      string
	Nonce   string
	Notice  i18n.Msg
	Problem i18n.Msg
	Detail  string
}

func (q req) common(active string) common {
	return common{Active: active, CSRF: q.csrf, Me: q.actor.User.LoginName}
}

// render renders a console page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	h.Pages.Render(w, r, status, name, data)
}

// message renders the message page with a link to the console.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	h.Pages.Render(w, r, status, "message", web.Message{Title: i18n.M(title), Message: i18n.M(msg), Link: Path,
		LinkText: i18n.M("console.back")})
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	fault.Log(r.Context(), h.Log, what, err)
	login.TryAgain(w, r, h.Pages)
}

// fail answers an error that is not a form's: a missing or hidden object
// is a 404 page (other accounts' ids cannot be probed), a missing right a
// 403 page, a store failure the 503 "try again" page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch model.ErrorCode(err) {
	case model.ENOTFOUND:
		h.message(w, r, http.StatusNotFound, "console.not_found.title", "console.not_found")
	case model.EFORBIDDEN, model.EUNAUTHORIZED:
		h.message(w, r, http.StatusForbidden, "console.forbidden.title", "console.forbidden")
	case model.EINVALID, model.ECONFLICT:
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "console.invalid")
	default:
		h.unavailable(w, r, what, err)
	}
}

// formError reports whether err belongs next to a form's field (bad
// input, a conflict, a refused right): the caller shows the form again.
// Anything else (not found, the store) is for fail.
func formError(err error) bool {
	switch model.ErrorCode(err) {
	case model.EINVALID, model.ECONFLICT, model.EFORBIDDEN:
		return true
	}
	return false
}

// problem turns a refused change into a page message and the field it
// names: the catalog key says what happened, the directory's own text why.
func problem(err error) (field string, msg i18n.Msg, detail string) {
	var e *model.Error
	if errors.As(err, &e) {
		field, detail = e.Field, e.Message
	}
	switch model.ErrorCode(err) {
	case model.EFORBIDDEN:
		msg = i18n.M("console.error.forbidden")
	case model.ECONFLICT:
		msg = i18n.M("console.error.conflict")
		if field == "updatedAt" || field == "version" || errors.Is(err, model.ErrStale) {
			msg, detail = i18n.M("console.error.stale"), ""
		}
	default:
		msg = i18n.M("console.error.invalid")
	}
	return field, msg, detail
}

// done redirects after a successful change (post/redirect/get: a reload
// does not post again), with a notice key.
func done(w http.ResponseWriter, r *http.Request, to, notice string) {
	sep := "?"
	for _, c := range to {
		if c == '?' {
			sep = "&"
		}
	}
	http.Redirect(w, r, to+sep+"done="+notice, http.StatusSeeOther)
}

// notices are the ?done= values pages show (anything else: nothing).
var notices = map[string]string{
	"created": "console.done.created", "saved": "console.done.saved", "activated": "console.done.activated",
	"deactivated": "console.done.deactivated", "reactivated": "console.done.reactivated", "deleted": "console.done.deleted",
	"discarded": "console.done.discarded", "template": "console.done.template", "removed": "console.done.removed",
	"added": "console.done.added",
}

func notice(r *http.Request) i18n.Msg {
	if k, ok := notices[r.URL.Query().Get("done")]; ok {
		return i18n.M(k)
	}
	return i18n.Msg{}
}
