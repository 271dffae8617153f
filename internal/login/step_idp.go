package login

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/web"
)

// StepIdP is the first factor through a connection (delegated login,
// issue 10, SPEC §6 R-FED-*): the browser goes to the customer's IdP and
// comes back to /login/idp/{connection}/callback.
const StepIdP StepID = "idp"

// flow data keys of the IdP step.
const idpStateKey = "idp.state"

// DefaultCallbackTimeout bounds one IdP callback: a connector makes up to
// four back-channel requests (discovery, token, JWKS, userinfo), each
// bounded by the federation HTTP client's own timeout.
const DefaultCallbackTimeout = 20 * time.Second

// Tenants resolves a login page's tenant slug (storage.Identity).
type Tenants interface {
	TenantBySlug(ctx context.Context, slug string) (model.Context, error)
}

// IdPStep runs a delegated login. It is due while the flow has a chosen
// connection and no user; the choice is made on the password step's page
// (a connection button, home-realm discovery by email domain), by
// /login?connection=ID, or by Begin (Request.Connection, /sso/{context}).
//
// Show sends the browser to the IdP with a fresh state stored in the flow
// (and the connector's kept state); the callback accepts the answer only
// for the browser's own flow (sesame_login cookie) with that state
// (constant-time compare), for the flow's connection, once. It then
// verifies the answer (connector.Finish), provisions the user just in time
// (federation.Provisioner) and hands the flow back to the engine, which
// runs the remaining steps (context choice) and starts the session.
type IdPStep struct {
	Conns   *federation.Connections[connector.Connector]
	Prov    *federation.Provisioner
	Svc     *directory.Service
	Tenants Tenants
	// Sessions reads a session's upstream state (refresh, logout).
	Sessions storage.Sessions
	Pages    *web.Pages
	Log      *slog.Logger
	// Issuer is Sesame's external URL: callbacks are
	// Issuer/login/idp/{id}/callback (what the admin API shows).
	Issuer string
	// Sealer seals the connector's upstream state kept with the session
	// (nil: stored as it is — only without a master key).
	Sealer *seal.Sealer
	// Timeout bounds Begin and the whole callback (default
	// DefaultCallbackTimeout).
	Timeout time.Duration

	h *Handler
}

// ID implements Step.
func (s *IdPStep) ID() StepID { return StepIdP }

// Due implements Step.
func (s *IdPStep) Due(_ context.Context, a *Attempt) (bool, error) {
	return a.Flow.UserID == "" && a.Flow.ConnectionID != "", nil
}

// CallbackURL is the redirect URI of connection id (adminapi.CallbackURL
// shows the same to administrators).
func CallbackURL(issuer, id string) string {
	return strings.TrimRight(issuer, "/") + "/login/idp/" + id + "/callback"
}

// UpstreamSealID is the additional data binding a sealed upstream state to
// its connection and user: a value copied to another row does not open.
func UpstreamSealID(connectionID, userID string) string {
	return "upstream:" + connectionID + ":" + userID
}

func (s *IdPStep) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultCallbackTimeout
}

// tenantID is the id of the flow's tenant (root when the page names none).
func (s *IdPStep) tenantID(ctx context.Context, slug string) (string, error) {
	if slug == "" {
		slug = identity.RootSlug
	}
	t, err := s.Tenants.TenantBySlug(ctx, slug)
	if errors.Is(err, model.ErrNotFound) {
		return "", nil
	}
	return t.ID, err
}

// ConnectionButton is one connection offered on the login page (R-FED-5):
// public data only.
type ConnectionButton struct {
	ID, Name, LogoURL string
	// Active: the connection's SSO enforcement is active (R-SAML-8): the
	// page leads with it.
	Active bool
}

