package storage

import (
	"context"
	"time"
)

// OTPChallenge is one one-time code sent to a user (R-2FA-1..2). Only a
// keyed hash of the code is stored; the code itself goes to the outbox.
type OTPChallenge struct {
	ID     string
	UserID string
	// Channel is "sms", "email" or "sms+email" (the same code on both).
	Channel string
	// Purpose says what the code proves ("login"); a code for one purpose
	// is never accepted for another.
	Purpose  string
	CodeHash []byte
	// Attempts counts wrong and right guesses; at MaxAttempts the
	// challenge is dead.
	Attempts    int
	MaxAttempts int
	// Sends counts the code's deliveries (first send and resends);
	// SentAt is the latest, for the resend cool-down.
	Sends     int
	SentAt    time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when the code was accepted; zero while unused.
	UsedAt time.Time
}

// TOTPEnrolment is a user's authenticator-app secret (RFC 6238). Secret is
// stored as given (internal/totp seals it with the master key).
type TOTPEnrolment struct {
	UserID string
	Secret []byte
	// ConfirmedAt is zero until the user proved the enrolment with a first
	// code; an unconfirmed enrolment is not a second factor.
	ConfirmedAt time.Time
	// LastStep is the latest time step accepted (replay guard).
	LastStep  int64
	CreatedAt time.Time
}

// Credentials stores second-factor secrets (R-2FA-*): one-time code
// challenges, TOTP enrolments and recovery codes. Every single-use rule is
// decided by the store, so it holds across nodes.
type Credentials interface {
	CreateOTPChallenge(ctx context.Context, c OTPChallenge) error
	GetOTPChallenge(ctx context.Context, id string) (OTPChallenge, error)
	// UpdateOTPChallenge runs fn on the locked challenge and stores the
	// attempts, sends, sent/expiry/used times and code hash it returns;
	// concurrent updates of one challenge run one after the other, so fn
	// sees every earlier attempt (atomic consume).
	UpdateOTPChallenge(ctx context.Context, id string, fn func(OTPChallenge) (OTPChallenge, error)) (OTPChallenge, error)
	// PurgeOTPChallenges deletes challenges that expired before before.
	PurgeOTPChallenges(ctx context.Context, before time.Time) (int, error)

	// PutTOTP stores a new (unconfirmed) enrolment, replacing the user's
	// previous one.
	PutTOTP(ctx context.Context, e TOTPEnrolment) error
	GetTOTP(ctx context.Context, userID string) (TOTPEnrolment, error)
	// ConfirmTOTP marks the enrolment confirmed at now with step as its
	// last used step; ErrNotFound when there is none, ErrReused when it
	// is confirmed already.
	ConfirmTOTP(ctx context.Context, userID string, step int64, now time.Time) error
	// UseTOTPStep records step as used if it is later than the last used
	// one, atomically; ErrReused otherwise (the same or an earlier time
	// step: replay), ErrNotFound without a confirmed enrolment.
	UseTOTPStep(ctx context.Context, userID string, step int64) error
	DeleteTOTP(ctx context.Context, userID string) error
	// SetTOTPPolicy stores a user's own TOTP setting ("allowed" or
	// "denied"); "" removes it (the instance default applies).
	SetTOTPPolicy(ctx context.Context, userID, policy string) error
	// TOTPPolicy returns a user's own TOTP setting, "" when none.
	TOTPPolicy(ctx context.Context, userID string) (string, error)

	// ReplaceRecoveryCodes stores a user's new recovery code hashes,
	// dropping the old ones.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte, now time.Time) error
	// UseRecoveryCode marks the unused code with that hash used, once:
	// ErrNotFound when there is no such unused code.
	UseRecoveryCode(ctx context.Context, userID string, hash []byte, now time.Time) error
	// RecoveryCodesLeft counts a user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
}
