// Package connectortest is a scriptable upstream OpenID Connect provider
// for tests of delegated login (issue 10 "proven with real peers"): a real
// HTTP server (httptest, loopback) with discovery, JWKS, an authorize
// endpoint that redirects straight back with a code for the scripted user,
// a token endpoint (authorization_code with PKCE S256, refresh_token),
// userinfo and end_session. ID tokens are signed with go-jose (RS256,
// PS256 or ES256) and optionally encrypted to a given RSA key.
//
// Misbehaviour switches let tests try each attack of the issue: wrong
// issuer, audience or azp; expired or not-yet-valid tokens; a bad
// signature; alg=none; HS256 keyed with the provider's public key; a
// replayed or foreign nonce; a missing state; a wrong or missing RFC 9207
// iss; a token signed by an unpublished key; and, per endpoint, slow, HTML,
// 10 MB or redirect-loop answers. RotateKey starts signing with a new kid.
//
// It is test-only code: it has no persistence, trusts its callers and must
// not be imported by production packages.
package connectortest
