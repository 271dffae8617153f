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
	ID string `json:"id" doc:"The connection's id (UUID), assigned by Sesame; part of the redirect URL; read-only." example:"4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30"`
	// TenantID is the owning context: the root context or a tenant. Users
	// the connection creates live in this tenant (R-CTX-2).
	TenantID string `json:"tenantId" doc:"The owner: root's id or a tenant's; users the connection creates live in that tenant (R-CTX-2); fixed at creation." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	// Kind is ConnectionOIDC, ConnectionOAuth2 or ConnectionSAML.
	Kind    string `json:"kind" doc:"oidc (OpenID Connect by discovery), oauth2 (OAuth 2.0 with explicit endpoints) or saml (SAML 2.0); fixed at creation." example:"oidc"`
	Name    string `json:"name" doc:"Display name, shown on the login page's button." example:"Muster Entra ID"`
	LogoURL string `json:"logoUrl,omitempty" doc:"Optional logo for the login page's button (https URL)." example:"https://portal.example.com/logos/entra.svg"`
	Enabled bool   `json:"enabled" doc:"Whether users can sign in through it." example:"true"`
	// OIDC holds the protocol settings of oidc and oauth2 connections.
	OIDC OIDCSettings `json:"oidc" doc:"Protocol settings of oidc and oauth2 connections."`
	// SAML holds the protocol settings of a saml connection (R-SAML-1).
	SAML SAMLSettings `json:"saml" doc:"Protocol settings of a saml connection (R-SAML-1..6)."`
	// HasClientSecret: a client secret is stored (sealed).
	HasClientSecret bool `json:"hasClientSecret" doc:"Whether a client secret is stored (sealed with the master key); the secret itself is never shown; read-only." example:"true"`
	// Mapping says which claims hold what (R-FED-3).
	Mapping ClaimMapping `json:"mapping" doc:"Which claims (SAML: attributes) hold what (R-FED-3)."`
	// LinkByVerifiedEmail lets a first login link to the tenant's one
	// existing user with the same email, only when the IdP says the email
	// is verified (R-FED-4).
	LinkByVerifiedEmail bool `json:"linkByVerifiedEmail" doc:"A first login links to the tenant's one existing user with the same email, only when the IdP says the email is verified (R-FED-4); default false." example:"true"`
	// UserDomain is the user domain of the users it creates (default: CSP
	// for a root connection, ENTERPRISE for a tenant's).
	UserDomain string `json:"userDomain,omitempty" doc:"User domain of the users it creates; default CSP for a root connection, ENTERPRISE for a tenant's." example:"ENTERPRISE"`
	// Domains are the email domains for home-realm discovery (R-FED-5);
	// only verified ones are used, and a verified domain belongs to one
	// connection of the instance.
	Domains []ConnectionDomain `json:"domains" doc:"Email domains for home-realm discovery (R-FED-5): a user typing name@domain is sent to this IdP; only verified ones are used, and only a root administrator marks one verified." example:"[{\"domain\": \"muster.example\", \"verified\": true}]"`
	// ProfileURL and PasswordURL are where a delegated user's "show
	// profile" and "change password" links go (R-USR-3).
	ProfileURL  string `json:"profileUrl,omitempty" doc:"Where a delegated user's \"show profile\" link goes (R-USR-3); optional." example:"https://myaccount.microsoft.com/"`
	PasswordURL string `json:"passwordUrl,omitempty" doc:"Where a delegated user's \"change password\" link goes (R-USR-3); optional." example:"https://mysignins.microsoft.com/security-info/password/change"`
	// Enforcement is the SSO enforcement stage (R-SAML-8, seed 003's four
	// steps): EnforcementOff, EnforcementTesting (only administrators of
	// the tenant may sign in through it; it is not offered on the login
	// page) or EnforcementActive (the tenant's users must sign in through
	// it: no password login, no user creation or deletion by
	// administrators).
	Enforcement string `json:"enforcement" doc:"SSO stage (R-SAML-8): off (default), testing (only the tenant's administrators sign in through it; not on the login page) or active (the tenant's users must sign in through it: no password login, no user creation or deletion by administrators). Leaving active needs a caller signed in with a password." example:"testing"`
	// EnforceGroups is the phased rollout (seed 004's migration options):
	// when not empty, an active connection forces only the members of
	// these groups (ids); the others keep their password.
	EnforceGroups []string `json:"enforceGroups" doc:"Phased rollout: when not empty, an active connection forces only members of these groups (ids); the others keep their password. Empty: every user of the tenant." example:"[\"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68\"]"`
	// Version is bumped by every update: caches of opened connectors
	// reopen a connection whose version changed.
	Version   int64     `json:"version" doc:"Bumped by every change; send it back with PUT to avoid overwriting another administrator's edit (409); read-only." example:"3"`
	CreatedAt time.Time `json:"createdAt" doc:"When the connection was created; read-only." example:"2026-01-15T09:30:00Z"`
	UpdatedAt time.Time `json:"updatedAt" doc:"When the connection was last changed; read-only." example:"2026-11-30T17:42:10Z"`
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
	IdPMetadata string `json:"idpMetadata,omitempty" yaml:"idpMetadata,omitempty" doc:"The IdP's metadata XML, uploaded, or fetched from metadataUrl; parsed when saved (400 naming the problem)." example:"<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"https://idp.example.com\">…</EntityDescriptor>"`
	// MetadataURL is where the IdP publishes its metadata (https).
	MetadataURL string `json:"metadataUrl,omitempty" yaml:"metadataUrl,omitempty" doc:"Where the IdP publishes its metadata (https): fetched at save time and on a schedule." example:"https://login.example.com/federationmetadata.xml"`
	// IdPEntityID picks the IdP when the metadata holds several (required
	// then; the error lists the choices).
	IdPEntityID string `json:"idpEntityId,omitempty" yaml:"idpEntityId,omitempty" doc:"Picks the IdP when the metadata holds several (then required; the error lists the choices)." example:"https://idp.example.com"`
	// AllowIdPInitiated accepts unsolicited responses at the ACS (off by
	// default, R-SAML-2).
	AllowIdPInitiated bool `json:"allowIdpInitiated" yaml:"allowIdpInitiated,omitempty" doc:"Accept unsolicited (IdP-initiated) responses; default false (R-SAML-2)." example:"false"`
	// ClockSkewSeconds is the leeway on NotBefore / NotOnOrAfter (0: the
	// default 120 s; at most 180 s).
	ClockSkewSeconds int `json:"clockSkewSeconds,omitempty" yaml:"clockSkewSeconds,omitempty" doc:"Leeway on NotBefore / NotOnOrAfter in seconds; 0: the default 120; at most 180." example:"120"`
	// SignRequests signs AuthnRequests (IdPs with WantAuthnRequestsSigned).
	SignRequests bool `json:"signRequests" yaml:"signRequests,omitempty" doc:"Sign AuthnRequests (for IdPs that want them signed); default false." example:"true"`
	// Binding of the AuthnRequest: SAMLBindingRedirect (default) or
	// SAMLBindingPost.
	Binding string `json:"binding,omitempty" yaml:"binding,omitempty" doc:"How the AuthnRequest is sent: redirect (default) or post." example:"redirect"`
	// SPCertificates are the certificates of the connection's SP keys,
	// current first (read only: generated with the connection, rotated by
	// POST /api/v1/connections/{id}/saml/rotate-key).
	SPCertificates []SPCertificate `json:"spCertificates,omitempty" yaml:"-" doc:"The certificates of the connection's SP keys, current first; read-only (generated with the connection, rotated with saml/rotate-key)." example:"[{\"pem\":\"-----BEGIN CERTIFICATE-----\\nMIIC…\\n-----END CERTIFICATE-----\",\"sha256\":\"5b0e3f6c9a2d4e8f1b7c0a3d6e9f2b5c8a1d4e7f0b3c6a9d2e5f8b1c4a7d0e3f\",\"notAfter\":\"2036-01-15T09:30:00Z\",\"createdAt\":\"2026-01-15T09:30:00Z\"}]"`
}

