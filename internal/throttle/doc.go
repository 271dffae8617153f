// Package throttle is Sesame's brute-force limiter (R-PWD-3, issue 8 item
// 4). Failed credential checks are counted in the store (storage.Throttle),
// so every node sees the same counts, under two keys: the account (a user,
// an unknown login name as typed, or an OAuth client; a user's
// second-factor guesses have a key of their own, SecondFactorKey, and
// forgot-password requests one per account, set by internal/login) and
// the source address (clientip.Source: IPv4 address or IPv6 /64). Past a few free
// failures each further failure sets a "not before" time that doubles up
// to a maximum (the exponential delay, answered cheaply — no goroutine
// sleeps); past LockAfter failures the key is locked for LockDuration.
// Until then every attempt is refused before any hashing: 429 on the APIs,
// the same "invalid login" page in the browser. A successful login resets
// the account, an admin can unlock it (audited), locks are audited.
//
// It also bounds the audit log: failed-login rows from one source are
// written in full up to a budget per window, then summarised.
package throttle