// Buttons lists the enabled connections of the flow's tenant; one in the
// testing stage of SSO enforcement is not offered (R-SAML-8: only
// administrators use it, through /login?connection=ID).
func (s *IdPStep) Buttons(ctx context.Context, f *Flow) ([]ConnectionButton, error) {
	if s == nil {
		return nil, nil
	}
	tid, err := s.tenantID(ctx, f.Tenant)
	if err != nil || tid == "" {
		return nil, err
	}
	cs, err := s.Svc.LoginConnections(ctx, tid)
	if err != nil {
		return nil, err
	}
	out := make([]ConnectionButton, 0, len(cs))
	for _, c := range cs {
		if c.Enforcement == model.EnforcementTesting {
			continue
		}
		out = append(out, ConnectionButton{ID: c.ID, Name: c.Name, LogoURL: c.LogoURL, Active: c.Enforcement == model.EnforcementActive})
	}
	return out, nil
}

// Choose sets the flow's connection to id when it is an enabled
// connection of the flow's tenant (false otherwise: an unknown id, another
// tenant's connection, a disabled one).
func (s *IdPStep) Choose(ctx context.Context, f *Flow, id string) (bool, error) {
	if s == nil || f.UserID != "" {
		return false, nil
	}
	c, err := s.Svc.Connection(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ok, err := s.allowed(ctx, f, c)
	if err != nil || !ok {
		return false, err
	}
	f.ConnectionID = c.ID
	return true, nil
}

// HomeRealm is home-realm discovery (R-FED-5): an email whose domain is a
// verified domain of an enabled connection routes the login there. On a
// tenant's page only that tenant's connections count; on the root page
// (no tenant named) the connection's tenant becomes the login's tenant.
func (s *IdPStep) HomeRealm(ctx context.Context, f *Flow, email string) (bool, error) {
	if s == nil || f.UserID != "" || !strings.Contains(email, "@") {
		return false, nil
	}
	c, err := s.Svc.ConnectionForEmail(ctx, email)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c.Enforcement == model.EnforcementTesting {
		// A connection in the testing stage routes nobody by domain
		// (R-SAML-8): administrators choose it by its link.
		return false, nil
	}
	tid, err := s.tenantID(ctx, f.Tenant)
	if err != nil {
		return false, err
	}
	if c.TenantID != tid {
		if f.Tenant != "" {
			return false, nil
		}
		t, err := s.Svc.Reader().GetContext(ctx, c.TenantID)
		if err != nil {
			return false, err
		}
		f.Tenant = t.Slug
		if f.Tenant == identity.RootSlug {
			f.Tenant = ""
		}
	}
	f.ConnectionID = c.ID
	return true, nil
}

// allowed: c may serve the login page of f (its tenant's connections,
// the root's on the root page) and is enabled.
func (s *IdPStep) allowed(ctx context.Context, f *Flow, c model.Connection) (bool, error) {
	if !c.Enabled {
		return false, nil
	}
	tid, err := s.tenantID(ctx, f.Tenant)
	if err != nil {
		return false, err
	}
	return tid != "" && c.TenantID == tid, nil
}

// Show implements Step: send the browser to the IdP.
func (s *IdPStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	f := a.Flow
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout())
	defer cancel()
	c, conn, err := s.Conns.Get(ctx, f.ConnectionID)
	if err == nil {
		var ok bool
		if ok, err = s.allowed(ctx, f, c); err == nil && !ok {
			err = federation.ErrDisabled
		}
	}
	if fault.Storage(err) {
		return err
	}
	if err != nil {
		// Gone, switched off or not this tenant's: back to the choice.
		return s.fail(w, r, a, c, reasonUnavailable, err)
	}
	state, callback := session.Token(), CallbackURL(s.Issuer, c.ID)
	if c.Kind == model.ConnectionSAML {
		// RelayState names the flow (the IdP's cross-site POST to the
		// ACS carries no SameSite cookie; step_saml.go).
		state, callback = newRelayState(f.ID), saml.ACSURL(s.Issuer, c.ID)
	}
	act, kept, err := conn.Begin(ctx, state, callback)
	if err != nil {
		return s.fail(w, r, a, c, connector.ReasonOf(err), err)
	}
	if act.RedirectURL == "" && act.PostURL == "" {
		return s.fail(w, r, a, c, connector.ReasonConfig, errors.New("the connector named no way to the IdP"))
	}
	f.Set(idpStateKey, state)
	f.Kept = kept
	if err := a.Save(r.Context()); err != nil {
		return err
	}
	// A redirect, or the HTTP-POST binding's auto-submitted form (SAML
	// bindings §3.5).
	send(s.Pages, w, r, act)
	return nil
}

