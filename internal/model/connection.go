package model

import "time"

// Connection kinds (SPEC.md §6).
const (
	// ConnectionOIDC: OpenID Connect, by discovery URL or explicit
	// endpoints, with ID tokens (R-FED-2).
	ConnectionOIDC = "oidc"
	// ConnectionOAuth2: plain OAuth 2.0 with explicit endpoints and a
	// userinfo endpoint instead of an ID token (GitHub-style IdPs).
	ConnectionOAuth2 = "oauth2"
	// ConnectionSAML: SAML 2.0 Web Browser SSO (R-SAML-1..9): the IdP's
	// metadata, a per-connection SP key pair (Connection.SAML).
	ConnectionSAML = "saml"
)

// How external account keys name contexts (R-FED-3, ClaimMapping.AccountKey).
const (
	// AccountKeyID: the key is the context id (UUID).
	AccountKeyID = "id"
	// AccountKeyNumber: the key is the context's external number
	// (Context.Number), looked up in the connection's tenant.
	AccountKeyNumber = "number"
)

// Connection is one external IdP a tenant (or root) delegates login to
// (SPEC.md §6, R-FED-1..5). Its client secret is stored sealed with the
// master key and never leaves the server: HasClientSecret says whether
// one is set.
type Connection struct {
	ID string `json:"id"`
	// TenantID is the owning context: the root context or a tenant. Users
	// the connection creates live in this tenant (R-CTX-2).
	TenantID string `json:"tenantId"`
	// Kind is ConnectionOIDC, ConnectionOAuth2 or ConnectionSAML.
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	LogoURL string `json:"logoUrl,omitempty"`
	Enabled bool   `json:"enabled"`
	// OIDC holds the protocol settings of oidc and oauth2 connections.
	OIDC OIDCSettings `json:"oidc"`
	// SAML holds the protocol settings of a saml connection (R-SAML-1).
	SAML SAMLSettings `json:"saml"`
	// HasClientSecret: a client secret is stored (sealed).
	HasClientSecret bool `json:"hasClientSecret"`
	// Mapping says which claims hold what (R-FED-3).
	Mapping ClaimMapping `json:"mapping"`
	// LinkByVerifiedEmail lets a first login link to the tenant's one
	// existing user with the same email, only when the IdP says the email
	// is verified (R-FED-4).
	LinkByVerifiedEmail bool `json:"linkByVerifiedEmail"`
	// UserDomain is the user domain of the users it creates (default: CSP
	// for a root connection, ENTERPRISE for a tenant's).
	UserDomain string `json:"userDomain,omitempty"`
	// Domains are the email domains for home-realm discovery (R-FED-5);
	// only verified ones are used, and a verified domain belongs to one
	// connection of the instance.
	Domains []ConnectionDomain `json:"domains"`
	// ProfileURL and PasswordURL are where a delegated user's "show
	// profile" and "change password" links go (R-USR-3).
	ProfileURL  string `json:"profileUrl,omitempty"`
	PasswordURL string `json:"passwordUrl,omitempty"`
	// Enforcement is the SSO enforcement stage (R-SAML-8, seed 003's four
	// steps): EnforcementOff, EnforcementTesting (only administrators of
	// the tenant may sign in through it; it is not offered on the login
	// page) or EnforcementActive (the tenant's users must sign in through
	// it: no password login, no user creation or deletion by
	// administrators).
	Enforcement string `json:"enforcement"`
	// EnforceGroups is the phased rollout (seed 004's migration options):
	// when not empty, an active connection forces only the members of
	// these groups (ids); the others keep their password.
	EnforceGroups []string `json:"enforceGroups"`
	// Version is bumped by every update: caches of opened connectors
	// reopen a connection whose version changed.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// SealedSecret is the client secret as stored (internal/seal); only
	// the directory reads and writes it.
	SealedSecret []byte `json:"-"`
	// SealedSPKeys are a SAML connection's SP private keys (current first,
	// then the previous one during a rotation overlap), sealed; only the
	// directory reads and writes them. Their certificates are public:
	// SAML.SPCertificates.
	SealedSPKeys []byte `json:"-"`
}

