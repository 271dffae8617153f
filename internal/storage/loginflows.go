package storage

import (
	"context"
	"time"
)

// LoginFlow is one login in progress as stored (issue 9 §1): the login
// engine (internal/login) owns the shape of State; the store keeps it
// opaque, expires it and serialises its updates.
type LoginFlow struct {
	// ID is the SHA-256 of the browser's login cookie.
	ID string
	// Version is bumped by every update; an update or delete naming an
	// older version fails with model.ErrStale (a double submit, or another
	// tab, got there first).
	Version   int64
	State     []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginFlows stores login flows so that any node continues a login
// another started (DESIGN note 1).
type LoginFlows interface {
	CreateLoginFlow(ctx context.Context, f LoginFlow) error
	// GetLoginFlow returns a flow that has not expired at now;
	// model.ErrNotFound otherwise.
	GetLoginFlow(ctx context.Context, id string, now time.Time) (LoginFlow, error)
	// UpdateLoginFlow stores state and expiry if the flow is still at
	// version (compare and swap) and returns the new version;
	// model.ErrStale when another update came first, model.ErrNotFound
	// when the flow is gone.
	UpdateLoginFlow(ctx context.Context, id string, version int64, state []byte, expiresAt time.Time) (int64, error)
	// DeleteLoginFlow ends the flow if it is still at version: of two
	// concurrent finishes exactly one succeeds, the other gets
	// model.ErrStale (or model.ErrNotFound once the row is gone).
	DeleteLoginFlow(ctx context.Context, id string, version int64) error
	// PurgeLoginFlows deletes flows that expired before before.
	PurgeLoginFlows(ctx context.Context, before time.Time) (int, error)
}