// Submit implements Step: the IdP step has no form; a post for it (an
// old page) shows it again, i.e. goes to the IdP.
func (s *IdPStep) Submit(_ http.ResponseWriter, _ *http.Request, _ *Attempt) (Outcome, error) {
	return Retry, nil
}

// routes mounts the callback (router, engine.go).
func (s *IdPStep) routes(mux *http.ServeMux, h *Handler) {
	s.h = h
	mux.HandleFunc("GET /login/idp/{id}/callback", s.callback)
	s.samlRoutes(mux) // step_saml.go
}

// reasons of refusals that are not the connector's.
const (
	reasonNoFlow      = "no_flow"
	reasonState       = "state"
	reasonConnection  = "connection"
	reasonUnavailable = "unavailable"
	reasonMapping     = "mapping"
	reasonLink        = "link"
	reasonUser        = "user"
	reasonTesting     = "testing"
)

// callback is GET /login/idp/{id}/callback: the IdP's answer.
func (s *IdPStep) callback(w http.ResponseWriter, r *http.Request) {
	h := s.h
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout())
	defer cancel()
	r = r.WithContext(ctx)
	id := r.PathValue("id")
	f, err := h.flows.load(r)
	if err != nil && !errors.Is(err, errNoFlow) {
		h.Unavailable(w, r, "load login", err)
		return
	}
	if f != nil && f.UILocales != "" {
		r = r.WithContext(i18n.WithUILocales(r.Context(), f.UILocales))
	}
	// The answer counts only in the browser that started this login
	// (its cookie), for the connection it chose, with the state sent
	// to the IdP, once; anything else is refused and nothing is written.
	switch {
	case f == nil || f.Finished:
		s.refuse(w, r, id, reasonNoFlow, "no login in progress in this browser")
		return
	case f.UserID != "" || f.ConnectionID == "" || f.ConnectionID != id:
		s.refuse(w, r, id, reasonConnection, "the answer is for another sign-in than this browser's")
		return
	}
	want, got := f.Value(idpStateKey), r.URL.Query().Get("state")
	if want == "" || len(f.Kept) == 0 || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		s.refuse(w, r, id, reasonState, "missing or foreign state")
		return
	}
	a, err := h.attempt(ctx, f)
	if err != nil {
		h.Unavailable(w, r, "load login", err)
		return
	}
	c, conn, err := s.Conns.Get(ctx, id)
	if err == nil {
		var ok bool
		if ok, err = s.allowed(ctx, f, c); err == nil && !ok {
			err = federation.ErrDisabled
		}
	}
	if fault.Storage(err) {
		h.Unavailable(w, r, "load connection", err)
		return
	}
	if err != nil {
		s.failPage(w, r, a, c, reasonUnavailable, err)
		return
	}
	// One use: the state and kept values leave the flow before the code
	// is redeemed (of two concurrent callbacks one wins the write).
	kept := f.Kept
	f.Kept = nil
	f.Set(idpStateKey, "")
	if err := h.flows.save(r.Context(), f); err != nil {
		if errors.Is(err, model.ErrStale) || model.ErrorCode(err) == model.ENOTFOUND {
			s.refuse(w, r, id, reasonState, "the answer was already used")
			return
		}
		h.Unavailable(w, r, "save login", err)
		return
	}
	ident, err := conn.Finish(ctx, r, kept)
	if err != nil {
		s.failPage(w, r, a, c, connector.ReasonOf(err), err)
		return
	}
	s.complete(w, r, a, c, ident)
}

