package storage

import (
	"context"
	"time"
)

// Storage is Sesame's persistence interface, composed of one interface per
// area (one file each); consumers take the narrowest one they need.
type Storage interface {
	// InTx runs fn with a Storage bound to one transaction: all of fn's writes
	// commit together or not at all. Calling InTx on a transactional Storage
	// runs fn in the same transaction.
	InTx(ctx context.Context, fn func(tx Storage) error) error
	Ping(ctx context.Context) error
	Close() error
	Credentials      // credentials.go: OTP challenges, TOTP, recovery codes (R-2FA-*)
	Outbox           // outbox.go
	MessageTemplates // messagetemplates.go
	// PurgeExpired deletes expired sessions, tickets, OAuth state, login
	// flows, one-time code challenges and password-reset links.
	PurgeExpired(ctx context.Context, now time.Time) error

	Directory  // directory.go
	Sessions   // sessions.go
	CAS        // cas.go
	OAuth      // oauth.go
	Audit      // audit.go
	Identity   // identity.go
	Throttle   // throttle.go
	Federation // federation.go: connections, identity links (R-FED-*)

	PasswordResets // passwordresets.go: emailed reset links (R-PWD-2)
	SCIM           // scim.go: SCIM credentials, users' and groups' SCIM side, searches (issue 12)
}

// Now is the clock used by backends; tests may replace it per instance.
type Clock func() time.Time
