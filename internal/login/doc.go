// Package login is the login engine (issue 9 §1, DESIGN note 1) behind the
// one login page of every module (R-SSO-1), and the SSO session it creates.
//
// A login is a stored Flow (flow.go) — any node continues it — bound to the
// browser by the sesame_login cookie, with an expiry. Its steps are an
// ordered list of small types (Step: Due, Show, Submit), one file each
// (step_password.go, step_context.go, …), wired in internal/server; the
// dispatcher (engine.go) runs the first due step, saves the flow with a
// compare-and-swap on its version after each passed step (a double submit
// or a stale tab loses cleanly), and answers a form for a step that is not
// due with the step that is (PRG). When no step is due, finish.go starts
// the session with the flow's amr (RFC 8176) and LoginFor.
//
// Protocols start a login with Handler.Begin (begin.go). Forced
// re-authentication (OIDC prompt=login and max_age, CAS renew) passes
// Request.For; the protocol then accepts only a session whose LoginFor
// matches — the session of a login begun for that very request, not a
// recent one.
//
// Delegated login (issue 10, SPEC §6): step_idp.go is the first factor
// through a connection — chosen with a button on the password page,
// /login?connection=ID, home-realm discovery or /sso/{context_id}
// (sso.go). It sends the browser to the IdP (connector.Begin) and serves
// /login/idp/{id}/callback, which accepts an answer only for the
// browser's own flow, its chosen connection of the page's tenant and its
// state, once; then connector.Finish, federation's just-in-time
// provisioning, and back to the engine. upstream.go refreshes at the IdP
// on a Sesame refresh and names the IdP's logout after Sesame's.
//
// The local steps (issue 9): step_password.go (login name + password),
// step_password_change.go (forced new password), step_totp_enrol.go (a new
// authenticator after an account reset; recovery codes shown once through
// AfterPass), step_totp.go and step_otp.go (second factor; never after a
// delegated first factor), step_context.go. password_reset.go serves
// /password/forgot and /password/reset (R-PWD-2) outside the engine.
//
// The password check, the login record and the login/logout audit are
// internal/authn's (Handler.Authn); the context decisions internal/rights'.
// The session services of an ending session are read through the session
// manager's store (storage.Sessions). Login never imports sqlstore; every
// change to users, links and credentials goes through directory.Service
// methods (their rules and audit), never to the store directly.
package login
