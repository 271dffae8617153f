package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// Storage is Sesame's persistence interface.
type Storage interface {
	AuditBatcher // auditbatch.go
	Identity
	// InTx runs fn with a Storage bound to one transaction: all of fn's writes
	// commit together or not at all. Calling InTx on a transactional Storage
	// runs fn in the same transaction.
	InTx(ctx context.Context, fn func(tx Storage) error) error
	Throttle
	Ping(ctx context.Context) error
	Close() error
	SessionActivity
	Outbox           // outbox.go
	MessageTemplates // messagetemplates.go

	// Contexts (R-CTX-*). CreateContext derives TenantID from the parent.
	CreateContext(ctx context.Context, c model.Context) (model.Context, error)
	GetContext(ctx context.Context, id string) (model.Context, error)
	// RootContext returns the single root context.
	RootContext(ctx context.Context) (model.Context, error)
	UpdateContext(ctx context.Context, id string, fn func(model.Context) (model.Context, error)) (model.Context, error)
	// DeleteContext removes a context that has no children, users or groups.
	DeleteContext(ctx context.Context, id string) error
	// Ancestors returns the path from id up to root: [id, parent, …, root].
	Ancestors(ctx context.Context, id string) ([]model.Context, error)
	// SearchContexts returns one page of matches and whether more follow.
	SearchContexts(ctx context.Context, f model.ContextFilter) ([]model.Context, bool, error)
	// IsDescendant reports whether id is at or below ancestorID.
	IsDescendant(ctx context.Context, id, ancestorID string) (bool, error)

	// Modules and the ACL catalog (R-ACL-1).
	UpsertModule(ctx context.Context, m model.Module) error
	ListModules(ctx context.Context) ([]model.Module, error)
	// UpsertACLs creates or updates ACLs (their module must exist).
	UpsertACLs(ctx context.Context, acls []model.ACL) error
	// ListACLs lists a module's ACLs ("" = every module), ordered by module,
	// category, name.
	ListACLs(ctx context.Context, module string) ([]model.ACL, error)

	// User groups (R-GRP-*). Values and RoleNames are stored with the group.
	CreateGroup(ctx context.Context, g model.Group) (model.Group, error)
	GetGroup(ctx context.Context, id string) (model.Group, error)
	UpdateGroup(ctx context.Context, id string, fn func(model.Group) (model.Group, error)) (model.Group, error)
	DeleteGroup(ctx context.Context, id string) error
	// ListGroups lists the groups defined in the given contexts.
	ListGroups(ctx context.Context, contextIDs []string) ([]model.Group, error)
	AddMember(ctx context.Context, m model.Membership) error
	RemoveMember(ctx context.Context, m model.Membership) error
	ListMembers(ctx context.Context, groupID string) ([]model.Membership, error)
	// UserMemberships lists every membership of a user.
	UserMemberships(ctx context.Context, userID string) ([]model.Membership, error)

	// ACL templates.
	CreateTemplate(ctx context.Context, t model.Template) (model.Template, error)
	GetTemplate(ctx context.Context, id string) (model.Template, error)
	GetTemplateByName(ctx context.Context, name string) (model.Template, error)
	UpdateTemplate(ctx context.Context, id string, fn func(model.Template) (model.Template, error)) (model.Template, error)
	DeleteTemplate(ctx context.Context, id string) error
	ListTemplates(ctx context.Context) ([]model.Template, error)

	// Context access policy (R-EFF-5). SetPolicy with nil values removes it.
	SetPolicy(ctx context.Context, contextID string, values []model.ACLValue) error
	// GetPolicy returns the policy values and whether the context has one.
	GetPolicy(ctx context.Context, contextID string) ([]model.ACLValue, bool, error)

	// User domains (R-USR-2).
	UpsertDomain(ctx context.Context, d model.UserDomain) error
	GetDomain(ctx context.Context, name string) (model.UserDomain, error)
	ListDomains(ctx context.Context) ([]model.UserDomain, error)

	// Users (R-USR-*). Login names are unique per tenant (R-CTX-2):
	// CreateUser returns ErrAlreadyExists on a clash. Contexts are stored
	// with the user.
	CreateUser(ctx context.Context, u model.User) (model.User, error)
	GetUser(ctx context.Context, id string) (model.User, error)
	GetUserByLogin(ctx context.Context, tenantID, loginName string) (model.User, error)
	UpdateUser(ctx context.Context, id string, fn func(model.User) (model.User, error)) (model.User, error)
	// DeleteUser removes the row for good (discarding a draft only).
	DeleteUser(ctx context.Context, id string) error
	ListUsers(ctx context.Context, f model.UserFilter) ([]model.User, bool, error)
	// SetUserRoles replaces a delegated user's external role names.
	SetUserRoles(ctx context.Context, userID string, roles []model.RoleAssignment) error
	UserRoles(ctx context.Context, userID string) ([]model.RoleAssignment, error)
	// RemoveUserMemberships drops every group membership of a user.
	RemoveUserMemberships(ctx context.Context, userID string) error

	// Clients and services (R-SSO-3).
	CreateClient(ctx context.Context, c model.Client) (model.Client, error)
	GetClient(ctx context.Context, id string) (model.Client, error)
	UpdateClient(ctx context.Context, id string, fn func(model.Client) (model.Client, error)) (model.Client, error)
	DeleteClient(ctx context.Context, id string) error
	ListClients(ctx context.Context, protocol string) ([]model.Client, error)

	// SSO sessions (R-SSO-1): stored so any node can serve them.
	CreateSession(ctx context.Context, s model.Session) error
	// GetSession returns a session that has not expired at now.
	GetSession(ctx context.Context, id string, now time.Time) (model.Session, error)
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of a user (deactivation) and
	// returns the ended sessions' ids.
	DeleteUserSessions(ctx context.Context, userID string) ([]string, error)
	// ListUserSessions lists a user's sessions (live or not).
	ListUserSessions(ctx context.Context, userID string) ([]model.Session, error)
	AddSessionService(ctx context.Context, ss model.SessionService) error
	// SessionServices lists the services a session logged in to.
	SessionServices(ctx context.Context, sessionID string) ([]model.SessionService, error)

	// CAS tickets: ConsumeTicket removes and returns the ticket in one step,
	// so a ticket validates at most once even across nodes; an expired
	// ticket is consumed and reported as ErrNotFound.
	CreateTicket(ctx context.Context, t model.Ticket) error
	ConsumeTicket(ctx context.Context, id string, now time.Time) (model.Ticket, error)
	// GetTicket reads a ticket that has not expired at now without
	// consuming it (CAS proxy-granting tickets are used many times).
	GetTicket(ctx context.Context, id string, now time.Time) (model.Ticket, error)

	// OAuth 2.0 / OIDC (R-SSO-2). Authorization requests live until they
	// expire; RedeemAuthCode marks one redeemed atomically and answers
	// ErrReused (with the request) when its code comes back.
	CreateAuthRequest(ctx context.Context, ar model.AuthRequest) error
	GetAuthRequest(ctx context.Context, id string, now time.Time) (model.AuthRequest, error)
	// CompleteAuthRequest stores the authenticated request with its code
	// in one write; it fails when the request already has a code.
	CompleteAuthRequest(ctx context.Context, ar model.AuthRequest, codeHash string) error
	// RedeemAuthCode marks the code redeemed and records its grant (the
	// token family, id = the request's id, until grantUntil) in one
	// transaction.
	RedeemAuthCode(ctx context.Context, codeHash string, now, grantUntil time.Time) (model.AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	SessionGrants(ctx context.Context, sessionID string) ([]model.Grant, error)
	GetGrant(ctx context.Context, id string) (model.Grant, error)
	// Refresh tokens rotate: UseRefreshToken answers ErrReused for a token
	// already used.
	CreateRefreshToken(ctx context.Context, rt model.RefreshToken) error
	GetRefreshToken(ctx context.Context, id string, now time.Time) (model.RefreshToken, error)
	UseRefreshToken(ctx context.Context, id string) error
	DeleteUserRefreshTokens(ctx context.Context, userID string) error
	// RevokeGrant deletes a family's refresh tokens and marks its access
	// tokens revoked until until.
	RevokeGrant(ctx context.Context, grantID string, until time.Time) error
	RevokeTokenID(ctx context.Context, jti string, until time.Time) error
	Revoked(ctx context.Context, now time.Time, grantID, jti string) (bool, error)
	// Signing keys: RotateSigningKeys runs fn under an exclusive lock and
	// stores the keys it returns.
	ListSigningKeys(ctx context.Context) ([]model.SigningKey, error)
	RotateSigningKeys(ctx context.Context, fn func([]model.SigningKey) ([]model.SigningKey, error)) error
	// PurgeExpired deletes expired sessions, tickets and OAuth state.
	PurgeExpired(ctx context.Context, now time.Time) error

	// Audit log (R-OPS-4).
	AppendAudit(ctx context.Context, e model.AuditEvent) error
	ListAudit(ctx context.Context, f model.AuditFilter) ([]model.AuditEvent, bool, error)

	// User API keys (R-SSO-6), found by the SHA-256 of the key. Hashes are
	// unique: CreateAPIKey returns ErrAlreadyExists on a clash. DeleteAPIKey
	// only deletes a key of the given user (ErrNotFound otherwise), so a key
	// id cannot reach another user's key.
	CreateAPIKey(ctx context.Context, k model.APIKey) (model.APIKey, error)
	GetAPIKeyByHash(ctx context.Context, hash string) (model.APIKey, error)
	// ListAPIKeys lists a user's keys, oldest first.
	ListAPIKeys(ctx context.Context, userID string) ([]model.APIKey, error)
	DeleteAPIKey(ctx context.Context, userID, id string) error
	// DeleteUserAPIKeys removes every key of a user and returns how many.
	DeleteUserAPIKeys(ctx context.Context, userID string) (int, error)
	// TouchAPIKey records when a key was last used.
	TouchAPIKey(ctx context.Context, id string, at time.Time) error

	UserGrantStore
}

// Now is the clock used by backends; tests may replace it per instance.
type Clock func() time.Time
