// Package oidc is the OpenID Connect / OAuth 2.0 connector of delegated
// login (issue 10, SPEC §6 R-FED-1, R-FED-2): Sesame as a relying party of a
// customer's IdP, built on github.com/coreos/go-oidc/v3 (ID token checks),
// golang.org/x/oauth2 (code exchange, PKCE, refresh) and
// github.com/go-jose/go-jose/v4 (JWE decryption, key sets).
//
// Two modes: OpenID Connect by discovery (issuer or discovery URL), and
// plain OAuth 2.0 with explicit authorize, token and userinfo endpoints for
// IdPs without ID tokens (GitHub-style), where userinfo names the user.
//
// What is checked (each guarded by a test in oidc_test against the
// misbehaving upstream of package connectortest):
//
//   - towards the IdP: state (the caller's), nonce and PKCE S256 (RFC 7636);
//   - the answer: state equals the flow's; RFC 9207 iss when sent (required
//     when advertised); the kept value belongs to this connection (mix-up);
//     IdP error answers are reported with their code;
//   - the ID token: a JWE (5 parts) is decrypted first with Sesame's RSA key
//     (RSA-OAEP, RSA-OAEP-256; A128GCM, A256GCM, A128CBC-HS256 only), then
//     the inner JWS verified: alg on the connection's allow-list (never none
//     or HS*), signature against the IdP's JWKS (re-fetched on an unknown
//     kid at most once per KeyRefetchInterval), iss, aud, azp, exp / nbf /
//     iat with the configured skew, nonce, at_hash, a non-empty sub;
//   - userinfo (when used) names the same subject (OIDC Core §5.3.4);
//   - every back-channel request is bounded (NewHTTPClient: timeout, 1 MiB
//     answers, 3 redirects) and https-only except towards loopback.
//
// Identity.Data holds the upstream refresh token (KeepRefreshToken) and the
// signed ID token (for id_token_hint at RP-initiated logout): store it
// sealed, server-side. EncryptionJWKS publishes Sesame's decryption keys.
//
// Files: config.go (Config, validation, allow-lists), httpclient.go (the
// bounded client), discovery.go (discovery, JSON GETs), keyset.go (the
// rate-limited JWKS), oidc.go (New, Begin, Finish, userinfo, error
// classification), verify.go (ID token decryption and verification),
// refresh.go (Refresh, Logout, LogoutURL), jwks.go (EncryptionJWKS). It must not
// import storage, directory, federation or login: mapping claims to users is
// package federation's job.
package oidc
