package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// SCIM stores what the SCIM 2.0 server (internal/scim, RFC 7643/7644)
// needs beyond the directory: the tenants' SCIM credentials (hash only),
// the SCIM attributes of users and groups that have no column of their own
// (externalId, further emails and phone numbers, the enterprise extension,
// …) and the searches /Users and /Groups answer, with every filter
// translated to SQL (never evaluated over loaded users). Only
// internal/directory writes it.
type SCIM interface {
	// CreateSCIMCredential stores c with a new id when empty; a taken hash
	// gives ErrAlreadyExists.
	CreateSCIMCredential(ctx context.Context, c model.SCIMCredential) (model.SCIMCredential, error)
	GetSCIMCredential(ctx context.Context, id string) (model.SCIMCredential, error)
	// GetSCIMCredentialByHash finds a credential (revoked ones too: the
	// caller refuses them) by the SHA-256 of its token.
	GetSCIMCredentialByHash(ctx context.Context, hash string) (model.SCIMCredential, error)
	// ListSCIMCredentials lists a tenant's credentials ("": every
	// tenant's), oldest first.
	ListSCIMCredentials(ctx context.Context, tenantID string) ([]model.SCIMCredential, error)
	// RevokeSCIMCredential marks a credential revoked at at; ErrNotFound
	// when it does not exist or is revoked already.
	RevokeSCIMCredential(ctx context.Context, id string, at time.Time) error
	// TouchSCIMCredential records when a credential was last used.
	TouchSCIMCredential(ctx context.Context, id string, at time.Time) error

	// PutSCIMUser stores the SCIM side of a user (replacing its values)
	// and bumps the user's updated_at: meta.lastModified and the ETag
	// (meta.version) follow every SCIM change; it returns that time.
	PutSCIMUser(ctx context.Context, u SCIMUser) (time.Time, error)
	// GetSCIMUsers reads the SCIM side of users; users without one are
	// missing from the map.
	GetSCIMUsers(ctx context.Context, userIDs []string) (map[string]SCIMUser, error)
	// SearchSCIMUsers answers a query over the tenant's users that are not
	// deleted: one page (users with their SCIM side; no contexts) and the
	// total count.
	SearchSCIMUsers(ctx context.Context, q SCIMQuery) ([]SCIMUserRow, int, error)
	// SCIMUserGroups lists, per user, the groups of the context ctxID the
	// users are members of (the read-only "groups" attribute).
	SCIMUserGroups(ctx context.Context, contextID string, userIDs []string) (map[string][]model.Group, error)

	// PutSCIMGroup stores the SCIM side of a group and bumps the group's
	// updated_at (membership changes included).
	PutSCIMGroup(ctx context.Context, g SCIMGroup) error
	GetSCIMGroups(ctx context.Context, groupIDs []string) (map[string]SCIMGroup, error)
	// SearchSCIMGroups answers a query over the groups of q.ContextID.
	SearchSCIMGroups(ctx context.Context, q SCIMQuery) ([]model.Group, int, error)
	// SCIMMembers lists the members of a group with their login names.
	SCIMMembers(ctx context.Context, groupID string) ([]SCIMMember, error)
}

// SCIMUser is the SCIM side of a user: what has no column in users.
type SCIMUser struct {
	UserID   string
	TenantID string
	// ExternalID is the provisioning client's id (RFC 7643 §3.1),
	// compared case-exactly and indexed per tenant.
	ExternalID string
	// CredentialID is the credential that created or last wrote the user.
	CredentialID string
	// Attrs is the JSON object of the other SCIM attributes, as given.
	Attrs []byte
	// Values are the filterable values of Attrs (attribute path, value),
	// indexed per tenant and attribute.
	Values []SCIMValue
	// New: the user was created in this transaction by the caller
	// (PutSCIMUser has nothing to replace, leaves updated_at as created
	// and returns the zero time).
	New bool
}

// SCIMUserRow is a user with its SCIM side (empty when it has none).
type SCIMUserRow struct {
	model.User
	SCIM SCIMUser
}

// SCIMValue is one filterable value of a user's SCIM attributes.
type SCIMValue struct {
	Attr  string
	Value string
}

// SCIMGroup is the SCIM side of a group.
type SCIMGroup struct {
	GroupID    string
	TenantID   string
	ExternalID string
}

// SCIMMember is a group member as SCIM shows it.
type SCIMMember struct {
	UserID    string
	LoginName string
}

// SCIMQuery is a search over users or groups: Where is already mapped from
// the SCIM filter (internal/scim) onto the store's fields.
type SCIMQuery struct {
	TenantID string
	// ContextID limits groups to those of one context.
	ContextID string
	Where     *SCIMCond
	// SortBy is a field name ("" = creation order); Descending reverses.
	SortBy     string
	Descending bool
	// Offset (0-based) and Limit of the page; Limit 0 counts only.
	Offset, Limit int
}

// SCIMCond is one node of a filter (RFC 7644 §3.4.2.2) over the store's
// fields: Op "and", "or" (Args), "not" (Args[0]), or a comparison "eq",
// "ne", "co", "sw", "ew", "gt", "ge", "lt", "le" of Field with Value
// (string, bool or time.Time), or "pr" (Field has a value).
type SCIMCond struct {
	Op    string
	Field string
	Value any
	Args  []*SCIMCond
}

// Fields of SCIMQuery.Where and SortBy. User fields: FieldID, FieldUserName,
// FieldExternalID, FieldGivenName, FieldFamilyName, FieldEmail, FieldPhone,
// FieldLanguage, FieldActive, FieldCreated, FieldModified, and any
// attribute path stored as a SCIMValue (FieldValue + path). Group fields:
// FieldID, FieldDisplayName, FieldExternalID, FieldMember, FieldCreated,
// FieldModified.
const (
	FieldID          = "id"
	FieldUserName    = "userName"
	FieldExternalID  = "externalId"
	FieldGivenName   = "name.givenName"
	FieldFamilyName  = "name.familyName"
	FieldEmail       = "emails.value"
	FieldPhone       = "phoneNumbers.value"
	FieldLanguage    = "preferredLanguage"
	FieldActive      = "active"
	FieldCreated     = "meta.created"
	FieldModified    = "meta.lastModified"
	FieldDisplayName = "displayName"
	FieldMember      = "members.value"
	// FieldValue prefixes an attribute path kept in SCIMUser.Values.
	FieldValue = "value:"
)
