// Package account serves the account page /account (issue 9 §2.2, §3.2
// and §3.3): what a signed-in user manages about their own account. One
// file per feature:
//
//   - account.go: the Handler, its routes, the page, the guards every
//     form passes (a live session — else /login?return=/account — and the
//     session's CSRF token on top of net/http's CrossOriginProtection);
//   - password.go: change password (R-PWD-1) for local users — current
//     password re-checked through internal/authn under the brute-force
//     limiter (R-PWD-3), new password twice, the password policy with a
//     translated message per broken rule; the user's other sessions, all
//     refresh tokens and access tokens end, this session stays, and the
//     password_changed email is queued in the same transaction
//     (directory.ChangeOwnPassword). Delegated users see no form: their
//     password belongs to their organisation's sign-in (DelegatedURL is
//     the federation issue's hook to link it);
//   - totp.go: authenticator apps (RFC 6238) where the admin allows them —
//     enrol (QR code as a data: URL and the secret as text), confirm with a
//     first code, recovery codes shown once (only their hashes are
//     stored), regenerate them, remove; removing and regenerating ask for
//     the current password, not a TOTP code: a stolen session cookie alone
//     cannot take the second factor off or mint recovery codes, and a lost
//     phone does not lock the user out of the page;
//   - sessions.go: the user's own live SSO sessions (start, last use,
//     source address, this one marked) by a handle — the first 16 hex
//     digits of the stored id, itself a SHA-256 of the cookie, so it is no
//     credential — and ending one or all others; the directory ends only
//     sessions of the signed-in user (no IDOR) and their apps are logged
//     out as a logout does (CAS single logout, OIDC back-channel logout);
//   - language.go: the preferred language (en, de, fr or the browser's),
//     stored in the user's Person.Language; every page then speaks it.
//
// Store failures answer the 503 "try again" page; hostile input a 4xx page
// with a reason and no partial write.
package account