// SPCertificate is the public half of one SP key of a SAML connection.
type SPCertificate struct {
	// PEM is the X.509 certificate (self-signed; the key is RSA 2048).
	PEM string `json:"pem" doc:"The X.509 certificate, PEM (self-signed; RSA 2048 key)." example:"-----BEGIN CERTIFICATE-----\nMIIC…\n-----END CERTIFICATE-----"`
	// SHA256 is the certificate's fingerprint (hex), what IdP consoles show.
	SHA256    string    `json:"sha256" doc:"The certificate's SHA-256 fingerprint (hex), as IdP consoles show it." example:"5b0e3f6c9a2d4e8f1b7c0a3d6e9f2b5c8a1d4e7f0b3c6a9d2e5f8b1c4a7d0e3f"`
	NotAfter  time.Time `json:"notAfter" doc:"When the certificate expires." example:"2036-01-15T09:30:00Z"`
	CreatedAt time.Time `json:"createdAt" doc:"When the key was generated." example:"2026-01-15T09:30:00Z"`
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
	Domain   string `json:"domain" yaml:"domain,omitempty" doc:"An email domain (lowercase)." example:"muster.example"`
	Verified bool   `json:"verified" yaml:"verified,omitempty" doc:"Whether the tenant proved it owns the domain; only a root administrator sets it; only verified domains route logins." example:"true"`
}

