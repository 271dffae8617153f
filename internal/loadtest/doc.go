// Package loadtest is `sesame-load`: it sets up what it needs in a running
// Sesame through the admin API (an account, an active user, an OIDC and a
// CAS client, all with a random suffix), then drives one protocol flow with
// N concurrent workers over one keep-alive HTTP transport and reports
// throughput, p50/p90/p99/max latency and errors.
//
// Scenarios: cc (client_credentials, RFC 6749 §4.4), introspect (RFC 7662),
// authcode (authorization code + PKCE with an existing SSO session), cas
// (service ticket from /cas/login, then /cas/serviceValidate; plus a
// validate-only measurement over pre-minted tickets), login (full browser
// password logins through the login engine, a fresh cookie jar each, over a
// pool of users) and login-otp (the same with a one-time code by email: an
// in-process SMTP sink, smtpsink.go, reads each user's code from its mail;
// forms are read from the pages, form.go) and saml-acs (IdP-initiated SAML
// 2.0 responses posted to a connection's ACS: the command is its own IdP,
// samlidp.go, and signs a pool of one-use responses before the clock
// starts, samlacs.go). OIDC endpoints come
// from the discovery document, never from hard-coded paths.
//
// Each worker records its latencies in its own slice; the slices are merged
// and sorted once at the end, so the hot path takes no lock.
package loadtest
