package storage

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
)

// UserGrantStore finds a user's grants (token families), whatever became of
// the sessions they were issued in: a password reset revokes them all
// (issue 8 item 8).
type UserGrantStore interface {
	// UserGrants lists the user's grants, ordered by id.
	UserGrants(ctx context.Context, userID string) ([]model.Grant, error)
}