// SAML AuthnRequest bindings (SAMLSettings.Binding, SAML bindings §3.4,
// §3.5).
const (
	SAMLBindingRedirect = "redirect"
	SAMLBindingPost     = "post"
)

// SAMLSettings are the protocol settings of a SAML connection (R-SAML-1..4).
// The attribute names (seed 004's defaults Email, First Name, Last Name,
// Phone Number; presets entra, adfs, okta, google) are the connection's
// Mapping; the NameID is always the user's key (R-SAML-4).
type SAMLSettings struct {
	// IdPMetadata is the IdP's metadata XML: uploaded, or fetched from
	// MetadataURL when that is set (at save time and on a schedule).
	IdPMetadata string `json:"idpMetadata,omitempty" yaml:"idpMetadata,omitempty"`
	// MetadataURL is where the IdP publishes its metadata (https).
	MetadataURL string `json:"metadataUrl,omitempty" yaml:"metadataUrl,omitempty"`
	// IdPEntityID picks the IdP when the metadata holds several (required
	// then; the error lists the choices).
	IdPEntityID string `json:"idpEntityId,omitempty" yaml:"idpEntityId,omitempty"`
	// AllowIdPInitiated accepts unsolicited responses at the ACS (off by
	// default, R-SAML-2).
	AllowIdPInitiated bool `json:"allowIdpInitiated" yaml:"allowIdpInitiated,omitempty"`
	// ClockSkewSeconds is the leeway on NotBefore / NotOnOrAfter (0: the
	// default 120 s; at most 180 s).
	ClockSkewSeconds int `json:"clockSkewSeconds,omitempty" yaml:"clockSkewSeconds,omitempty"`
	// SignRequests signs AuthnRequests (IdPs with WantAuthnRequestsSigned).
	SignRequests bool `json:"signRequests" yaml:"signRequests,omitempty"`
	// Binding of the AuthnRequest: SAMLBindingRedirect (default) or
	// SAMLBindingPost.
	Binding string `json:"binding,omitempty" yaml:"binding,omitempty"`
	// SPCertificates are the certificates of the connection's SP keys,
	// current first (read only: generated with the connection, rotated by
	// POST /api/v1/connections/{id}/saml/rotate-key).
	SPCertificates []SPCertificate `json:"spCertificates,omitempty" yaml:"-"`
}

// SPCertificate is the public half of one SP key of a SAML connection.
type SPCertificate struct {
	// PEM is the X.509 certificate (self-signed; the key is RSA 2048).
	PEM string `json:"pem"`
	// SHA256 is the certificate's fingerprint (hex), what IdP consoles show.
	SHA256    string    `json:"sha256"`
	NotAfter  time.Time `json:"notAfter"`
	CreatedAt time.Time `json:"createdAt"`
}

// SSO enforcement stages of a connection (R-SAML-8).
const (
	EnforcementOff     = "off"
	EnforcementTesting = "testing"
	EnforcementActive  = "active"
)

// EnforcementModes lists the stages in order.
var EnforcementModes = []string{EnforcementOff, EnforcementTesting, EnforcementActive}

// ConnectionDomain is an email domain of a connection (home-realm
// discovery). Verified is set by a root administrator (or `sesame apply`)
// once the tenant proved it owns the domain.
type ConnectionDomain struct {
	Domain   string `json:"domain" yaml:"domain,omitempty"`
	Verified bool   `json:"verified" yaml:"verified,omitempty"`
}

