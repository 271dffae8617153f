package model

import "time"

// SCIMTokenPrefix starts every SCIM bearer token, so a token is
// recognisable in a header and in leaked-secret scanners (issue 12).
const SCIMTokenPrefix = "scim_"

// SCIMCredential lets a customer's directory (Entra ID, Okta, …) provision
// the users and groups of one tenant through /scim/v2 (RFC 7644). Only the
// SHA-256 of the bearer token is stored; the token is shown once, when the
// credential is created. A revoked credential stays listed (RevokedAt) so
// the audit log keeps resolving it.
type SCIMCredential struct {
	ID string `json:"id"`
	// TenantID is the tenant the token provisions; it reaches nothing else.
	TenantID string `json:"tenantId"`
	Name     string `json:"name"`
	// Prefix is the token's first characters, to tell tokens apart.
	Prefix string `json:"prefix"`
	// Hash is the lowercase hex SHA-256 of the whole token.
	Hash string `json:"-"`
	// ConnectionID, when set, ties the provisioned users to one
	// connection of the tenant: they are delegated users, linked by their
	// externalId, and sign in only through that connection.
	ConnectionID string `json:"connectionId,omitempty"`
	// ContextID is where new users are created (a context of the tenant;
	// empty: the tenant context itself).
	ContextID string `json:"contextId,omitempty"`
	// DefaultGroups are groups (ids) every user created through the
	// credential joins.
	DefaultGroups []string `json:"defaultGroups"`
	// DefaultDomain is the user domain of created users (empty:
	// ENTERPRISE).
	DefaultDomain string     `json:"defaultDomain,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	LastUsedAt    *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt     *time.Time `json:"revokedAt,omitempty"`
}

// Target is the context new users and groups are created in.
func (c SCIMCredential) Target() string {
	if c.ContextID != "" {
		return c.ContextID
	}
	return c.TenantID
}
