package model

import "time"

// UserStatus is a lifecycle state (R-USR-1).
type UserStatus string

const (
	StatusDraft    UserStatus = "draft"
	StatusActive   UserStatus = "active"
	StatusInactive UserStatus = "inactive"
	StatusDeleted  UserStatus = "deleted"
)

// UserKind says who owns the user: Sesame (local) or an external IdP.
type UserKind string

const (
	KindLocal     UserKind = "local"
	KindDelegated UserKind = "delegated"
)

// DomainPlacement says where a domain's users may be created (R-USR-2).
type DomainPlacement string

const (
	// PlacementRoot: only at root, by admins at root (the CSP domain).
	PlacementRoot DomainPlacement = "root"
	// PlacementEnterprise: only in tenant or account contexts.
	PlacementEnterprise DomainPlacement = "enterprise"
)

// Default user domains.
const (
	DomainCSP        = "CSP"
	DomainEnterprise = "ENTERPRISE"
)

// UserDomain groups users with the same behaviour (R-USR-2).
type UserDomain struct {
	Name        string          `json:"name" doc:"The domain's name, unique." example:"PARTNER"`
	Kind        UserKind        `json:"kind" doc:"Kind of its users: local (Sesame holds the password) or delegated (they sign in at an external IdP)." example:"local"`
	Placement   DomainPlacement `json:"placement" doc:"Where its users may be created: root (only at root, by root administrators) or enterprise (only in tenants and accounts) (R-USR-2)." example:"enterprise"`
	Description string          `json:"description,omitempty" doc:"Optional free text for administrators." example:"Partner staff with their own logins"`
}

// Person is a user's personal data; all of it is wiped on delete.
type Person struct {
	FirstName string `json:"firstName" yaml:"firstName,omitempty" doc:"Given name; may be empty." example:"Anna"`
	LastName  string `json:"lastName" yaml:"lastName,omitempty" doc:"Family name; may be empty." example:"Muster"`
	Email     string `json:"email" yaml:"email,omitempty" doc:"Email address (a plain address, no display name); where one-time codes, reset links and notices go. May be empty." example:"anna.muster@example.com"`
	Phone     string `json:"phone" yaml:"phone,omitempty" doc:"Mobile number for SMS codes: digits, spaces, ( ) and -, optionally a leading +, 3 to 32 characters. May be empty." example:"+41 79 123 45 67"`
	Language  string `json:"language" yaml:"language,omitempty" doc:"Preferred language as a language tag (en, de, fr, de-CH …) for pages and messages; empty: the browser's or the instance default." example:"de-CH"`
	Avatar    string `json:"avatar" yaml:"avatar,omitempty" doc:"Picture of the user (a URL); may be empty." example:"https://portal.example.com/avatars/anna.png"`
}

// TwoFactor values (R-2FA-1). Empty means the instance default.
const (
	TwoFactorDefault  = ""
	TwoFactorDisabled = "disabled"
	TwoFactorSMS      = "sms"
	TwoFactorEmail    = "email"
	TwoFactorBoth     = "sms+email"
)

// User is a person who logs in.
type User struct {
	ID           string     `json:"id" doc:"The user's id (UUID), assigned by Sesame; read-only." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
	LoginName    string     `json:"loginName" doc:"The name the user signs in with; unique within the domain." example:"anna.muster"`
	TenantID     string     `json:"tenantId" doc:"The tenant context the user belongs to (root's id for CSP users); derived from the contexts; read-only." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Domain       string     `json:"domain" doc:"The user domain (CSP, ENTERPRISE or one created under /api/v1/domains); decides the kind and where the user may be placed (R-USR-2)." example:"ENTERPRISE"`
	Kind         UserKind   `json:"kind" doc:"local (Sesame holds the password) or delegated (the user signs in at an external IdP; R-USR-3); from the domain; read-only." example:"local"`
	Status       UserStatus `json:"status" doc:"Lifecycle state: draft, active, inactive or deleted (R-USR-1); changed with POST /api/v1/users/{id}/{action}; read-only here." example:"active"`
	Person       Person     `json:"person" doc:"Personal data; wiped when the user is deleted."`
	TwoFactor    string     `json:"twoFactor" doc:"One-time-code channel for the second factor: empty (the instance default), disabled, sms, email or sms+email (R-2FA-1)." example:"email"`
	PasswordHash string     `json:"-"`
	// Contexts the user is assigned to.
	Contexts     []string   `json:"contexts" doc:"Ids of the contexts the user is assigned to (at least one); set with PUT /api/v1/users/{id}/contexts." example:"[\"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31\"]"`
	FirstLoginAt *time.Time `json:"firstLoginAt,omitempty" doc:"When the user first signed in; absent if never; read-only." example:"2026-03-02T08:15:00Z"`
	LastLoginAt  *time.Time `json:"lastLoginAt,omitempty" doc:"When the user last signed in; absent if never; read-only." example:"2026-11-30T17:42:10Z"`
	// PasswordMustChange: the next login asks for a new password before
	// anything else (an admin reset, issue 9 §2.3).
	PasswordMustChange bool `json:"passwordMustChange" doc:"The next login asks for a new password before anything else (after an admin reset); read-only." example:"false"`
	// PasswordSetAt is when the password was last set (zero: unknown, e.g.
	// created before it was recorded); password expiry counts from it.
	PasswordSetAt time.Time `json:"passwordSetAt,omitzero" doc:"When the password was last set; password expiry counts from it; absent if unknown; read-only." example:"2026-09-14T10:00:00Z"`
	// TOTPMustEnrol: the next login asks the user to set up an
	// authenticator app (where TOTP is allowed for them) before it ends —
	// an admin "reset the account" (seed 003).
	TOTPMustEnrol bool `json:"totpMustEnrol" doc:"The next login asks the user to set up an authenticator app (after an account reset); read-only." example:"false"`
	// EmailUndeliverable: the email is a virtual address (a marketplace's
	// id, seed 002): kept, but no message is ever sent to it.
	EmailUndeliverable bool      `json:"emailUndeliverable" doc:"The email is a virtual address (e.g. a marketplace's id): kept, but no message is sent to it; read-only." example:"false"`
	CreatedAt          time.Time `json:"createdAt" doc:"When the user was created; read-only." example:"2026-01-15T09:30:00Z"`
	UpdatedAt          time.Time `json:"updatedAt" doc:"When the user was last changed; read-only." example:"2026-11-30T17:42:10Z"`
}

// RoleAssignment is an external IdP role name given to a delegated user,
// either for one context or globally (ContextID empty) (R-EFF-1).
type RoleAssignment struct {
	ContextID string `json:"contextId,omitempty"`
	Role      string `json:"role"`
}

// UserFilter selects users in a list.
type UserFilter struct {
	// Query matches login name, first/last name or email, case-insensitively.
	Query string
	// LoginName matches the login name exactly (case-insensitively).
	LoginName string
	TenantID  string
	Status    UserStatus
	// ContextIDs limits the list to users assigned to one of these contexts.
	ContextIDs []string
	// Within limits the list to users assigned to a context in one of these
	// subtrees (admin visibility); nil means no limit, empty means nothing.
	Within []string
	Page   Page
}

// CanTransition reports whether the lifecycle allows from → to (R-USR-1).
// Discarding a draft is a removal, not a transition.
func CanTransition(from, to UserStatus) bool {
	switch from {
	case StatusDraft:
		return to == StatusActive
	case StatusActive:
		return to == StatusInactive || to == StatusDeleted
	case StatusInactive:
		return to == StatusActive || to == StatusDeleted
	}
	return false
}