// OIDCSettings are the protocol settings of an OIDC or OAuth 2.0
// connection (R-FED-2). Either DiscoveryURL (OIDC) or the explicit
// endpoints are set.
type OIDCSettings struct {
	// DiscoveryURL is the issuer (or its
	// /.well-known/openid-configuration URL).
	DiscoveryURL string `json:"discoveryUrl,omitempty" yaml:"discoveryUrl,omitempty"`
	// Issuer is the expected iss when the endpoints are explicit.
	Issuer        string `json:"issuer,omitempty" yaml:"issuer,omitempty"`
	AuthorizeURL  string `json:"authorizeUrl,omitempty" yaml:"authorizeUrl,omitempty"`
	TokenURL      string `json:"tokenUrl,omitempty" yaml:"tokenUrl,omitempty"`
	UserinfoURL   string `json:"userinfoUrl,omitempty" yaml:"userinfoUrl,omitempty"`
	JWKSURL       string `json:"jwksUrl,omitempty" yaml:"jwksUrl,omitempty"`
	EndSessionURL string `json:"endSessionUrl,omitempty" yaml:"endSessionUrl,omitempty"`
	ClientID      string `json:"clientId" yaml:"clientId,omitempty"`
	// Scopes requested (default: openid email profile; oauth2: none).
	Scopes []string `json:"scopes" yaml:"scopes,omitempty"`
	// UseUserinfo merges the userinfo answer into the claims (always on
	// for oauth2).
	UseUserinfo bool `json:"useUserinfo" yaml:"useUserinfo,omitempty"`
	// RefreshRoles keeps the upstream refresh token and, when a Sesame
	// refresh token is used, refreshes upstream and applies the claims
	// again (issue 10 §6); a failed upstream refresh fails Sesame's.
	RefreshRoles bool `json:"refreshRoles" yaml:"refreshRoles,omitempty"`
	// UpstreamLogout sends the browser to the IdP's RP-initiated logout
	// after Sesame's own (issue 10 §9).
	UpstreamLogout bool `json:"upstreamLogout" yaml:"upstreamLogout,omitempty"`
}

// ClaimMapping says which claim holds what (R-FED-3). A claim is named by a
// dotted path into the claims ("realm_access.roles"); a member whose name
// itself contains a dot is reached by the whole name first. Empty fields
// take the preset's value, then the OIDC standard claim.
type ClaimMapping struct {
	// Preset fills the fields left empty: entra, keycloak, okta, google
	// (internal/federation presets), or "" (OIDC standard claims).
	Preset        string `json:"preset,omitempty" yaml:"preset,omitempty"`
	Subject       string `json:"subject,omitempty" yaml:"subject,omitempty"`
	Email         string `json:"email,omitempty" yaml:"email,omitempty"`
	EmailVerified string `json:"emailVerified,omitempty" yaml:"emailVerified,omitempty"`
	FirstName     string `json:"firstName,omitempty" yaml:"firstName,omitempty"`
	LastName      string `json:"lastName,omitempty" yaml:"lastName,omitempty"`
	Phone         string `json:"phone,omitempty" yaml:"phone,omitempty"`
	// Roles are claims whose values (a list, or one string) are role
	// names for every context (R-EFF-1 "globally").
	Roles []string `json:"roles,omitempty" yaml:"roles,omitempty"`
	// ContextRoles reads role names per context ("Admin for account X,
	// User for account Y").
	ContextRoles *ContextRoles `json:"contextRoles,omitempty" yaml:"contextRoles,omitempty"`
	// Contexts is a claim listing account keys the user is assigned to
	// (without roles).
	Contexts string `json:"contexts,omitempty" yaml:"contexts,omitempty"`
	// AccountKey says how account keys resolve to contexts: AccountKeyID
	// (default) or AccountKeyNumber.
	AccountKey string `json:"accountKey,omitempty" yaml:"accountKey,omitempty"`
	// Require lists claims that must hold one of the given values (for
	// example Entra's tid or Google's hd): anything else is refused.
	Require map[string][]string `json:"require,omitempty" yaml:"require,omitempty"`
	// NoEmailVerified: the IdP sends no email_verified claim; its emails
	// count as unverified (never linked).
	NoEmailVerified bool `json:"noEmailVerified,omitempty" yaml:"noEmailVerified,omitempty"`
	// Organisation reads the organisations (companies) the user belongs
	// to: each becomes an account context under the connection's tenant
	// (R-SAML-7, seed 002).
	Organisation *OrganisationMapping `json:"organisation,omitempty" yaml:"organisation,omitempty"`
	// Marketplace: the IdP is a marketplace (seed 002). The emails it
	// sends are virtual addresses — ids, not mailboxes: they are stored
	// and marked undeliverable (never sent to), and never used to link an
	// existing user (the same person through two marketplaces is two
	// users).
	Marketplace bool `json:"marketplace,omitempty" yaml:"marketplace,omitempty"`
}

