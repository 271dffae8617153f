package model

import "time"

// Client protocols.
const (
	ProtocolOIDC = "oidc"
	ProtocolCAS  = "cas"
)

// Client is an application registered with Sesame (R-SSO-3): an OAuth 2.0 /
// OIDC client with exact redirect URIs, or a CAS service with anchored
// service URL patterns. It belongs to a module, whose entry rules apply to
// every login through it (R-MOD-1..3).
type Client struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Module   string `json:"module"`
	Protocol string `json:"protocol"`
	// RedirectURIs are matched exactly (OIDC).
	RedirectURIs []string `json:"redirectUris"`
	// ServicePatterns are CAS service URLs: exact, or ending in "*" for a
	// path prefix under the same scheme, host and port.
	ServicePatterns []string `json:"servicePatterns"`
	GrantTypes      []string `json:"grantTypes"`
	// Public clients have no secret (PKCE required).
	Public     bool   `json:"public"`
	SecretHash string `json:"-"`
	// LogoutURL receives back-channel (OIDC) or single logout (CAS) calls.
	LogoutURL  string        `json:"logoutUrl,omitempty"`
	AccessTTL  time.Duration `json:"accessTtl"`
	RefreshTTL time.Duration `json:"refreshTtl"`
	// AllowedScopes are the non-OIDC scopes this client may request, such
	// as "sesame:admin" (the admin API); a scope not listed is dropped from
	// the request (RFC 6749 §3.3).
	AllowedScopes []string `json:"allowedScopes"`
	// Audience names further resource servers (client ids) that access
	// tokens issued to this client are meant for: they join the token's
	// aud (RFC 9068 §3) and may introspect it (RFC 7662 §4).
	Audience []string `json:"audience"`
	// PolicyDecision lets this client call POST /api/v1/authorize for its
	// module (R-SSO-6); other clients get 403 there.
	PolicyDecision bool `json:"policyDecision"`
	// WebOrigins are the browser origins (scheme://host[:port]) allowed
	// cross-origin calls on the token, revocation, userinfo and keys
	// endpoints (public SPA clients).
	WebOrigins []string `json:"webOrigins"`
	// Development allows plain-http redirect URIs and service patterns on
	// hosts other than loopback.
	Development bool `json:"development"`
	// CASPrincipal chooses what a CAS service sees as the user
	// (cas:user): CASPrincipalID (default) or CASPrincipalTenantLogin.
	CASPrincipal string    `json:"casPrincipal"`
	CreatedAt    time.Time `json:"createdAt"`
}

// CAS principal choices (Client.CASPrincipal): both are unique and never
// reassigned.
const (
	// CASPrincipalID is the user id (the default).
	CASPrincipalID = "id"
	// CASPrincipalTenantLogin is "tenant-slug/login-name"; a user whose
	// principal a service keys on this way cannot be renamed.
	CASPrincipalTenantLogin = "tenantLogin"
)

// Session is a browser's SSO session (R-SSO-1). ID is the SHA-256 of the
// cookie value: a database leak does not leak usable sessions.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"userId"`
	ContextID string    `json:"contextId"`
	AuthTime  time.Time `json:"authTime"`
	ExpiresAt time.Time `json:"expiresAt"`
	SourceIP  string    `json:"sourceIp"`
	// LastSeen is the last recorded use (zero: none since AuthTime).
	LastSeen time.Time `json:"lastSeen"`
	// AMR says how the user proved who they are in the login that started
	// this session (RFC 8176 values: "pwd", "otp", "mfa"…); it becomes the
	// ID token's amr claim (OIDC Core §2).
	AMR []string `json:"amr"`
	// LoginFor names the protocol request whose login flow started this
	// session ("oidc:<auth request id>", "cas:<renew nonce>"), set by
	// login.Begin: forced re-authentication (prompt=login, max_age, CAS
	// renew) is answered only by a session whose LoginFor is that request
	// (issue 9 §1) — no time windows.
	LoginFor string `json:"-"`
	// ConnectionID is the connection (delegated login, issue 10) the
	// login went through; "" for a password login.
	ConnectionID string `json:"connectionId,omitempty"`
	// Upstream is the connector's state for this login (upstream refresh
	// and ID token), sealed by internal/login; never sent anywhere.
	Upstream []byte `json:"-"`
}

// Ticket kinds (CAS 3.0 §3).
const (
	TicketService = "ST"
	TicketProxy   = "PT"
	// TicketProxyGranting is a proxy-granting ticket (§3.3): not single
	// use, valid while its SSO session lives.
	TicketProxyGranting = "PGT"
)

// Ticket is a CAS service ticket: single use, short-lived, bound to the
// exact service URL it was issued for. ID is the SHA-256 of the ticket.
type Ticket struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Service   string    `json:"service"`
	ClientID  string    `json:"clientId"`
	UserID    string    `json:"userId"`
	SessionID string    `json:"sessionId"`
	ContextID string    `json:"contextId"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Renewed is true when the ticket came from a fresh credential login.
	Renewed bool `json:"renewed"`
	// Proxies is the proxy chain of a PT or PGT, most recent first: the
	// pgtUrls through which it was obtained (CAS 3.0 §2.6.2).
	Proxies []string `json:"proxies,omitempty"`
}

// SessionService records that a session logged in to a client's service,
// so logout can tell it (R-SSO-7, CAS single logout).
type SessionService struct {
	SessionID string `json:"sessionId"`
	ClientID  string `json:"clientId"`
	Service   string `json:"service"`
	// Ticket is the service ticket's plain value, which CAS single logout
	// quotes in its SessionIndex (CAS 3.0 Appendix C).
	Ticket string `json:"-"`
}
