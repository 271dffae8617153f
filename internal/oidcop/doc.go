// Package oidcop is Sesame's OAuth 2.0 / OpenID Connect provider: it adapts
// the directory and the store to github.com/zitadel/oidc/v3/pkg/op, which
// implements the protocol endpoints (RFC 6749, RFC 7636, RFC 7662,
// RFC 7009, OpenID Connect Core 1.0, Discovery 1.0, RP-Initiated Logout 1.0),
// and adds what op leaves to the host: the login hand-off to Sesame's SSO
// session, signing-key rotation, refresh-token families with reuse
// detection, back-channel logout (OpenID Connect Back-Channel Logout 1.0)
// and RFC 9068 access-token claims.
//
// Bearer tokens are checked per resource (resource.go: audience, scope and
// client, RFC 9068 §4), introspection answers only a token's client or its
// listed audience (RFC 7662 §4), and a format/exp pre-filter (precheck.go)
// runs before any signature check. Clients are read through the
// directory's client cache; verifycache.go is the token-specific cache,
// dropped by directory changes (directory.Service.OnChange) and this
// package's revocations.
//
// Storage: New takes the store from the server wiring (the directory does
// not hand its store out); the key manager (keys.go) uses only
// storage.OAuth, the CORS origin index (cors.go) storage.DirectoryReader;
// client secret checks go through internal/authn (GuardSecret, R-PWD-3).
// oidcop must not import sqlstore or write directory data itself.
package oidcop

import (
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/zitadel/oidc/v3/pkg/op"
)