// complete is the end of every delegated login, OIDC callback or SAML ACS
// alike (DESIGN note 2): the IdP's verified answer ident goes through the
// SSO enforcement stage, just-in-time provisioning (federation) and the
// user checks; the flow then has its user and the engine runs the
// remaining steps (a 303 to /login, where the browser's cookie binds it).
// Nothing is written for a refused answer.
func (s *IdPStep) complete(w http.ResponseWriter, r *http.Request, a *Attempt, c model.Connection, ident connector.Identity) {
	h, f, ctx := s.h, a.Flow, r.Context()
	if c.Enforcement == model.EnforcementTesting {
		// R-SAML-8 testing stage (seed 003 step 2, "test that the SSO
		// tenancy works as a System Administrator"): only an existing
		// administrator of the tenant ("Identity providers - Manage") may
		// sign in — refused before anything is provisioned (no user
		// created, linked or updated for anyone else).
		prior, found, err := s.Prov.Existing(ctx, c, ident)
		admin := false
		if err == nil && found {
			admin, err = s.Svc.IsIdPAdmin(ctx, prior, c.TenantID)
		}
		var me *federation.MappingError
		switch {
		case errors.As(err, &me):
			// Login below reports (and audits) the mapping error.
		case err != nil:
			h.Unavailable(w, r, "check testing stage", err)
			return
		case !admin:
			s.failPage(w, r, a, c, reasonTesting, errors.New("the connection is in its testing stage: only identity-provider administrators of the tenant may use it"))
			return
		}
	}
	u, out, err := s.Prov.Login(ctx, c, ident)
	if err != nil {
		var (
			me *federation.MappingError
			le *federation.LinkError
		)
		// Mapping and link errors are the IdP's or the directory's data,
		// not a store failure (neither is a *model.Error): checked first.
		switch {
		case errors.As(err, &me):
			s.failPage(w, r, a, c, reasonMapping, err)
		case errors.As(err, &le):
			s.failPage(w, r, a, c, reasonLink, err)
		case fault.Storage(err):
			h.Unavailable(w, r, "provision user", err)
		default:
			s.failPage(w, r, a, c, reasonUser, err)
		}
		return
	}
	if u.Status != model.StatusActive {
		s.failPage(w, r, a, c, reasonUser, errors.New("the user is not active"))
		return
	}
	var sealed []byte
	if len(ident.Data) > 0 {
		if sealed, err = s.Sealer.Seal(UpstreamSealID(c.ID, u.ID), ident.Data); err != nil {
			h.Unavailable(w, r, "seal upstream state", err)
			return
		}
		// Also on the link: refresh tokens outlive the session.
		if err := s.Svc.SetLinkUpstream(ctx, c.ID, ident.Subject, sealed); err != nil {
			h.Unavailable(w, r, "keep upstream state", err)
			return
		}
	}
	f.UserID, f.ConnectionID, f.Upstream = u.ID, c.ID, sealed
	f.Pass(StepIdP, "fed")
	save := h.flows.save
	if f.ID == "" {
		// An IdP-initiated SAML login: its flow is stored only now, born
		// with its user (one write instead of two; the cookie is set).
		save = func(ctx context.Context, f *Flow) error { return h.flows.create(ctx, w, f) }
	}
	if err := save(r.Context(), f); err != nil {
		h.saveFailed(w, r, f, err)
		return
	}
	s.Svc.AuditFederationLogin(context.WithoutCancel(ctx), directory.ConnectionActor(c.ID, clientIP(r)), c, u.ID, model.OutcomeSuccess,
		map[string]any{"provisioning": string(out), "subject": ident.Subject})
	h.again(w, r, f)
}

