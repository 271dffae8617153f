package message

import "slices"

// Type is a kind of message (R-MSG-1).
type Type string

// Message types.
const (
	PasswordReset   Type = "password_reset"
	OTPEmail        Type = "otp_email"
	OTPSMS          Type = "otp_sms"
	Welcome         Type = "welcome"
	AccountLocked   Type = "account_locked"
	PasswordChanged Type = "password_changed"
)

// Types lists every message type.
var Types = []Type{PasswordReset, OTPEmail, OTPSMS, Welcome, AccountLocked, PasswordChanged}

// Languages are the languages shipped with defaults; English is the fallback.
var Languages = []string{"en", "de", "fr"}

// Fallback is the language used when the user's has no template.
const Fallback = "en"

// placeholders: the fields a template of each type may use ({{.Name}}).
// Every type has the recipient's Name and Login.
var placeholders = map[Type][]string{
	PasswordReset:   {"Name", "Login", "Link", "ExpiresIn"},
	OTPEmail:        {"Name", "Login", "Code", "ExpiresIn"},
	OTPSMS:          {"Name", "Login", "Code", "ExpiresIn"},
	Welcome:         {"Name", "Login", "Link"},
	AccountLocked:   {"Name", "Login", "Until"},
	PasswordChanged: {"Name", "Login", "Time"},
}

// Placeholders returns the fields a template of t may use.
func Placeholders(t Type) []string { return slices.Clone(placeholders[t]) }

// Valid reports whether t is a known type.
func (t Type) Valid() bool { _, ok := placeholders[t]; return ok }

// IsSMS reports whether messages of t go out by SMS (no subject, no HTML).
func (t Type) IsSMS() bool { return t == OTPSMS }

func knownLanguage(l string) bool { return slices.Contains(Languages, l) }
