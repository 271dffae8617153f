package storage

import (
	"context"
	"time"
)

// PasswordReset is one emailed password-reset link (R-PWD-2, issue 9
// §2.3). Only the SHA-256 of the link's random token is stored, so a
// reader of the database cannot use a pending link.
type PasswordReset struct {
	// TokenHash is the hex SHA-256 of the token in the link.
	TokenHash string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when the link set a password; zero while unused.
	UsedAt time.Time
}

// PasswordResets stores reset links. Single use is decided by the store
// (ConsumePasswordReset), so it holds across nodes.
type PasswordResets interface {
	CreatePasswordReset(ctx context.Context, r PasswordReset) error
	// GetPasswordReset returns an unused link that has not expired at now;
	// model.ErrNotFound otherwise (unknown, used or expired alike).
	GetPasswordReset(ctx context.Context, tokenHash string, now time.Time) (PasswordReset, error)
	// ConsumePasswordReset marks the link used at now if it is unused and
	// has not expired, atomically: of two concurrent consumers exactly one
	// gets the link, the other model.ErrNotFound.
	ConsumePasswordReset(ctx context.Context, tokenHash string, now time.Time) (PasswordReset, error)
	// DeleteUserPasswordResets drops every link of a user (a password was
	// set: older links must not set another).
	DeleteUserPasswordResets(ctx context.Context, userID string) error
	// UserIDsByEmail returns the ids of up to limit users of a tenant
	// whose email is email, ignoring case (the forgot-password page takes
	// a login name or an email).
	UserIDsByEmail(ctx context.Context, tenantID, email string, limit int) ([]string, error)
	// PurgePasswordResets deletes links that expired before before.
	PurgePasswordResets(ctx context.Context, before time.Time) (int, error)
}