// OIDCSettings are the protocol settings of an OIDC or OAuth 2.0
// connection (R-FED-2). Either DiscoveryURL (OIDC) or the explicit
// endpoints are set.
type OIDCSettings struct {
	// DiscoveryURL is the issuer (or its
	// /.well-known/openid-configuration URL).
	DiscoveryURL string `json:"discoveryUrl,omitempty" yaml:"discoveryUrl,omitempty" doc:"oidc: the issuer or its /.well-known/openid-configuration URL." example:"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"`
	// Issuer is the expected iss when the endpoints are explicit.
	Issuer        string `json:"issuer,omitempty" yaml:"issuer,omitempty" doc:"With explicit endpoints: the expected iss." example:"https://idp.example.com"`
	AuthorizeURL  string `json:"authorizeUrl,omitempty" yaml:"authorizeUrl,omitempty" doc:"With explicit endpoints: the authorization endpoint." example:"https://idp.example.com/oauth2/authorize"`
	TokenURL      string `json:"tokenUrl,omitempty" yaml:"tokenUrl,omitempty" doc:"With explicit endpoints: the token endpoint." example:"https://idp.example.com/oauth2/token"`
	UserinfoURL   string `json:"userinfoUrl,omitempty" yaml:"userinfoUrl,omitempty" doc:"With explicit endpoints: the userinfo endpoint." example:"https://idp.example.com/oauth2/userinfo"`
	JWKSURL       string `json:"jwksUrl,omitempty" yaml:"jwksUrl,omitempty" doc:"With explicit endpoints: the keys that sign ID tokens." example:"https://idp.example.com/oauth2/keys"`
	EndSessionURL string `json:"endSessionUrl,omitempty" yaml:"endSessionUrl,omitempty" doc:"Optional RP-initiated logout endpoint." example:"https://idp.example.com/oauth2/logout"`
	ClientID      string `json:"clientId" yaml:"clientId,omitempty" doc:"The client id Sesame was registered with at the IdP." example:"sesame-muster"`
	// Scopes requested (default: openid email profile; oauth2: none).
	Scopes []string `json:"scopes" yaml:"scopes,omitempty" doc:"Scopes requested; default openid email profile (oauth2: none)." example:"[\"openid\", \"email\", \"profile\"]"`
	// UseUserinfo merges the userinfo answer into the claims (always on
	// for oauth2).
	UseUserinfo bool `json:"useUserinfo" yaml:"useUserinfo,omitempty" doc:"Merge the userinfo answer into the claims (always on for oauth2)." example:"false"`
	// RefreshRoles keeps the upstream refresh token and, when a Sesame
	// refresh token is used, refreshes upstream and applies the claims
	// again (issue 10 §6); a failed upstream refresh fails Sesame's.
	RefreshRoles bool `json:"refreshRoles" yaml:"refreshRoles,omitempty" doc:"Keep the IdP's refresh token and, when a Sesame refresh token is used, refresh there and apply the claims again; a failed upstream refresh fails Sesame's." example:"false"`
	// UpstreamLogout sends the browser to the IdP's RP-initiated logout
	// after Sesame's own (issue 10 §9).
	UpstreamLogout bool `json:"upstreamLogout" yaml:"upstreamLogout,omitempty" doc:"After Sesame's logout, send the browser to the IdP's logout too." example:"true"`
}