// refuse answers a callback that belongs to no login of this browser:
// nothing is written; the refusal is audited when it names a connection.
func (s *IdPStep) refuse(w http.ResponseWriter, r *http.Request, id, reason, detail string) {
	if model.PlausibleID(id) {
		c, err := s.Svc.Connection(r.Context(), id)
		if err == nil {
			s.Svc.AuditFederationLogin(context.WithoutCancel(r.Context()), directory.ConnectionActor(c.ID, clientIP(r)), c, "",
				model.OutcomeFailure, map[string]any{"reason": reason, "detail": detail})
		}
	}
	s.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("idp.failed.title"),
		Message: i18n.M("idp.error.foreign"), Link: "/login", LinkText: i18n.M("link.sign_in_again")})
}

// fail is a failed delegated login from Show: the choice is cleared (the
// login page comes back), the failure audited and explained.
func (s *IdPStep) fail(w http.ResponseWriter, r *http.Request, a *Attempt, c model.Connection, reason connector.Reason, err error) error {
	f := a.Flow
	f.ConnectionID, f.Kept = "", nil
	f.Set(idpStateKey, "")
	if f.ID != "" { // an unsaved flow (IdP-initiated SAML) is simply dropped
		if err := a.Save(r.Context()); err != nil {
			return err
		}
	}
	s.explain(w, r, a, c, string(reason), err)
	return nil
}

// failPage is fail from the callback (the flow was read there).
func (s *IdPStep) failPage(w http.ResponseWriter, r *http.Request, a *Attempt, c model.Connection, reason connector.Reason, err error) {
	if e := s.fail(w, r, a, c, reason, err); e != nil {
		s.h.saveFailed(w, r, a.Flow, e)
	}
}

// explain audits and renders a failed delegated login: which step failed
// (the connector's Reason) in words, never the IdP's raw answer.
func (s *IdPStep) explain(w http.ResponseWriter, r *http.Request, a *Attempt, c model.Connection, reason string, err error) {
	detail := err.Error()
	if len(detail) > 500 {
		detail = detail[:500]
	}
	if c.ID != "" {
		s.Svc.AuditFederationLogin(context.WithoutCancel(r.Context()), directory.ConnectionActor(c.ID, clientIP(r)), c, "",
			model.OutcomeFailure, map[string]any{"reason": reason, "detail": detail})
	}
	s.Log.Warn("delegated login failed", "connection", c.ID, "reason", reason, "err", err)
	status, msg := http.StatusBadRequest, i18n.M("idp.error.verify", reason)
	var me *federation.MappingError
	switch {
	case reason == string(connector.ReasonUnreachable) || reason == string(connector.ReasonDiscovery):
		status, msg = http.StatusBadGateway, i18n.M("idp.error.unreachable")
	case reason == string(connector.ReasonIdP):
		var ce *connector.Error
		if errors.As(err, &ce) && ce.IdPError == "access_denied" {
			msg = i18n.M("idp.error.cancelled")
		} else {
			msg = i18n.M("idp.error.refused")
		}
	case reason == reasonMapping && errors.As(err, &me):
		msg = i18n.M("idp.error.mapping", me.Claim)
	case reason == reasonLink:
		status, msg = http.StatusConflict, i18n.M("idp.error.link")
	case reason == reasonUnavailable:
		msg = i18n.M("idp.error.connection")
	case reason == reasonUser:
		status, msg = http.StatusForbidden, i18n.M("idp.error.user")
	case reason == reasonTesting:
		status, msg = http.StatusForbidden, i18n.M("sso.error.testing")
	}
	if c.Kind == model.ConnectionSAML {
		if st, m := s.explainSAML(connector.Reason(reason)); !m.IsZero() {
			status, msg = st, m
		}
	}
	s.Pages.Render(w, r, status, "message", web.Message{Title: i18n.M("idp.failed.title"), Message: msg,
		Link: backLink(a), LinkText: i18n.M("link.back_to_sign_in")})
}

// backLink leads back to the login a failure happened in ("/login" when
// it was never stored).
func backLink(a *Attempt) string {
	if a.Flow.ID == "" {
		return "/login"
	}
	return a.Next()
}
