package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Self-service writes of the account page (internal/account, issue 9
// §2.2 and §3.3): a signed-in user acts on their own account, so there is
// no right to check — the caller has identified the user by their session
// (and, for the password, re-checked it through authn.CheckPassword).

// ChangeOwnPassword sets a local user's new password (R-PWD-1) after the
// policy (issue 9 §2.1, messages naming each broken rule) and ends what the
// old password let anyone start, as ResetPassword does — except the
// session keepSessionID the user is changing it from: the user's other SSO
// sessions, all refresh tokens and the access tokens of the user's grants
// go in one transaction with the password and the notify message (the
// password_changed email); the ended sessions' apps are told after commit
// (single logout). The password must-change flag is cleared and the
// password's set time recorded.
func (s *Service) ChangeOwnPassword(ctx context.Context, userID, keepSessionID, pw string, notify Notify) error {
	defer s.users.forget()
	if err := s.checkPassword(pw, password.Subject{}); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.checkPassword(pw, subjectOf(u)); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	var ended []endedSession
	a := Actor{User: u, IP: clientip.From(ctx)}
	err = s.tx(ctx, func(st storage.Storage) error {
		nu, err := st.UpdateUser(ctx, userID, func(u model.User) (model.User, error) {
			if u.Kind != model.KindLocal {
				return u, model.Invalid("password", "delegated users change their password at their identity provider")
			}
			if u.Status != model.StatusActive {
				return u, model.Errorf(model.ECONFLICT, "status", "only an active user changes their password")
			}
			u.PasswordHash, u.PasswordMustChange, u.PasswordSetAt = hash, false, s.now().UTC()
			return u, nil
		})
		if err != nil {
			return err
		}
		if ended, err = endOtherSessions(ctx, st, userID, keepSessionID); err != nil {
			return err
		}
		if err := st.DeleteUserRefreshTokens(ctx, userID); err != nil {
			return err
		}
		// Pending reset links die with the old password.
		if err := st.DeleteUserPasswordResets(ctx, userID); err != nil {
			return err
		}
		if err := s.revokeUserGrants(ctx, st, userID); err != nil {
			return err
		}
		if notify != nil {
			if err := notify(ctx, st, nu); err != nil {
				return fmt.Errorf("password changed message: %w", err)
			}
		}
		return s.audit(ctx, st, a, "user.password_changed", "user", userID, firstContext(nu), map[string]any{"sessionsEnded": len(ended)})
	})
	if err == nil {
		s.notifyEnded(ctx, ended)
	}
	return err
}

// EndOwnSessions ends sessions of userID (R-SSO-7 for the account page):
// the one whose id is sessionID, or with sessionID empty every session but
// keepSessionID. A session id of another user ends nothing and answers
// ENOTFOUND (the account page never acts on someone else's session). The
// ended sessions' apps are told after commit, as a logout does; it returns
// how many sessions ended.
func (s *Service) EndOwnSessions(ctx context.Context, userID, sessionID, keepSessionID string) (int, error) {
	var ended []endedSession
	err := s.tx(ctx, func(st storage.Storage) error {
		var err error
		if sessionID == "" {
			ended, err = endOtherSessions(ctx, st, userID, keepSessionID)
			return err
		}
		sessions, err := st.ListUserSessions(ctx, userID)
		if err != nil {
			return err
		}
		for _, ss := range sessions {
			if ss.ID != sessionID {
				continue
			}
			svcs, err := st.SessionServices(ctx, ss.ID)
			if err != nil {
				return err
			}
			ended = append(ended, endedSession{ss, svcs})
			return st.DeleteSession(ctx, ss.ID)
		}
		return model.Errorf(model.ENOTFOUND, "session", "no such session of yours")
	})
	if err != nil {
		return 0, err
	}
	if len(ended) > 0 {
		s.AuditSelf(ctx, userID, "session.ended_by_user", map[string]any{"sessionsEnded": len(ended)})
	}
	s.notifyEnded(ctx, ended)
	return len(ended), nil
}

// endOtherSessions deletes userID's sessions but keep and returns them
// with their services (for single logout).
func endOtherSessions(ctx context.Context, st storage.Storage, userID, keep string) ([]endedSession, error) {
	sessions, err := st.ListUserSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	var ended []endedSession
	for _, ss := range sessions {
		if ss.ID == keep {
			continue
		}
		svcs, err := st.SessionServices(ctx, ss.ID)
		if err != nil {
			return nil, err
		}
		if err := st.DeleteSession(ctx, ss.ID); err != nil {
			return nil, err
		}
		ended = append(ended, endedSession{ss, svcs})
	}
	return ended, nil
}

// SetOwnLanguage stores a user's preferred language (issue 9 §5; "" is the
// browser's): one of the shipped languages, as its base tag.
func (s *Service) SetOwnLanguage(ctx context.Context, userID, lang string) error {
	defer s.users.forget()
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang != "" && (len(lang) > 35 || !i18n.ValidLanguage(lang)) {
		return model.Invalid("language", "must be one of the shipped languages or empty")
	}
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := st.UpdateUser(ctx, userID, func(u model.User) (model.User, error) {
			u.Person.Language = lang
			return u, nil
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, st, Actor{User: u, IP: clientip.From(ctx)}, "user.language_set", "user", userID, firstContext(u),
			map[string]any{"language": lang})
	})
}

// AuditSelf records a user's own action on their account (outside any
// transaction): TOTP enrolment and removal, recovery codes regenerated.
func (s *Service) AuditSelf(ctx context.Context, userID, action string, details map[string]any) {
	if err := s.store.AppendAudit(ctx, model.AuditEvent{Time: s.now(), ActorID: userID, Action: action, TargetType: "user",
		TargetID: userID, SourceIP: clientip.From(ctx), Outcome: model.OutcomeSuccess, Details: details}); err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "action", action, "err", err)
	}
}
