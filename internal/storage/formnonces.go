package storage

import (
	"context"
	"time"
)

// FormNonces makes a console form's submit happen once (issue 13 "a
// double submit does not create two objects"): a form carries a random
// nonce, its first submit claims it, and later submits of the same form
// read the result the first one recorded.
type FormNonces interface {
	// ClaimFormNonce records nonce until expires; false when it was
	// claimed already (by this or another node).
	ClaimFormNonce(ctx context.Context, nonce string, expires time.Time) (bool, error)
	// SetFormNonceResult records where the claimed submit's result lives.
	SetFormNonceResult(ctx context.Context, nonce, result string) error
	// FormNonceResult returns the recorded result ("" while the first
	// submit is still running or failed); model.ErrNotFound when unclaimed.
	FormNonceResult(ctx context.Context, nonce string) (string, error)
	// ReleaseFormNonce drops a claim whose submit changed nothing (a
	// validation error), so the corrected form can be sent again.
	ReleaseFormNonce(ctx context.Context, nonce string) error
}
