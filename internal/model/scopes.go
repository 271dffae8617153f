package model

// ScopeAdmin is the OAuth 2.0 scope of the admin API (issue 8): only a
// confidential client with it in AllowedScopes may obtain it, and a token
// carries it together with the admin API's audience (RFC 9068 §4).
const ScopeAdmin = "sesame:admin"
