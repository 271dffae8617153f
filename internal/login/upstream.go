package login

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/model"
)

// ErrUpstreamRefresh refuses a Sesame refresh whose upstream refresh
// failed (issue 10 §6): the IdP no longer vouches for the user.
var ErrUpstreamRefresh = model.Errorf(model.EUNAUTHORIZED, "", "the identity provider refused to refresh the sign-in")

func (s *IdPStep) now() time.Time {
	if s.h != nil && s.h.flows != nil {
		return s.h.flows.now()
	}
	return time.Now()
}

// RefreshUpstream is the upstream half of a Sesame refresh (issue 10 §6,
// oidcop.Provider.UpstreamRefresh): for a user who signed in through a
// connection with "refresh roles" on, the connector refreshes at the IdP
// (its Refresher, with the upstream refresh token sealed on the session —
// or, once the session has ended, on the identity link), federation
// applies the fresh claims to the user (roles removed at the IdP are gone
// from the rights of the tokens this refresh issues), and rotated upstream
// tokens replace the old ones. Any failure of the IdP or of the mapping
// fails the refresh (ErrUpstreamRefresh, audited); a store failure is
// returned as it is (try again).
func (s *IdPStep) RefreshUpstream(ctx context.Context, userID, sessionID string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	ss, err := s.Sessions.GetSession(ctx, sessionID, s.now())
	if errors.Is(err, model.ErrNotFound) {
		return s.refreshWithoutSession(ctx, userID)
	}
	if err != nil {
		return err
	}
	if ss.ConnectionID == "" || ss.UserID != userID {
		return nil
	}
	c, conn, err := s.Conns.Get(ctx, ss.ConnectionID)
	if fault.Storage(err) {
		return err
	}
	if err != nil {
		// Deleted or switched off: it vouches for nobody any more.
		return fmt.Errorf("%w: %v", ErrUpstreamRefresh, err)
	}
	if !c.OIDC.RefreshRoles {
		return nil
	}
	sealed, subject, err := s.refreshWith(ctx, c, conn, userID, ss.Upstream)
	if err != nil || sealed == nil {
		return err
	}
	if err := s.Sessions.SetSessionUpstream(ctx, ss.ID, sealed); err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	if err := s.Svc.SetLinkUpstream(ctx, c.ID, subject, sealed); err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	return nil
}

// refreshWith refreshes at c's IdP with the sealed upstream state and
// applies the fresh claims to userID; it returns the new sealed state
// (nil when the IdP rotated nothing) and the IdP's subject.
func (s *IdPStep) refreshWith(ctx context.Context, c model.Connection, conn connector.Connector, userID string, upstream []byte) ([]byte, string, error) {
	refuse := func(reason string, err error) ([]byte, string, error) {
		s.Svc.AuditFederationLogin(context.WithoutCancel(ctx), directory.ConnectionActor(c.ID, ""), c, userID, model.OutcomeFailure,
			map[string]any{"refresh": true, "reason": reason, "detail": err.Error()})
		return nil, "", fmt.Errorf("%w: %v", ErrUpstreamRefresh, err)
	}
	rf, ok := conn.(connector.Refresher)
	if !ok || len(upstream) == 0 {
		return refuse(string(connector.ReasonRefresh), errors.New("no upstream refresh state"))
	}
	data, err := s.Sealer.Open(UpstreamSealID(c.ID, userID), upstream, "upstream state")
	if err != nil {
		return refuse(string(connector.ReasonRefresh), err)
	}
	id, err := rf.Refresh(ctx, data)
	if err != nil {
		return refuse(string(connector.ReasonOf(err)), err)
	}
	_, out, err := s.Prov.Refresh(ctx, c, id, userID)
	if fault.Storage(err) {
		return nil, "", err
	}
	if err != nil {
		return refuse(reasonUser, err)
	}
	var sealed []byte
	if len(id.Data) > 0 {
		if sealed, err = s.Sealer.Seal(UpstreamSealID(c.ID, userID), id.Data); err != nil {
			return nil, "", err
		}
	}
	s.Svc.AuditFederationLogin(context.WithoutCancel(ctx), directory.ConnectionActor(c.ID, ""), c, userID, model.OutcomeSuccess,
		map[string]any{"refresh": true, "provisioning": string(out)})
	return sealed, id.Subject, nil
}

// refreshWithoutSession: the session has ended (its idle or absolute
// timeout) while the refresh token lives on; every connection of the
// user that refreshes roles is asked with the upstream state kept on the
// identity link — none kept, or a refusal, fails the refresh.
func (s *IdPStep) refreshWithoutSession(ctx context.Context, userID string) error {
	links, err := s.Svc.UserIdentityLinks(ctx, userID)
	if err != nil {
		return err
	}
	for _, l := range links {
		c, err := s.Svc.Connection(ctx, l.ConnectionID)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !c.OIDC.RefreshRoles {
			continue
		}
		c, conn, err := s.Conns.Get(ctx, l.ConnectionID)
		if fault.Storage(err) {
			return err
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUpstreamRefresh, err)
		}
		sealed, _, err := s.refreshWith(ctx, c, conn, userID, l.Upstream)
		if err != nil {
			return err
		}
		if sealed != nil {
			if err := s.Svc.SetLinkUpstream(ctx, c.ID, l.Subject, sealed); err != nil && !errors.Is(err, model.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// UpstreamLogout is where the browser goes after Sesame's own logout of
// session ss (issue 10 §9, R-SAML-9): the IdP's RP-initiated logout
// (OpenID Connect RP-Initiated Logout 1.0, a redirect) when the session
// came through an OIDC connection with upstream logout on and the IdP
// offers it; the IdP's SAML single logout (a redirect or an
// auto-submitted HTTP-POST form) when it came through a SAML connection
// whose IdP offers it; zero otherwise. returnURL is where an OIDC IdP
// sends the browser back (registered there).
func (s *IdPStep) UpstreamLogout(ctx context.Context, ss model.Session, returnURL string) connector.Action {
	if ss.ConnectionID == "" || len(ss.Upstream) == 0 {
		return connector.Action{}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	c, conn, err := s.Conns.Get(ctx, ss.ConnectionID)
	// SAML: Sesame's logout always ends the IdP session when the IdP
	// offers single logout (R-SAML-9); OIDC: when the connection says so.
	if err != nil || (c.Kind != model.ConnectionSAML && !c.OIDC.UpstreamLogout) {
		return connector.Action{}
	}
	lo, ok := conn.(connector.Logouter)
	if !ok {
		return connector.Action{}
	}
	data, err := s.Sealer.Open(UpstreamSealID(c.ID, ss.UserID), ss.Upstream, "upstream state")
	if err != nil {
		s.Log.Warn("upstream logout", "connection", c.ID, "err", err)
		return connector.Action{}
	}
	act, err := lo.Logout(ctx, data, returnURL)
	if err != nil {
		s.Log.Warn("upstream logout", "connection", c.ID, "err", err)
		return connector.Action{}
	}
	return act
}
