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
	ID     string `json:"id" doc:"The key's id (UUID); used to revoke it; read-only." example:"8e1a4c7f-2b5d-4f90-a3c6-9d0e1f2b3c4d"`
	UserID string `json:"userId" doc:"The user the key authenticates as; read-only." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
	Name   string `json:"name" doc:"What the key is for; 1 to 100 characters." example:"billing export job"`
	Prefix string `json:"prefix" doc:"The key's first characters, to tell keys apart (the key itself is never shown again); read-only." example:"sk_Xq3vW8mX"`
	// Hash is the lowercase hex SHA-256 of the whole key.
	Hash       string     `json:"-"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty" doc:"When the key stops working; absent: it does not expire." example:"2027-06-30T00:00:00Z"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty" doc:"When the key was last used; absent if never; read-only." example:"2026-11-30T17:42:10Z"`
	CreatedAt  time.Time  `json:"createdAt" doc:"When the key was created; read-only." example:"2026-01-15T09:30:00Z"`
}

// Expired reports whether the key has expired at now.
func (k APIKey) Expired(now time.Time) bool {
	return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)
}
