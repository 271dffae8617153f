package login

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// SAML 2.0 Web Browser SSO through the IdP step (issue 11, R-SAML-1..4):
//
//   - GET /saml/{connection}/metadata: the SP metadata of the connection;
//   - GET /saml/{connection}/init (and the marketplace alias GET
//     /auth/saml/init/{tenant}): an SP-initiated login — login.Begin with
//     the connection chosen; the IdP step's Show sends the AuthnRequest
//     (HTTP-Redirect, or an auto-submitted HTTP-POST form);
//   - POST /saml/{connection}/acs (and POST /auth/saml/consume/{tenant}):
//     the IdP's answer. Its RelayState names the flow: the IdP's
//     cross-site POST carries no SameSite cookie, so the flow is found by
//     RelayState (kept server-side on the flow, compared in constant
//     time, used once); the browser's cookie binds the flow again at the
//     303 to /login that follows. A response whose RelayState names no
//     flow is IdP-initiated: accepted only where the connection allows it,
//     in a fresh flow whose return is "/" — the RelayState is never a
//     redirect target (no open redirect).
//
// The ACS paths (and the SLO endpoint's HTTP-POST binding) are the only
// ones exempt from cross-origin protection (ACSPaths, internal/server). Every refusal shows a page saying why and
// is audited (federation.login, outcome failure); nothing is written.

// ACSPaths are the ServeMux patterns of the SAML ACS: exempt from
// cross-origin protection (the IdP posts from its own origin) and nothing
// else is.
func ACSPaths() []string {
	return []string{"POST /saml/{connection}/acs", "POST /auth/saml/consume/{tenant}",
		// Single logout's HTTP-POST binding (R-SAML-9): the IdP's signed
		// LogoutRequest or LogoutResponse, no cookie authority.
		"POST /saml/{connection}/slo"}
}

func (s *IdPStep) samlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /saml/{connection}/metadata", s.samlMetadata)
	mux.HandleFunc("GET /saml/{connection}/init", func(w http.ResponseWriter, r *http.Request) {
		s.samlInit(w, r, r.PathValue("connection"))
	})
	mux.HandleFunc("GET /auth/saml/init/{tenant}", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := s.tenantSAML(w, r); ok {
			s.samlInit(w, r, id)
		}
	})
	mux.HandleFunc("GET /saml/{connection}/slo", s.slo) // step_saml_slo.go
	paths := ACSPaths()
	mux.HandleFunc(paths[2], s.slo)
	mux.HandleFunc(paths[0], func(w http.ResponseWriter, r *http.Request) { s.acs(w, r, r.PathValue("connection")) })
	mux.HandleFunc(paths[1], func(w http.ResponseWriter, r *http.Request) {
		if id, ok := s.tenantSAML(w, r); ok {
			s.acs(w, r, id)
		}
	})
}

// relayState layout: the flow id (32 bytes, base64url) "." 16 random
// bytes (base64url) — 66 characters, within SAML bindings §3.4.3's 80.
func newRelayState(flowID string) string {
	id, err := hex.DecodeString(flowID)
	if err != nil {
		id = []byte(flowID)
	}
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(id) + "." + base64.RawURLEncoding.EncodeToString(nonce[:])
}

// relayFlowID reads the flow id out of a RelayState ("" when it is not
// one of ours).
func relayFlowID(rs string) string {
	id, _, ok := strings.Cut(rs, ".")
	if !ok || len(rs) > 80 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(b) != 32 {
		return ""
	}
	return hex.EncodeToString(b)
}

