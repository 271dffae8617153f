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
	ID string `json:"id" doc:"The credential's id (UUID); read-only." example:"b7d3e5f1-6a2c-4b80-9e14-3c5a7d9f1b2e"`
	// TenantID is the tenant the token provisions; it reaches nothing else.
	TenantID string `json:"tenantId" doc:"The tenant the token provisions; it reaches nothing else." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Name     string `json:"name" doc:"What the credential is for (e.g. the IdP that uses it)." example:"Entra ID provisioning"`
	// Prefix is the token's first characters, to tell tokens apart.
	Prefix string `json:"prefix" doc:"The token's first characters, to tell tokens apart (the token itself is never shown again); read-only." example:"scim_Lb4sVq7t"`
	// Hash is the lowercase hex SHA-256 of the whole token.
	Hash string `json:"-"`
	// ConnectionID, when set, ties the provisioned users to one
	// connection of the tenant: they are delegated users, linked by their
	// externalId, and sign in only through that connection.
	ConnectionID string `json:"connectionId,omitempty" doc:"Optional: provisioned users are delegated users of this connection of the tenant, linked by externalId, and sign in only through it." example:"4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30"`
	// ContextID is where new users are created (a context of the tenant;
	// empty: the tenant context itself).
	ContextID string `json:"contextId,omitempty" doc:"Where new users and groups are created (a context of the tenant); absent: the tenant itself." example:"0c4a8e62-7d15-4f3b-9e20-b6a1d3c5f789"`
	// DefaultGroups are groups (ids) every user created through the
	// credential joins.
	DefaultGroups []string `json:"defaultGroups" doc:"Groups (ids) every user created through the credential joins." example:"[\"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68\"]"`
	// DefaultDomain is the user domain of created users (empty:
	// ENTERPRISE).
	DefaultDomain string     `json:"defaultDomain,omitempty" doc:"User domain of created users; absent: the connection's, else ENTERPRISE." example:"ENTERPRISE"`
	CreatedAt     time.Time  `json:"createdAt" doc:"When the credential was created; read-only." example:"2026-01-15T09:30:00Z"`
	LastUsedAt    *time.Time `json:"lastUsedAt,omitempty" doc:"When the token was last used; absent if never; read-only." example:"2026-11-30T17:42:10Z"`
	RevokedAt     *time.Time `json:"revokedAt,omitempty" doc:"When the credential was revoked (its token no longer works); absent while valid; read-only." example:"2026-12-01T08:00:00Z"`
}

// Target is the context new users and groups are created in.
func (c SCIMCredential) Target() string {
	if c.ContextID != "" {
		return c.ContextID
	}
	return c.TenantID
}