// OrganisationMapping names the claims (SAML attributes) of a user's
// organisations (R-SAML-7, seed 002's group_uid / group_name / group_role).
// Each claim holds one value or a list; lists are paired by index (the
// i-th name and role belong to the i-th uid). The uid is unique per
// connection only: the same uid from two connections is two organisations.
type OrganisationMapping struct {
	// UID is the claim holding the organisation's stable id (required).
	UID string `json:"uid" yaml:"uid"`
	// Name holds the organisation's display name: the context's name,
	// renamed when it changes (default: the uid).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Role holds the user's role name in the organisation: a role for
	// that context (R-EFF-1, e1); empty entries give none.
	Role string `json:"role,omitempty" yaml:"role,omitempty"`
}

// OrganisationLink binds an organisation of a connection — (connection,
// uid) — to the account context created for it (R-SAML-7). The key is
// unique per connection only (seed 002: "unique per marketplace").
type OrganisationLink struct {
	ConnectionID string    `json:"connectionId"`
	UID          string    `json:"uid"`
	ContextID    string    `json:"contextId"`
	CreatedAt    time.Time `json:"createdAt"`
}

// ContextRoles is the role-per-context list of a ClaimMapping. The claim
// holds a list whose entries are either objects (Key and Role name their
// members: {"account": "4711", "role": "Admin"}; a role member may hold a
// list) or strings "<key><Separator><role>" ("4711:Admin").
type ContextRoles struct {
	Claim     string `json:"claim" yaml:"claim,omitempty"`
	Key       string `json:"key,omitempty" yaml:"key,omitempty"`
	Role      string `json:"role,omitempty" yaml:"role,omitempty"`
	Separator string `json:"separator,omitempty" yaml:"separator,omitempty"`
}

// IdentityLink binds an external identity — (connection, subject) — to a
// Sesame user (R-FED-4). The key is never the email: an email change at
// the IdP keeps the same user.
type IdentityLink struct {
	ConnectionID string `json:"connectionId"`
	Subject      string `json:"subject"`
	UserID       string `json:"userId"`
	// Email is the email the IdP gave at the last login (information).
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	LastLogin time.Time `json:"lastLogin"`
	// Upstream is the connector's latest upstream state through this link
	// (refresh token, ID token), sealed: a Sesame refresh after the SSO
	// session ended still refreshes at the IdP (issue 10 item 6).
	Upstream []byte `json:"-"`
}

// Claim mapping presets (ClaimMapping.Preset); internal/federation holds
// what each fills in.
const (
	PresetEntra    = "entra"
	PresetKeycloak = "keycloak"
	PresetOkta     = "okta"
	PresetGoogle   = "google"
	// PresetADFS: Active Directory Federation Services (SAML only).
	PresetADFS = "adfs"
)

// MappingPresets lists the presets of OIDC connections.
var MappingPresets = []string{PresetEntra, PresetKeycloak, PresetOkta, PresetGoogle}

// SAMLMappingPresets lists the presets of SAML connections (attribute
// names: claim URIs for Entra ID and ADFS).
var SAMLMappingPresets = []string{PresetEntra, PresetADFS, PresetOkta, PresetGoogle}
