// Package totp owns authenticator-app second factors (RFC 6238, issue 9
// §3.2) as building blocks for the account page and the login engine's TOTP
// step, on github.com/pquerna/otp:
//
//   - enrol.go: Enrol (a random 160-bit secret, stored sealed with the master
//     key through internal/seal — plain, like the signing keys, when no
//     master key is set — an otpauth:// URL and a QR code PNG), Confirm (a
//     first code makes the enrolment active and returns the recovery codes),
//     Remove;
//   - verify.go: Verify (±1 time step, constant-time comparison; a time step
//     is accepted once — the store refuses the same or an earlier step
//     atomically, so a code cannot be replayed, not even concurrently);
//   - recovery.go: ten recovery codes, shown once, stored as keyed SHA-256
//     hashes, each working once; regenerated as a set.
//
// Wrong codes are not counted here: the login engine charges them to the
// brute-force limiter (internal/throttle, R-PWD-3) like wrong passwords.
// It depends on model, seal and storage only.
package totp
