// Package otp owns one-time codes sent by SMS or email (R-2FA-1..5, issue 9
// §3.1), as building blocks the login engine's second-factor step calls:
//
//   - settings.go: the instance rules (config `twofactor.*`), a user's
//     effective mode (own setting over the instance default; delegated users
//     never, their IdP does MFA) and Due (R-2FA-5: first login only, using
//     the stored first-login time);
//   - codes.go: Issue (a random numeric code, ≥ 6 digits, crypto/rand,
//     uniform; only an HMAC of it stored; handed to a Send function — the
//     outbox — in the caller's transaction; an SMS only to a number that
//     matches the MSISDN pattern, R-2FA-3), Verify (constant-time, attempts
//     limited, expiry, one code works once — decided under the challenge's
//     row lock in storage.Credentials) and Resend (cool-down, bounded sends).
//
// It depends on model and storage only; the outbox, templates and pages
// belong to their own packages. Codes are never logged or audited.
package otp
