// Package seal encrypts secrets at rest with AES-256-GCM under the
// operator's master key (SESAME_MASTER_KEY): OIDC signing keys
// (oidcop/keys.go) and TOTP secrets (internal/totp). The row's id is the
// additional data, so a sealed value cannot be moved to another row. Without
// a master key values are stored as given (zero configuration; `serve`
// warns, and refuses on PostgreSQL, in app/masterkey.go).
//
// It depends on the standard library only.
package seal
