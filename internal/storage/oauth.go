package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// OAuth holds the OAuth 2.0 / OIDC state (R-SSO-2): authorization
// requests, codes, grants, refresh tokens, revocations, signing keys and
// each user's grants.
type OAuth interface {
	UserGrantStore // usergrants.go

	// OAuth 2.0 / OIDC (R-SSO-2). Authorization requests live until they
	// expire; RedeemAuthCode marks one redeemed atomically and answers
	// ErrReused (with the request) when its code comes back.
	CreateAuthRequest(ctx context.Context, ar model.AuthRequest) error
	GetAuthRequest(ctx context.Context, id string, now time.Time) (model.AuthRequest, error)
	// CompleteAuthRequest stores the authenticated request with its code
	// in one write; it fails when the request already has a code.
	CompleteAuthRequest(ctx context.Context, ar model.AuthRequest, codeHash string) error
	// RedeemAuthCode marks the code redeemed and records its grant (the
	// token family, id = the request's id, until grantUntil) in one
	// transaction.
	RedeemAuthCode(ctx context.Context, codeHash string, now, grantUntil time.Time) (model.AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	SessionGrants(ctx context.Context, sessionID string) ([]model.Grant, error)
	GetGrant(ctx context.Context, id string) (model.Grant, error)
	// Refresh tokens rotate: UseRefreshToken answers ErrReused for a token
	// already used.
	CreateRefreshToken(ctx context.Context, rt model.RefreshToken) error
	GetRefreshToken(ctx context.Context, id string, now time.Time) (model.RefreshToken, error)
	UseRefreshToken(ctx context.Context, id string) error
	DeleteUserRefreshTokens(ctx context.Context, userID string) error
	// RevokeGrant deletes a family's refresh tokens and marks its access
	// tokens revoked until until.
	RevokeGrant(ctx context.Context, grantID string, until time.Time) error
	RevokeTokenID(ctx context.Context, jti string, until time.Time) error
	Revoked(ctx context.Context, now time.Time, grantID, jti string) (bool, error)
	// Signing keys: RotateSigningKeys runs fn under an exclusive lock and
	// stores the keys it returns.
	ListSigningKeys(ctx context.Context) ([]model.SigningKey, error)
	RotateSigningKeys(ctx context.Context, fn func([]model.SigningKey) ([]model.SigningKey, error)) error
}
