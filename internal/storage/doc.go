// Package storage defines the one interface every Sesame store implements
// (dex's storage.Storage is the model), composed of one interface per area
// as fosite composes its storage (DESIGN note 4):
//
//	directory.go        Directory: contexts, catalog, groups, templates, policy, domains, users, clients, API keys
//	identity.go         Identity: tenant slugs and the password-login lookup
//	sessions.go         Sessions: SSO sessions and the services they logged in to
//	sessionactivity.go  SessionActivity (part of Sessions): idle timeout
//	cas.go              CAS: tickets
//	oauth.go            OAuth: auth requests, codes, grants, refresh tokens, revocations, signing keys
//	usergrants.go       UserGrantStore (part of OAuth): a user's grants
//	audit.go            Audit: append, list (R-OPS-4)
//	auditbatch.go       AuditBatcher (part of Audit): batch append
//	throttle.go         Throttle: brute-force counters (R-PWD-3)
//	credentials.go      Credentials: OTP challenges, TOTP enrolments and policies, recovery codes (R-2FA-*)
//	outbox.go           Outbox: queued email and SMS, claimed with a lease (R-MSG-2)
//	messagetemplates.go MessageTemplates: admin overrides of message templates (R-MSG-1)
//	loginflows.go       LoginFlows: logins in progress, compare-and-swap on a version
//	passwordresets.go   PasswordResets: emailed reset links, consumed once (R-PWD-2)
//	storage.go          Storage: all of the above plus InTx, Ping, Close, PurgeExpired
//
// Consumers take the narrowest interface they use (session.Manager takes
// Sessions, the OIDC key manager OAuth). A new area arrives as an
// interface in its own file here (one embedding line in Storage), a
// migration pair and a sqlstore file, and a conformance file registered in
// RunTests/RunConcurrencyTests. Backends live in sub-packages; the
// conformance suite in storage/conformance runs against each of them.
//
// Errors: a missing row is model.ErrNotFound, a unique-constraint violation
// model.ErrAlreadyExists (both wrapped with context; test with errors.Is).
// Updates take a function that receives the current value inside a
// transaction and returns the new one, so read-modify-write never loses an
// update under concurrency.
//
// This package imports only model; it must not import any service package.
package storage
