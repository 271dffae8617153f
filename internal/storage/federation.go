package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// Federation stores delegated login (SPEC.md §6): connections to external
// IdPs and the links from an external identity (connection, subject) to a
// user (R-FED-1..5). Only internal/directory writes it.
type Federation interface {
	// CreateConnection stores c with a new id (when empty), version 1 and
	// its verified domains; a verified domain another connection holds
	// gives ErrAlreadyExists.
	CreateConnection(ctx context.Context, c model.Connection) (model.Connection, error)
	GetConnection(ctx context.Context, id string) (model.Connection, error)
	// ConnectionVersion is the stored Version of a connection (every
	// UpdateConnection bumps it): one indexed read that tells a cache of
	// opened connectors whether what it holds is still current.
	// ErrNotFound when there is none.
	ConnectionVersion(ctx context.Context, id string) (int64, error)
	// ListConnections lists the connections of one owner (tenant or root
	// context id), by name; "" lists every connection.
	ListConnections(ctx context.Context, tenantID string) ([]model.Connection, error)
	// UpdateConnection runs fn on the locked connection and stores what it
	// returns with the version bumped (the owner and id stay).
	UpdateConnection(ctx context.Context, id string, fn func(model.Connection) (model.Connection, error)) (model.Connection, error)
	// DeleteConnection removes a connection and its identity links.
	DeleteConnection(ctx context.Context, id string) error
	// ConnectionByDomain finds the connection holding a verified email
	// domain (home-realm discovery); ErrNotFound when none.
	ConnectionByDomain(ctx context.Context, domain string) (model.Connection, error)

	// LinkIdentity stores a link; ErrAlreadyExists when (connection,
	// subject) is linked already — the one winner of concurrent first
	// logins decides (DESIGN note 2).
	LinkIdentity(ctx context.Context, l model.IdentityLink) error
	// GetIdentityLink finds the link of (connection, subject).
	GetIdentityLink(ctx context.Context, connectionID, subject string) (model.IdentityLink, error)
	// TouchIdentityLink records a login through the link and the email
	// the IdP gave.
	TouchIdentityLink(ctx context.Context, l model.IdentityLink) error
	// SetLinkUpstream stores the connector's upstream state of a link
	// (sealed by the caller; nil clears it).
	SetLinkUpstream(ctx context.Context, connectionID, subject string, upstream []byte) error
	// UserIdentityLinks lists a user's links.
	UserIdentityLinks(ctx context.Context, userID string) ([]model.IdentityLink, error)
	// DeleteUserIdentityLinks removes a user's links (user deletion
	// anonymizes external identities, R-USR-1); a removed row goes with
	// its user (ON DELETE CASCADE).
	DeleteUserIdentityLinks(ctx context.Context, userID string) error
	// LinkOrganisation binds an organisation (connection, uid) to its
	// context (R-SAML-7); ErrAlreadyExists when (connection, uid) is bound
	// already — the one winner of concurrent first logins of a new
	// organisation decides — or the context is bound to another.
	LinkOrganisation(ctx context.Context, o model.OrganisationLink) error
	// GetOrganisation finds the binding of (connection, uid).
	GetOrganisation(ctx context.Context, connectionID, uid string) (model.OrganisationLink, error)
	// OrganisationsOfContexts lists the bindings of the given contexts
	// (at most one each), in no particular order.
	OrganisationsOfContexts(ctx context.Context, contextIDs []string) ([]model.OrganisationLink, error)
	// UsersByEmail lists the users of a tenant (not deleted) with that
	// email, compared case-insensitively; at most limit.
	UsersByEmail(ctx context.Context, tenantID, email string, limit int) ([]model.User, error)
	// ContextsByNumber lists the contexts of a tenant whose external
	// number is number (case-insensitively).
	ContextsByNumber(ctx context.Context, tenantID, number string) ([]model.Context, error)

	// UseAssertionID records that a SAML assertion id was accepted
	// through a connection, to be remembered until until (R-SAML-3): of
	// any number of uses, on any node, exactly one succeeds until it
	// expires; the others get ErrReplay. PurgeExpired removes expired ids.
	UseAssertionID(ctx context.Context, connectionID, assertionID string, until time.Time) error

	// EnsureFederationKey stores k unless a key with its id exists, and
	// returns the stored one: of several nodes starting at once, the first
	// writer's key is everybody's.
	EnsureFederationKey(ctx context.Context, k FederationKey) (FederationKey, error)
}

// ErrReplay answers UseAssertionID for an assertion id already used.
var ErrReplay = model.Errorf(model.ECONFLICT, "assertionId", "the SAML assertion was already used")

// FederationKey is Sesame's key for IdPs that encrypt ID tokens to it;
// PrivatePEM is stored as given (sealed by the caller).
type FederationKey struct {
	ID         string
	PrivatePEM []byte
	CreatedAt  time.Time
}