// samlConnector opens connection id when it is an enabled SAML
// connection: model.ErrNotFound when it is not; an *openError when it
// cannot be opened (its configuration); a store failure as it is.
func (s *IdPStep) samlConnector(ctx context.Context, id string) (model.Connection, *saml.Connector, error) {
	if !model.PlausibleID(id) {
		return model.Connection{}, nil, model.ErrNotFound
	}
	c, conn, err := s.Conns.GetKind(ctx, id, model.ConnectionSAML)
	var oe *federation.OpenError
	switch {
	case errors.Is(err, federation.ErrDisabled):
		return c, nil, model.ErrNotFound
	case errors.As(err, &oe):
		return c, nil, &openError{err}
	case err != nil:
		return c, nil, err // a store failure (or no such SAML connection)
	}
	sc, ok := conn.(*saml.Connector)
	if !ok {
		return c, nil, model.ErrNotFound
	}
	return c, sc, nil
}

// openError: a SAML connection exists but its connector cannot be opened
// (metadata or keys unusable).
type openError struct{ err error }

func (e *openError) Error() string { return e.err.Error() }
func (e *openError) Unwrap() error { return e.err }

// notSAML answers a SAML route whose connection is missing, switched off
// or not SAML (404), cannot be opened (400, audited: the administrator's
// configuration is wrong), or whose store failed (503).
func (s *IdPStep) notSAML(w http.ResponseWriter, r *http.Request, c model.Connection, err error) {
	var oe *openError
	status := http.StatusNotFound
	switch {
	case errors.As(err, &oe):
		status = http.StatusBadRequest
		s.Svc.AuditFederationLogin(context.WithoutCancel(r.Context()), directory.ConnectionActor(c.ID, clientIP(r)), c, "",
			model.OutcomeFailure, map[string]any{"reason": string(connector.ReasonConfig), "detail": truncate(err.Error(), 500)})
		s.Log.Warn("SAML connection unusable", "connection", c.ID, "err", err)
	case fault.Storage(err):
		s.h.Unavailable(w, r, "load SAML connection", err)
		return
	}
	s.Pages.Render(w, r, status, "message", web.Message{Title: i18n.M("idp.failed.title"),
		Message: i18n.M("saml.error.no_connection"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
}

// samlMetadata is GET /saml/{connection}/metadata (R-SAML-1).
func (s *IdPStep) samlMetadata(w http.ResponseWriter, r *http.Request) {
	c, sc, err := s.samlConnector(r.Context(), r.PathValue("connection"))
	if err != nil {
		s.notSAML(w, r, c, err)
		return
	}
	md, err := sc.Metadata(r.Context())
	if err != nil {
		s.notSAML(w, r, c, err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(md)
}

// tenantSAML resolves a marketplace alias's {tenant} (slug or id) to the
// tenant's one enabled SAML connection (seed 002).
func (s *IdPStep) tenantSAML(w http.ResponseWriter, r *http.Request) (string, bool) {
	ctx, key := r.Context(), r.PathValue("tenant")
	t, err := s.Tenants.TenantBySlug(ctx, strings.ToLower(key))
	if errors.Is(err, model.ErrNotFound) && model.PlausibleID(key) {
		t, err = s.Svc.Reader().GetContext(ctx, key)
		if err == nil && t.Type != model.ContextTenant && t.Type != model.ContextRoot {
			err = model.ErrNotFound
		}
	}
	var found []model.Connection
	if err == nil {
		var cs []model.Connection
		cs, err = s.Svc.LoginConnections(ctx, t.ID)
		for _, c := range cs {
			if c.Kind == model.ConnectionSAML {
				found = append(found, c)
			}
		}
	}
	if fault.Storage(err) {
		s.h.Unavailable(w, r, "load tenant", err)
		return "", false
	}
	if len(found) != 1 {
		s.notSAML(w, r, model.Connection{}, model.ErrNotFound)
		return "", false
	}
	return found[0].ID, true
}

// samlInit starts an SP-initiated login through connection id: a new
// flow on the connection's tenant's login page with the connection chosen
// (?context= names the company the user lands in, seed 004; ?return= a
// local URL).
func (s *IdPStep) samlInit(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	c, _, err := s.samlConnector(ctx, id)
	if err != nil {
		s.notSAML(w, r, c, err)
		return
	}
	slug, err := s.tenantSlug(ctx, c.TenantID)
	if err != nil {
		s.h.Unavailable(w, r, "load tenant", err)
		return
	}
	q := r.URL.Query()
	want := q.Get("context")
	if !model.PlausibleID(want) {
		want = ""
	}
	s.h.Begin(w, r, Request{Return: q.Get("return"), Tenant: slug, Connection: c.ID, WantContext: want, UILocales: q.Get("ui_locales")})
}

// tenantSlug is the login page's tenant slug of a connection's owner
// ("" for the root context).
func (s *IdPStep) tenantSlug(ctx context.Context, tenantID string) (string, error) {
	t, err := s.Svc.Reader().GetContext(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if t.Slug == identity.RootSlug {
		return "", nil
	}
	return t.Slug, nil
}

// send sends the browser where act says: a 303 redirect, or the
// auto-submitted HTTP-POST binding form (SAML bindings §3.5.4) — the
// saml_post page, whose script alone its CSP allows by hash (web.Render)
// and whose button posts the form without JavaScript. The form's action is
// act.PostURL, which connectors take from the IdP's metadata only. It
// reports false, having written nothing, for a zero act.
func send(pages *web.Pages, w http.ResponseWriter, r *http.Request, act connector.Action) bool {
	switch {
	case act.RedirectURL != "":
		http.Redirect(w, r, act.RedirectURL, http.StatusSeeOther)
	case act.PostURL != "":
		fields := make([]web.Field, 0, len(act.PostForm))
		for _, k := range []string{"SAMLRequest", "SAMLResponse", "RelayState"} {
			if v := act.PostForm.Get(k); v != "" {
				fields = append(fields, web.Field{Name: k, Value: v})
			}
		}
		pages.Render(w, r, http.StatusOK, "saml_post", web.LogoutForm{Action: act.PostURL, Fields: fields})
	default:
		return false
	}
	return true
}

// acs is the Assertion Consumer Service of connection id (R-SAML-2..4).
func (s *IdPStep) acs(w http.ResponseWriter, r *http.Request, id string) {
	h := s.h
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout())
	defer cancel()
	r = r.WithContext(ctx)
	c, sc, err := s.samlConnector(ctx, id)
	if err != nil {
		s.notSAML(w, r, c, err)
		return
	}
	rs, err := sc.RelayState(r)
	if err != nil {
		s.samlRefused(w, r, c, err)
		return
	}
	var f *Flow
	if fid := relayFlowID(rs); fid != "" {
		if f, err = h.flows.byID(ctx, fid); err != nil {
			h.Unavailable(w, r, "load login", err)
			return
		}
	}
	if f == nil {
		s.idpInitiated(w, r, c, sc)
		return
	}
	if f.UILocales != "" {
		r = r.WithContext(i18n.WithUILocales(r.Context(), f.UILocales))
	}
	// The answer counts only for the flow that sent this RelayState, for
	// the connection it chose, once.
	switch {
	case f.Finished || f.UserID != "" || f.ConnectionID != c.ID:
		s.refuse(w, r, c.ID, reasonConnection, "the answer is for another sign-in or connection than the one its RelayState names")
		return
	}
	want := f.Value(idpStateKey)
	if want == "" || len(f.Kept) == 0 || subtle.ConstantTimeCompare([]byte(want), []byte(rs)) != 1 {
		s.refuse(w, r, c.ID, reasonState, "missing or foreign RelayState")
		return
	}
	a, err := h.attempt(ctx, f)
	if err != nil {
		h.Unavailable(w, r, "load login", err)
		return
	}
	if ok, err := s.allowed(ctx, f, c); err != nil {
		h.Unavailable(w, r, "load connection", err)
		return
	} else if !ok {
		s.failPage(w, r, a, c, reasonUnavailable, errors.New("the connection does not serve this sign-in's tenant"))
		return
	}
	// One use: the RelayState and kept values leave the flow first (of
	// two concurrent posts one wins the write).
	kept := f.Kept
	f.Kept = nil
	f.Set(idpStateKey, "")
	if err := h.flows.save(ctx, f); err != nil {
		if errors.Is(err, model.ErrStale) || model.ErrorCode(err) == model.ENOTFOUND {
			s.refuse(w, r, c.ID, reasonState, "the answer was already used")
			return
		}
		h.Unavailable(w, r, "save login", err)
		return
	}
	res, err := sc.FinishSAML(ctx, r, kept)
	if err != nil {
		if connector.ReasonOf(err) == "" && fault.Storage(err) {
			// The replay cache failed: not the user's fault, not a replay.
			h.Unavailable(w, r, "SAML replay cache", err)
			return
		}
		s.failPage(w, r, a, c, connector.ReasonOf(err), err)
		return
	}
	s.complete(w, r, a, c, res.Identity)
}

// idpInitiated handles an unsolicited response (R-SAML-2): verified first
// (the connector refuses it unless the connection allows IdP-initiated
// login); then a fresh flow on the connection's tenant, returning to "/".
func (s *IdPStep) idpInitiated(w http.ResponseWriter, r *http.Request, c model.Connection, sc *saml.Connector) {
	h, ctx := s.h, r.Context()
	res, err := sc.FinishSAML(ctx, r, nil)
	if err != nil {
		if connector.ReasonOf(err) == "" && fault.Storage(err) {
			h.Unavailable(w, r, "SAML replay cache", err)
			return
		}
		s.samlRefused(w, r, c, err)
		return
	}
	slug, err := s.tenantSlug(ctx, c.TenantID)
	if err != nil {
		h.Unavailable(w, r, "load tenant", err)
		return
	}
	// Stored by complete once the user is known (IdPStep.complete).
	f := &Flow{Return: "/", Tenant: slug, ConnectionID: c.ID}
	s.complete(w, r, &Attempt{Flow: f, h: h}, c, res.Identity)
}

// samlRefused answers a response refused before any flow is involved
// (malformed, IdP-initiated where forbidden): audited, explained, nothing
// written.
func (s *IdPStep) samlRefused(w http.ResponseWriter, r *http.Request, c model.Connection, err error) {
	reason := connector.ReasonOf(err)
	s.Svc.AuditFederationLogin(context.WithoutCancel(r.Context()), directory.ConnectionActor(c.ID, clientIP(r)), c, "",
		model.OutcomeFailure, map[string]any{"reason": string(reason), "detail": truncate(err.Error(), 500)})
	s.Log.Warn("SAML response refused", "connection", c.ID, "reason", reason, "err", err)
	status, msg := s.explainSAML(reason)
	if msg.IsZero() {
		msg = i18n.M("idp.error.verify", string(reason))
	}
	if errors.Is(err, saml.ErrTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	s.Pages.Render(w, r, status, "message", web.Message{Title: i18n.M("idp.failed.title"), Message: msg,
		Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
}

// explainSAML is the page message of a SAML-specific refusal (zero when
// the reason is a shared one).
func (s *IdPStep) explainSAML(reason connector.Reason) (int, i18n.Msg) {
	switch reason {
	case saml.ReasonNameIDFormat:
		return http.StatusBadRequest, i18n.M("saml.error.nameid")
	case saml.ReasonUnsolicited:
		return http.StatusForbidden, i18n.M("saml.error.unsolicited")
	case saml.ReasonReplay:
		return http.StatusBadRequest, i18n.M("saml.error.replay")
	case saml.ReasonMalformed:
		return http.StatusBadRequest, i18n.M("saml.error.malformed")
	case connector.ReasonAudience, connector.ReasonMixUp, saml.ReasonDestination, saml.ReasonInResponseTo:
		return http.StatusBadRequest, i18n.M("saml.error.other_connection")
	}
	return http.StatusBadRequest, i18n.Msg{}
}
