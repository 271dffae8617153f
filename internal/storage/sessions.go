package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// Sessions holds SSO sessions (R-SSO-1), the services each logged in to,
// and their activity (idle timeout).
type Sessions interface {
	SessionActivity // sessionactivity.go
	LoginFlows      // loginflows.go: logins in progress

	// SSO sessions (R-SSO-1): stored so any node can serve them.
	CreateSession(ctx context.Context, s model.Session) error
	// GetSession returns a session that has not expired at now.
	GetSession(ctx context.Context, id string, now time.Time) (model.Session, error)
	DeleteSession(ctx context.Context, id string) error
	// SetSessionUpstream replaces a session's sealed connector state (an
	// upstream refresh rotated its tokens, issue 10 §6); ErrNotFound when
	// the session is gone.
	SetSessionUpstream(ctx context.Context, id string, upstream []byte) error
	// DeleteUserSessions ends every session of a user (deactivation) and
	// returns the ended sessions' ids.
	DeleteUserSessions(ctx context.Context, userID string) ([]string, error)
	// ListUserSessions lists a user's sessions (live or not).
	ListUserSessions(ctx context.Context, userID string) ([]model.Session, error)
	AddSessionService(ctx context.Context, ss model.SessionService) error
	// SessionServices lists the services a session logged in to.
	SessionServices(ctx context.Context, sessionID string) ([]model.SessionService, error)
}
