package directory

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// EndConnectionSessions ends the SSO sessions that the external identity
// (connectionID, subject) started through that connection: an
// IdP-initiated single logout (R-SAML-9). The apps of the ended sessions
// are told as at a logout (OnSessionEnd); audited as session.ended_by_idp.
// An identity that is not linked ends nothing.
func (s *Service) EndConnectionSessions(ctx context.Context, connectionID, subject string) (int, error) {
	var (
		ended []endedSession
		link  model.IdentityLink
	)
	err := s.tx(ctx, func(st storage.Storage) error {
		var err error
		link, err = st.GetIdentityLink(ctx, connectionID, subject)
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		sessions, err := st.ListUserSessions(ctx, link.UserID)
		if err != nil {
			return err
		}
		for _, ss := range sessions {
			if ss.ConnectionID != connectionID {
				continue
			}
			svcs, err := st.SessionServices(ctx, ss.ID)
			if err != nil {
				return err
			}
			if err := st.DeleteSession(ctx, ss.ID); err != nil && !errors.Is(err, model.ErrNotFound) {
				return err
			}
			ended = append(ended, endedSession{ss, svcs})
		}
		if len(ended) == 0 {
			return nil
		}
		u, err := st.GetUser(ctx, link.UserID)
		if err != nil {
			return err
		}
		return s.audit(ctx, st, ConnectionActor(connectionID, ""), "session.ended_by_idp", "user", u.ID, firstContext(u),
			map[string]any{"connection": connectionID, "sessionsEnded": len(ended)})
	})
	if err != nil {
		return 0, err
	}
	s.notifyEnded(ctx, ended)
	return len(ended), nil
}
