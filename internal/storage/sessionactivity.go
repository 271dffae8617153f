package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// SessionActivity records when an SSO session was last used, for the idle
// timeout next to the absolute one (issue 8 item 13).
type SessionActivity interface {
	// GetActiveSession returns a session that has not expired at now and
	// was used (or, never used since, started) after idleSince; LastSeen is
	// set. Anything else is ErrNotFound.
	GetActiveSession(ctx context.Context, id string, now, idleSince time.Time) (model.Session, error)
	// TouchSession records a use at at, unless one was recorded after
	// notBefore already: bumps cost at most one write per interval.
	TouchSession(ctx context.Context, id string, at, notBefore time.Time) error
}