// ClaimMapping says which claim holds what (R-FED-3). A claim is named by a
// dotted path into the claims ("realm_access.roles"); a member whose name
// itself contains a dot is reached by the whole name first. Empty fields
// take the preset's value, then the OIDC standard claim.
type ClaimMapping struct {
	// Preset fills the fields left empty: entra, keycloak, okta, google
	// (internal/federation presets), or "" (OIDC standard claims).
	Preset        string `json:"preset,omitempty" yaml:"preset,omitempty" doc:"Fills the fields left empty: OIDC entra, keycloak, okta, google; SAML entra, adfs, okta, google; empty: OIDC standard claims (SAML: Email, First Name, Last Name, Phone Number)." example:"entra"`
	Subject       string `json:"subject,omitempty" yaml:"subject,omitempty" doc:"Claim with the user's stable id at the IdP; default sub (SAML: leave empty, the NameID is the key)." example:"oid"`
	Email         string `json:"email,omitempty" yaml:"email,omitempty" doc:"Claim with the email; default email." example:"email"`
	EmailVerified string `json:"emailVerified,omitempty" yaml:"emailVerified,omitempty" doc:"Claim saying the email is verified; default email_verified." example:"email_verified"`
	FirstName     string `json:"firstName,omitempty" yaml:"firstName,omitempty" doc:"Claim with the given name; default given_name." example:"given_name"`
	LastName      string `json:"lastName,omitempty" yaml:"lastName,omitempty" doc:"Claim with the family name; default family_name." example:"family_name"`
	Phone         string `json:"phone,omitempty" yaml:"phone,omitempty" doc:"Claim with the phone number; default phone_number." example:"phone_number"`
	// Roles are claims whose values (a list, or one string) are role
	// names for every context (R-EFF-1 "globally").
	Roles []string `json:"roles,omitempty" yaml:"roles,omitempty" doc:"Claims whose values (a list or one string) are role names for every context (R-EFF-1); dotted paths reach nested claims." example:"[\"roles\", \"realm_access.roles\"]"`
	// ContextRoles reads role names per context ("Admin for account X,
	// User for account Y").
	ContextRoles *ContextRoles `json:"contextRoles,omitempty" yaml:"contextRoles,omitempty" doc:"Reads role names per context (\"Admin for account X, User for account Y\"); optional."`
	// Contexts is a claim listing account keys the user is assigned to
	// (without roles).
	Contexts string `json:"contexts,omitempty" yaml:"contexts,omitempty" doc:"Claim listing account keys the user is assigned to (without roles); optional." example:"accounts"`
	// AccountKey says how account keys resolve to contexts: AccountKeyID
	// (default) or AccountKeyNumber.
	AccountKey string `json:"accountKey,omitempty" yaml:"accountKey,omitempty" doc:"How account keys resolve to contexts: id (default) or number." example:"number"`
	// Require lists claims that must hold one of the given values (for
	// example Entra's tid or Google's hd): anything else is refused.
	Require map[string][]string `json:"require,omitempty" yaml:"require,omitempty" doc:"Claims that must hold one of the given values (e.g. Entra's tid, Google's hd); anything else is refused." example:"{\"tid\": [\"00000000-0000-0000-0000-000000000000\"]}"`
	// NoEmailVerified: the IdP sends no email_verified claim; its emails
	// count as unverified (never linked).
	NoEmailVerified bool `json:"noEmailVerified,omitempty" yaml:"noEmailVerified,omitempty" doc:"The IdP sends no email_verified claim: its emails count as unverified (never linked)." example:"false"`
	// Organisation reads the organisations (companies) the user belongs
	// to: each becomes an account context under the connection's tenant
	// (R-SAML-7, seed 002).
	Organisation *OrganisationMapping `json:"organisation,omitempty" yaml:"organisation,omitempty" doc:"Reads the organisations (companies) the user belongs to: each becomes an account below the connection's tenant (R-SAML-7); optional."`
	// Marketplace: the IdP is a marketplace (seed 002). The emails it
	// sends are virtual addresses — ids, not mailboxes: they are stored
	// and marked undeliverable (never sent to), and never used to link an
	// existing user (the same person through two marketplaces is two
	// users).
	Marketplace bool `json:"marketplace,omitempty" yaml:"marketplace,omitempty" doc:"The IdP is a marketplace: its emails are virtual ids, stored but never mailed or used to link existing users." example:"false"`
}

// OrganisationMapping names the claims (SAML attributes) of a user's
// organisations (R-SAML-7, seed 002's group_uid / group_name / group_role).
// Each claim holds one value or a list; lists are paired by index (the
// i-th name and role belong to the i-th uid). The uid is unique per
// connection only: the same uid from two connections is two organisations.
type OrganisationMapping struct {
	// UID is the claim holding the organisation's stable id (required).
	UID string `json:"uid" yaml:"uid" doc:"Claim (SAML attribute) with the organisation's stable id; required; unique per connection." example:"group_uid"`
	// Name holds the organisation's display name: the context's name,
	// renamed when it changes (default: the uid).
	Name string `json:"name,omitempty" yaml:"name,omitempty" doc:"Claim with the organisation's display name: the account's name, renamed when it changes; default the uid." example:"group_name"`
	// Role holds the user's role name in the organisation: a role for
	// that context (R-EFF-1, e1); empty entries give none.
	Role string `json:"role,omitempty" yaml:"role,omitempty" doc:"Claim with the user's role name in the organisation (a role for that account, R-EFF-1); empty entries give none." example:"group_role"`
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
	Claim     string `json:"claim" yaml:"claim,omitempty" doc:"Claim holding the list: entries are objects such as {\"account\": \"4711\", \"role\": \"Admin\"} or strings such as \"4711:Admin\"." example:"account_roles"`
	Key       string `json:"key,omitempty" yaml:"key,omitempty" doc:"Object entries: the member holding the account key." example:"account"`
	Role      string `json:"role,omitempty" yaml:"role,omitempty" doc:"Object entries: the member holding the role name (or a list of them)." example:"role"`
	Separator string `json:"separator,omitempty" yaml:"separator,omitempty" doc:"String entries: what separates account key and role." example:":"`
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
