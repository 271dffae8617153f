package directory

import (
	"context"
	"errors"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// The directory side of just-in-time provisioning (R-FED-4, DESIGN note 2):
// internal/federation decides what to do (create, link or update; what
// maps to what) and calls these methods, and the usual user methods, with
// ConnectionActor inside one InTx; the directory keeps the invariants
// (validation, tenancy, audit).

// IdentityLink reads the link of (connection, subject) in this Service's
// transaction.
func (s *Service) IdentityLink(ctx context.Context, connectionID, subject string) (model.IdentityLink, error) {
	return s.store.GetIdentityLink(ctx, connectionID, subject)
}

// UserIdentityLinks lists a user's external identities.
func (s *Service) UserIdentityLinks(ctx context.Context, userID string) ([]model.IdentityLink, error) {
	return s.store.UserIdentityLinks(ctx, userID)
}

// SetLinkUpstream keeps the connector's upstream state (sealed by the
// caller) on the link of (connection, subject): written at each delegated
// login and upstream refresh, read by a refresh whose session has ended
// (issue 10 item 6). Not audited: it changes no data an admin sees.
func (s *Service) SetLinkUpstream(ctx context.Context, connectionID, subject string, sealed []byte) error {
	return s.store.SetLinkUpstream(ctx, connectionID, subject, sealed)
}

// UsersWithEmail lists up to limit users of a tenant (not deleted) with
// that email, compared case-insensitively (linking by verified email).
func (s *Service) UsersWithEmail(ctx context.Context, tenantID, email string, limit int) ([]model.User, error) {
	return s.store.UsersByEmail(ctx, tenantID, email, limit)
}

// ContextsByNumber lists the contexts of a tenant with that external
// number (account keys by number, R-FED-3).
func (s *Service) ContextsByNumber(ctx context.Context, tenantID, number string) ([]model.Context, error) {
	return s.store.ContextsByNumber(ctx, tenantID, number)
}

// LinkIdentity links an external identity to a user of the connection's
// tenant, audited as user.link. A taken key answers ErrAlreadyExists (the
// caller lost a race; DESIGN note 2).
func (s *Service) LinkIdentity(ctx context.Context, a Actor, l model.IdentityLink, via string) error {
	defer s.users.forget()
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := st.GetUser(ctx, l.UserID)
		if err != nil {
			return err
		}
		c, err := st.GetConnection(ctx, l.ConnectionID)
		if err != nil {
			return err
		}
		if u.TenantID != c.TenantID {
			return model.Errorf(model.EFORBIDDEN, "userId", "a connection links users of its own tenant only")
		}
		if u.Status == model.StatusDeleted {
			return model.Errorf(model.ECONFLICT, "status", "a deleted user cannot be linked")
		}
		if err := st.LinkIdentity(ctx, l); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.link", "user", u.ID, firstContext(u),
			map[string]any{"connection": l.ConnectionID, "subject": l.Subject, "via": via})
	})
}

// TouchIdentityLink records a login through a link (not audited: the
// login itself is).
func (s *Service) TouchIdentityLink(ctx context.Context, l model.IdentityLink) error {
	return s.store.TouchIdentityLink(ctx, l)
}

// AuditFederation records a refused or failed federation event (a mapping
// error, a link refused) outside any transaction, so it survives the
// rollback of the login's writes.
func (s *Service) AuditFederation(ctx context.Context, a Actor, action, targetType, targetID, contextID string, details map[string]any) {
	err := s.store.AppendAudit(ctx, model.AuditEvent{
		Time: s.now(), ActorID: a.id(), Action: action, TargetType: targetType, TargetID: targetID, ContextID: contextID,
		SourceIP: a.IP, Outcome: model.OutcomeFailure, Details: details,
	})
	if err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "err", err)
	}
}

// LoginConnections lists the enabled connections of an owner (a tenant or
// the root context), by name: the login page offers each as a button
// (R-FED-5). Names and logos are public; nothing else is meant for pages.
func (s *Service) LoginConnections(ctx context.Context, tenantID string) ([]model.Connection, error) {
	if !model.PlausibleID(tenantID) {
		return nil, nil
	}
	cs, err := s.store.ListConnections(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs {
		if c.Enabled {
			out = append(out, c)
		}
	}
	return out, nil
}

// ConnectionForEmail is home-realm discovery (R-FED-5): the enabled
// connection holding the email's domain as a verified domain;
// ErrNotFound when none.
func (s *Service) ConnectionForEmail(ctx context.Context, email string) (model.Connection, error) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 || at == len(email)-1 || len(email) > 320 {
		return model.Connection{}, errHidden("connection")
	}
	c, err := s.store.ConnectionByDomain(ctx, strings.ToLower(email[at+1:]))
	if err != nil {
		return c, err
	}
	if !c.Enabled {
		return model.Connection{}, errHidden("connection")
	}
	return c, nil
}

// IdPAccountURLs are where a delegated user's "show profile" and "change
// password" links go (R-USR-3): the URLs set on the connection the user
// came through (the first of its links that has them); empty for local
// users and connections without them.
func (s *Service) IdPAccountURLs(ctx context.Context, u model.User) (profileURL, passwordURL string, err error) {
	if u.Kind != model.KindDelegated {
		return "", "", nil
	}
	links, err := s.store.UserIdentityLinks(ctx, u.ID)
	if err != nil {
		return "", "", err
	}
	for _, l := range links {
		c, err := s.store.GetConnection(ctx, l.ConnectionID)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		if c.ProfileURL != "" || c.PasswordURL != "" {
			return c.ProfileURL, c.PasswordURL, nil
		}
	}
	return "", "", nil
}

// AuditFederationLogin records a delegated login through connection c
// (issue 10 item 10): outcome success with the user, or failure with the
// reason (a connector.Reason, "state", "mapping", …) and what failed.
func (s *Service) AuditFederationLogin(ctx context.Context, a Actor, c model.Connection, userID, outcome string, details map[string]any) {
	target, targetType := c.ID, "connection"
	if userID != "" {
		target, targetType = userID, "user"
	}
	if details == nil {
		details = map[string]any{}
	}
	details["connection"] = c.ID
	e := model.AuditEvent{
		Time: s.now(), ActorID: a.id(), Action: "federation.login", TargetType: targetType, TargetID: target, ContextID: c.TenantID,
		SourceIP: a.IP, Outcome: outcome, Details: details,
	}
	if outcome == model.OutcomeSuccess {
		// A successful delegated login is on the ACS / callback hot path
		// (issue 11: ≥ 1,000 SAML consumes/s): queued and written in
		// batches like the protocol events (auditqueue.go). Refusals are
		// written at once: they are the evidence of an attack.
		s.auditQ().add(e)
		return
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "err", err)
	}
}
