package model

import "time"

// Group is a user group: a named set of ACL values living in a context. A
// group in the root context is global: it is available in every context.
// RoleNames are external IdP role names that map onto the group (R-EFF-1).
type Group struct {
	ID          string     `json:"id" doc:"The group's id (UUID), assigned by Sesame; read-only." example:"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68"`
	ContextID   string     `json:"contextId" doc:"The context the group belongs to; a group at root is global: it can be assigned in every context." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Name        string     `json:"name" doc:"Display name; unique within its context." example:"Billing clerks"`
	Description string     `json:"description,omitempty" doc:"Optional free text for administrators." example:"May read invoices and change price plans."`
	RoleNames   []string   `json:"roleNames" doc:"External IdP role names that map onto this group for delegated users (R-EFF-1); may be empty." example:"[\"billing-clerk\"]"`
	Values      []ACLValue `json:"values" doc:"The ACL values members get in the group's context." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}, {\"module\": \"portal\", \"acl\": \"Price Plan\", \"value\": \"gold\"}]"`
	CreatedAt   time.Time  `json:"createdAt" doc:"When the group was created; read-only." example:"2026-01-15T09:30:00Z"`
	UpdatedAt   time.Time  `json:"updatedAt" doc:"When the group was last changed; read-only." example:"2026-11-30T17:42:10Z"`
}

// Membership assigns a user to a group in a context. For a context group the
// context is the group's own; a global group can be assigned in any context.
type Membership struct {
	GroupID   string `json:"groupId" doc:"The group." example:"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68"`
	UserID    string `json:"userId" doc:"The member." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
	ContextID string `json:"contextId" doc:"The context the membership applies in: the group's own, or any context for a global group." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
}

// Template is an ACL template: a named set of values restricted to context
// types; applying it copies its values (SPEC.md §2 "ACL templates").
type Template struct {
	ID           string        `json:"id" doc:"The template's id (UUID), assigned by Sesame; read-only." example:"5e8d2c14-a9b7-4f60-8c3e-1d2f4a6b8c90"`
	Name         string        `json:"name" doc:"Display name; unique." example:"Standard customer"`
	Description  string        `json:"description,omitempty" doc:"Optional free text for administrators." example:"Rights every new customer starts with."`
	ContextTypes []ContextType `json:"contextTypes" doc:"The context types the template may be applied to (root, tenant, account, customer)." example:"[\"account\", \"customer\"]"`
	Values       []ACLValue    `json:"values" doc:"The ACL values copied when the template is applied to a group or a context policy." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}, {\"module\": \"portal\", \"acl\": \"Price Plan\", \"value\": \"gold\"}]"`
	CreatedAt    time.Time     `json:"createdAt" doc:"When the template was created; read-only." example:"2026-01-15T09:30:00Z"`
	UpdatedAt    time.Time     `json:"updatedAt" doc:"When the template was last changed; read-only." example:"2026-11-30T17:42:10Z"`
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
