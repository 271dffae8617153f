package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// Directory is the admin-managed data: contexts, the ACL catalog, groups,
// templates, context policy, user domains, users, clients and API keys
// (R-CTX-*, R-ACL-*, R-GRP-*, R-USR-*, R-SSO-3, R-SSO-6). Only
// internal/directory writes it (authorized and audited in one transaction).
type Directory interface {
	DirectoryReader

	// Contexts (R-CTX-*). CreateContext derives TenantID from the parent.
	CreateContext(ctx context.Context, c model.Context) (model.Context, error)
	UpdateContext(ctx context.Context, id string, fn func(model.Context) (model.Context, error)) (model.Context, error)
	// DeleteContext removes a context that has no children, users or groups.
	DeleteContext(ctx context.Context, id string) error

	// Modules and the ACL catalog (R-ACL-1).
	UpsertModule(ctx context.Context, m model.Module) error
	// UpsertACLs creates or updates ACLs (their module must exist).
	UpsertACLs(ctx context.Context, acls []model.ACL) error

	// User groups (R-GRP-*). Values and RoleNames are stored with the group.
	CreateGroup(ctx context.Context, g model.Group) (model.Group, error)
	UpdateGroup(ctx context.Context, id string, fn func(model.Group) (model.Group, error)) (model.Group, error)
	DeleteGroup(ctx context.Context, id string) error
	AddMember(ctx context.Context, m model.Membership) error
	RemoveMember(ctx context.Context, m model.Membership) error

	// ACL templates.
	CreateTemplate(ctx context.Context, t model.Template) (model.Template, error)
	UpdateTemplate(ctx context.Context, id string, fn func(model.Template) (model.Template, error)) (model.Template, error)
	DeleteTemplate(ctx context.Context, id string) error

	// Context access policy (R-EFF-5). SetPolicy with nil values removes it.
	SetPolicy(ctx context.Context, contextID string, values []model.ACLValue) error

	// User domains (R-USR-2).
	UpsertDomain(ctx context.Context, d model.UserDomain) error

	// Users (R-USR-*). Login names are unique per tenant (R-CTX-2):
	// CreateUser returns ErrAlreadyExists on a clash. Contexts are stored
	// with the user.
	CreateUser(ctx context.Context, u model.User) (model.User, error)
	UpdateUser(ctx context.Context, id string, fn func(model.User) (model.User, error)) (model.User, error)
	// DeleteUser removes the row for good (discarding a draft only).
	DeleteUser(ctx context.Context, id string) error
	// SetUserRoles replaces a delegated user's external role names.
	SetUserRoles(ctx context.Context, userID string, roles []model.RoleAssignment) error
	// RemoveUserMemberships drops every group membership of a user.
	RemoveUserMemberships(ctx context.Context, userID string) error

	// Clients and services (R-SSO-3).
	CreateClient(ctx context.Context, c model.Client) (model.Client, error)
	UpdateClient(ctx context.Context, id string, fn func(model.Client) (model.Client, error)) (model.Client, error)
	DeleteClient(ctx context.Context, id string) error

	// User API keys (R-SSO-6), found by the SHA-256 of the key. Hashes are
	// unique: CreateAPIKey returns ErrAlreadyExists on a clash. DeleteAPIKey
	// only deletes a key of the given user (ErrNotFound otherwise), so a key
	// id cannot reach another user's key.
	CreateAPIKey(ctx context.Context, k model.APIKey) (model.APIKey, error)
	DeleteAPIKey(ctx context.Context, userID, id string) error
	// DeleteUserAPIKeys removes every key of a user and returns how many.
	DeleteUserAPIKeys(ctx context.Context, userID string) (int, error)
	// TouchAPIKey records when a key was last used.
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}

// DirectoryReader is the read half of Directory: what the declarative
// loader and the protocol packages may see of the directory without being
// able to write it.
type DirectoryReader interface {
	// Contexts (R-CTX-*).
	GetContext(ctx context.Context, id string) (model.Context, error)
	// RootContext returns the single root context.
	RootContext(ctx context.Context) (model.Context, error)
	// Ancestors returns the path from id up to root: [id, parent, …, root].
	Ancestors(ctx context.Context, id string) ([]model.Context, error)
	// SearchContexts returns one page of matches and whether more follow.
	SearchContexts(ctx context.Context, f model.ContextFilter) ([]model.Context, bool, error)
	// IsDescendant reports whether id is at or below ancestorID.
	IsDescendant(ctx context.Context, id, ancestorID string) (bool, error)

	// Modules and the ACL catalog (R-ACL-1).
	ListModules(ctx context.Context) ([]model.Module, error)
	// ListACLs lists a module's ACLs ("" = every module), ordered by module,
	// category, name.
	ListACLs(ctx context.Context, module string) ([]model.ACL, error)

	// User groups (R-GRP-*).
	GetGroup(ctx context.Context, id string) (model.Group, error)
	// ListGroups lists the groups defined in the given contexts.
	ListGroups(ctx context.Context, contextIDs []string) ([]model.Group, error)
	ListMembers(ctx context.Context, groupID string) ([]model.Membership, error)
	// UserMemberships lists every membership of a user.
	UserMemberships(ctx context.Context, userID string) ([]model.Membership, error)

	// ACL templates.
	GetTemplate(ctx context.Context, id string) (model.Template, error)
	GetTemplateByName(ctx context.Context, name string) (model.Template, error)
	ListTemplates(ctx context.Context) ([]model.Template, error)

	// Context access policy (R-EFF-5).
	// GetPolicy returns the policy values and whether the context has one.
	GetPolicy(ctx context.Context, contextID string) ([]model.ACLValue, bool, error)

	// User domains (R-USR-2).
	GetDomain(ctx context.Context, name string) (model.UserDomain, error)
	ListDomains(ctx context.Context) ([]model.UserDomain, error)

	// Users (R-USR-*).
	GetUser(ctx context.Context, id string) (model.User, error)
	GetUserByLogin(ctx context.Context, tenantID, loginName string) (model.User, error)
	ListUsers(ctx context.Context, f model.UserFilter) ([]model.User, bool, error)
	UserRoles(ctx context.Context, userID string) ([]model.RoleAssignment, error)

	// Clients and services (R-SSO-3).
	GetClient(ctx context.Context, id string) (model.Client, error)
	ListClients(ctx context.Context, protocol string) ([]model.Client, error)

	// User API keys (R-SSO-6).
	GetAPIKeyByHash(ctx context.Context, hash string) (model.APIKey, error)
	// ListAPIKeys lists a user's keys, oldest first.
	ListAPIKeys(ctx context.Context, userID string) ([]model.APIKey, error)
}
