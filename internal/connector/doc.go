// Package connector is the protocol side of delegated login (SPEC §6
// R-FED-1, R-FED-2): the small interface every upstream protocol implements
// so that the login engine (internal/login) and the shared federation
// package (connections, claim mapping, just-in-time users, linking) never
// see OIDC or SAML details.
//
// The contract, for every implementation:
//
//   - ctx-bounded: every call takes a context and every back-channel request
//     (discovery, keys, token, userinfo) is bounded by it and by the
//     connector's own HTTP limits (timeouts, response size, redirects), so a
//     slow or hostile IdP costs one bounded request, never a stuck login.
//   - no mapping: a connector returns what the IdP asserted (Identity.Claims
//     raw, Subject, Email, EmailVerified) and nothing else; which claim holds
//     the roles, names or contexts is decided once, for both protocols, by
//     package federation (R-FED-3).
//   - Identity.Data never leaves the server: it holds upstream tokens (the
//     upstream refresh token, the ID token used as id_token_hint at logout)
//     and is stored sealed with the session, given back only to the same
//     connector's Refresh and Logout.
//   - errors are *Error values with a stable Reason a page or an audit entry
//     can use; their text names what failed and never contains a token, a
//     code or a secret.
//
// Begin/Finish split: Begin says where to send the browser and returns
// "kept" bytes that the caller stores on its login Flow; Finish gets the
// IdP's answer and that same kept value. The caller finds the Flow from the
// answer (the OIDC state parameter is the flow's state value); the connector
// then compares the answer's state with the one in kept itself, so a Finish
// never accepts an answer meant for another flow even if the caller errs.
//
// Optional capabilities are separate interfaces found by type assertion
// (Refresher, Logouter) and asserted at compile time by each implementation.
//
// Files: connector.go (the interfaces, Identity, Action), errors.go (Error
// and its reasons). Implementations live in subpackages (oidc; saml later);
// connectortest is a scriptable upstream OIDC provider for tests. This
// package and its implementations must not import storage, directory,
// federation or login.
package connector
