package login

import (
	"context"
	"net/http"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// slo is GET and POST /saml/{connection}/slo (R-SAML-9):
//   - the IdP's LogoutResponse to the LogoutRequest Sesame's /logout sent
//     (IdPStep.UpstreamLogout): verified, then the signed-out page;
//   - an IdP-initiated LogoutRequest: verified; the sessions the NameID
//     started through this connection end on every node (their apps are
//     told, as at a logout), the browser's cookie is cleared, and the
//     browser goes back to the IdP with a signed LogoutResponse — by the
//     binding the request came by when the IdP offers it, else by the
//     other (a redirect, or an auto-submitted form; saml.LogoutResponse).
//
// A message that does not verify ends nothing: a page says so, and the
// refusal is audited.
func (s *IdPStep) slo(w http.ResponseWriter, r *http.Request) {
	h := s.h
	ctx := r.Context()
	c, sc, err := s.samlConnector(ctx, r.PathValue("connection"))
	if err != nil {
		s.notSAML(w, r, c, err)
		return
	}
	if saml.IsLogoutResponse(r) {
		if err := sc.CheckLogoutResponse(r); err != nil {
			s.sloRefused(w, r, c, err)
			return
		}
		h.Pages.Render(w, r, http.StatusOK, "message", SignedOut())
		return
	}
	req, err := sc.ParseLogoutRequest(r)
	if err != nil {
		s.sloRefused(w, r, c, err)
		return
	}
	if _, err := s.Svc.EndConnectionSessions(ctx, c.ID, req.NameID); err != nil {
		h.Unavailable(w, r, "end sessions (SAML logout)", err)
		return
	}
	if cur, _, ok := h.Sessions.Current(r); !ok || cur.ConnectionID == c.ID {
		h.Sessions.End(w, r)
	}
	act, err := sc.LogoutResponse(req)
	if err != nil {
		// The sessions ended; the IdP just gets no answer.
		s.Log.Warn("SAML logout response", "connection", c.ID, "err", err)
	}
	if !send(h.Pages, w, r, act) {
		h.Pages.Render(w, r, http.StatusOK, "message", SignedOut())
	}
}

// sloRefused: a logout message that does not verify.
func (s *IdPStep) sloRefused(w http.ResponseWriter, r *http.Request, c model.Connection, err error) {
	s.Svc.AuditFederationLogin(context.WithoutCancel(r.Context()), directory.ConnectionActor(c.ID, clientIP(r)), c, "",
		model.OutcomeFailure, map[string]any{"logout": true, "reason": string(connector.ReasonOf(err)), "detail": truncate(err.Error(), 500)})
	s.Log.Warn("SAML logout message refused", "connection", c.ID, "err", err)
	s.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("idp.failed.title"),
		Message: i18n.M("saml.error.logout"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
}
