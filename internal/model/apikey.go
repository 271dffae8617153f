package model

import "time"

// APIKeyPrefix starts every API key, so a key is recognisable in a Basic
// password or a bearer header, and in leaked-secret scanners (R-SSO-6).
const APIKeyPrefix = "sk_"

// APIKey is a user's long-lived credential for legacy API callers
// (R-SSO-6): sent as the password of HTTP Basic (with the user's login
// name) or as a bearer token. Only the SHA-256 of the key is stored; the
// key itself is shown once, when it is created. Prefix is the key's first
// characters, so people can tell their keys apart.
type APIKey struct {
	ID     string `json:"id"`
	UserID string `json:"userId"`
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
	// Hash is the lowercase hex SHA-256 of the whole key.
	Hash       string     `json:"-"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
}

// Expired reports whether the key has expired at now.
func (k APIKey) Expired(now time.Time) bool {
	return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)
}
