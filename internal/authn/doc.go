// Package authn answers "who is this?": it checks credentials and records
// sign-ins (DESIGN note 3, split out of internal/directory). It owns
//
//   - password login (R-PWD-3, SPEC.md §8): Authenticate resolves the
//     tenant, then the user (findLogin: "name" for the root context,
//     "slug/name" for a tenant, one UNIQUE probe with the PRECIS key) and
//     verifies the password under the brute-force limiter; every failure is
//     the one ErrBadCredentials, unknown names cost a dummy hash;
//   - API keys and HTTP Basic (R-SSO-6): AuthenticateAPIKey,
//     AuthenticateBasic, the key format (LooksLikeAPIKey, HashAPIKey);
//   - client secret checks under the limiter (GuardSecret);
//   - second-factor guesses under the limiter (GuardSecondFactor: a
//     per-user key of their own, throttle.SecondFactorKey, which the
//     password success before each guess does not reset);
//   - re-checking a signed-in user's password (CheckPassword, the account
//     page), on the same budget as the login;
//   - the sign-in records (R-OPS-4, R-2FA-5): RecordLogin (first and last
//     login times), AuditLogin, AuditLogout, AuditFailedLogin (within the
//     source's audit budget, issue 8 item 15).
//
// Files by flow: service.go (Service, Store, wiring), authn.go (password
// login and login names), apikeys.go (API keys, HTTP Basic), throttle.go
// (the limiter glue: verifyThrottled, GuardSecret, GuardSecondFactor,
// AuditFailedLogin), reauth.go (CheckPassword), logins.go (login and
// logout records).
//
// Service works on the root store, never inside a directory transaction.
// directory.Service builds it (Service.Authn) with its store, hasher,
// limiter and clock; the login page, CAS, the OIDC provider and the admin
// API call it. authn must not import internal/directory, the protocol
// packages (cas, oidcop, login, adminapi) or sqlstore; it depends on
// storage interfaces, model, password, throttle, identity and clientip.
// Admin writes (creating keys, setting passwords, unlocking) stay in
// internal/directory.
package authn
