package password

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/password/commonlist"
)

// MinPolicyLength is the lowest configurable minimum length (NIST SP
// 800-63B §5.1.1.2: at least 8 characters); the common list holds no
// shorter entries.
const MinPolicyLength = 8

// MaxPolicyLength is the highest configurable maximum length, in
// characters; a password is also never longer than MaxBytes.
const MaxPolicyLength = 1024

// MaxBytes bounds what is ever set, whatever the characters: the login
// page accepts passwords of at most 1024 bytes.
const MaxBytes = 1024

// Stable codes of the policy rules (issue 9 §2.1), one per rule.
const (
	CodeTooShort      = "too_short"
	CodeTooLong       = "too_long"
	CodeContainsLogin = "contains_login"
	CodeContainsEmail = "contains_email"
	CodeCommon        = "common"
)

// minPersonal is the shortest login name or email local part that a
// password may not contain: shorter ones (a two-letter login) would refuse
// half the dictionary; the password still may not equal them.
const minPersonal = 3

// Policy is the password policy (issue 9 §2.1), applied to every password
// that is set (not to hashes imported by an operator). Lengths count
// characters (Unicode code points).
type Policy struct {
	MinLength int
	MaxLength int
	// RejectPersonal: the password may not equal or contain the login
	// name or the email's local part, forwards or reversed, ignoring case.
	RejectPersonal bool
	// RejectCommon: the password, lower-cased, may not be on the shipped
	// common/breached list (package commonlist).
	RejectCommon bool
}

// DefaultPolicy is the policy without configuration.
func DefaultPolicy() Policy {
	return Policy{MinLength: 12, MaxLength: 256, RejectPersonal: true, RejectCommon: true}
}

// Subject is whose password is being set.
type Subject struct {
	LoginName string
	Email     string
}

// Violation is one broken rule: a stable code and a message that says what
// is wrong.
type Violation struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Limit is the length a too_short or too_long password missed (for
	// translated messages); 0 for the other rules.
	Limit int `json:"-"`
}

// Check returns every rule pw breaks for who (none: acceptable).
func (p Policy) Check(pw string, who Subject) []Violation {
	var v []Violation
	n := utf8.RuneCountInString(pw)
	if n < p.MinLength {
		v = append(v, Violation{CodeTooShort, "must be at least " + strconv.Itoa(p.MinLength) + " characters long", p.MinLength})
	}
	if n > p.MaxLength || len(pw) > MaxBytes {
		v = append(v, Violation{CodeTooLong, "must be at most " + strconv.Itoa(p.MaxLength) + " characters (and " + strconv.Itoa(MaxBytes) + " bytes) long", p.MaxLength})
	}
	if p.RejectPersonal {
		lower := strings.ToLower(pw)
		if containsPersonal(lower, who.LoginName) {
			v = append(v, Violation{CodeContainsLogin, "must not contain the login name", 0})
		}
		if local, _, _ := strings.Cut(who.Email, "@"); containsPersonal(lower, local) {
			v = append(v, Violation{CodeContainsEmail, "must not contain the email address", 0})
		}
	}
	if p.RejectCommon && n >= MinPolicyLength && commonlist.Contains(pw) {
		v = append(v, Violation{CodeCommon, "is one of the most common passwords", 0})
	}
	return v
}

// containsPersonal: pw (lower-cased) equals word, or contains it (or it
// reversed) when word has at least minPersonal characters.
func containsPersonal(pw, word string) bool {
	word = strings.ToLower(strings.TrimSpace(word))
	if word == "" {
		return false
	}
	if pw == word || pw == reverse(word) {
		return true
	}
	if utf8.RuneCountInString(word) < minPersonal {
		return false
	}
	return strings.Contains(pw, word) || strings.Contains(pw, reverse(word))
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// Message joins violations into one line, each "code: message" (the
// detail of the API's 400 problem).
func Message(v []Violation) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = x.Code + ": " + x.Message
	}
	return strings.Join(parts, "; ")
}
