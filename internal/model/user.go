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
	Name        string          `json:"name"`
	Kind        UserKind        `json:"kind"`
	Placement   DomainPlacement `json:"placement"`
	Description string          `json:"description,omitempty"`
}

// Person is a user's personal data; all of it is wiped on delete.
type Person struct {
	FirstName string `json:"firstName" yaml:"firstName,omitempty"`
	LastName  string `json:"lastName" yaml:"lastName,omitempty"`
	Email     string `json:"email" yaml:"email,omitempty"`
	Phone     string `json:"phone" yaml:"phone,omitempty"`
	Language  string `json:"language" yaml:"language,omitempty"`
	Avatar    string `json:"avatar" yaml:"avatar,omitempty"`
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
	ID           string     `json:"id"`
	LoginName    string     `json:"loginName"`
	TenantID     string     `json:"tenantId"`
	Domain       string     `json:"domain"`
	Kind         UserKind   `json:"kind"`
	Status       UserStatus `json:"status"`
	Person       Person     `json:"person"`
	TwoFactor    string     `json:"twoFactor"`
	PasswordHash string     `json:"-"`
	// Contexts the user is assigned to.
	Contexts     []string   `json:"contexts"`
	FirstLoginAt *time.Time `json:"firstLoginAt,omitempty"`
	LastLoginAt  *time.Time `json:"lastLoginAt,omitempty"`
	// PasswordMustChange: the next login asks for a new password before
	// anything else (an admin reset, issue 9 §2.3).
	PasswordMustChange bool `json:"passwordMustChange"`
	// PasswordSetAt is when the password was last set (zero: unknown, e.g.
	// created before it was recorded); password expiry counts from it.
	PasswordSetAt time.Time `json:"passwordSetAt,omitzero"`
	// TOTPMustEnrol: the next login asks the user to set up an
	// authenticator app (where TOTP is allowed for them) before it ends —
	// an admin "reset the account" (seed 003).
	TOTPMustEnrol bool `json:"totpMustEnrol"`
	// EmailUndeliverable: the email is a virtual address (a marketplace's
	// id, seed 002): kept, but no message is ever sent to it.
	EmailUndeliverable bool      `json:"emailUndeliverable"`
	CreatedAt          time.Time `json:"createdAt"`
	UpdatedAt          time.Time `json:"updatedAt"`
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
