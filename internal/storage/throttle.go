package storage

import (
	"context"
	"time"
)

// ThrottleState is one brute-force counter (R-PWD-3): failures counted
// under a key (an account or a source address) and the times before which
// the key is refused.
type ThrottleState struct {
	Key string
	// Hits is the number of failures since the counter last started.
	Hits int
	// LastHit is the time of the latest failure.
	LastHit time.Time
	// NotBefore: no attempt is answered before this time (exponential
	// delay); zero when none is due.
	NotBefore time.Time
	// LockedUntil: the key is locked until this time; zero when not locked.
	LockedUntil time.Time
}

// Throttle keeps brute-force counters in the store, so every node sees the
// same counts (R-PWD-3, R-OPS-*: lockout counters work across nodes).
type Throttle interface {
	// ThrottleHit counts one failure under key at now, atomically (N
	// concurrent hits count N). A counter whose last hit is before
	// resetBefore starts again at 1. It returns the state after the hit.
	ThrottleHit(ctx context.Context, key string, now, resetBefore time.Time) (ThrottleState, error)
	// ThrottleBlock moves key's not-before and locked-until times forward
	// to the given times (never back); zero times leave them as they are.
	ThrottleBlock(ctx context.Context, key string, notBefore, lockedUntil time.Time) error
	// ThrottleStates returns the states of the keys that have one.
	ThrottleStates(ctx context.Context, keys ...string) ([]ThrottleState, error)
	// ThrottleReset forgets key (a successful login, an admin unlock).
	ThrottleReset(ctx context.Context, key string) error
	// PurgeThrottle forgets counters whose last hit is before before and
	// whose lock has ended; it returns how many.
	PurgeThrottle(ctx context.Context, before time.Time) (int, error)
}
