package model

import "time"

// Group is a user group: a named set of ACL values living in a context. A
// group in the root context is global: it is available in every context.
// RoleNames are external IdP role names that map onto the group (R-EFF-1).
type Group struct {
	ID          string     `json:"id"`
	ContextID   string     `json:"contextId"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	RoleNames   []string   `json:"roleNames"`
	Values      []ACLValue `json:"values"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

// Membership assigns a user to a group in a context. For a context group the
// context is the group's own; a global group can be assigned in any context.
type Membership struct {
	GroupID   string `json:"groupId"`
	UserID    string `json:"userId"`
	ContextID string `json:"contextId"`
}

// Template is an ACL template: a named set of values restricted to context
// types; applying it copies its values (SPEC.md §2 "ACL templates").
type Template struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	ContextTypes []ContextType `json:"contextTypes"`
	Values       []ACLValue    `json:"values"`
	CreatedAt    time.Time     `json:"createdAt"`
	UpdatedAt    time.Time     `json:"updatedAt"`
}

// AllowsContextType reports whether the template may be used with t.
func (t Template) AllowsContextType(ct ContextType) bool {
	for _, x := range t.ContextTypes {
		if x == ct {
			return true
		}
	}
	return false
}
