package model

import "time"

// ContextType is a level of the context tree (SPEC.md §2 "Contexts").
type ContextType string

const (
	ContextRoot     ContextType = "root"
	ContextTenant   ContextType = "tenant"
	ContextAccount  ContextType = "account"
	ContextCustomer ContextType = "customer"
)

// Valid reports whether t is one of the four context types.
func (t ContextType) Valid() bool {
	switch t {
	case ContextRoot, ContextTenant, ContextAccount, ContextCustomer:
		return true
	}
	return false
}

// AllowedParent reports whether a context of type t may hang below a context of
// type parent: root has no parent; tenants hang below root; accounts below
// root, a tenant or another account (sub-accounts are accounts); customers
// below an account.
func (t ContextType) AllowedParent(parent ContextType) bool {
	switch t {
	case ContextTenant:
		return parent == ContextRoot
	case ContextAccount:
		return parent == ContextRoot || parent == ContextTenant || parent == ContextAccount
	case ContextCustomer:
		return parent == ContextAccount
	}
	return false
}

// Context is a node of the context tree.
type Context struct {
	ID     string      `json:"id" doc:"The context's id (UUID), assigned by Sesame; read-only." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Type   ContextType `json:"type" doc:"Level in the context tree: root, tenant, account or customer (tenants below root; accounts below root, a tenant or an account; customers below an account)." example:"account"`
	Name   string      `json:"name" doc:"Display name." example:"Muster Logistics AG"`
	Number string      `json:"number,omitempty" doc:"Optional customer or account number from your own systems; searchable." example:"K-10042"`
	// Slug names a tenant in logins ("slug/name") and CAS tenantLogin
	// principals: unique, [a-z0-9-], set at creation (derived from the name
	// when not given) and never changed. Root's is "root"; other context
	// types have none.
	Slug     string `json:"slug,omitempty" doc:"Tenants only: the short name users type in logins (\"slug/name\"); unique, lowercase letters, digits and -, fixed at creation; root's is root; absent for accounts and customers." example:"muster"`
	ParentID string `json:"parentId,omitempty" doc:"The parent context's id; absent for root." example:"0c4a8e62-7d15-4f3b-9e20-b6a1d3c5f789"`
	// TenantID is the nearest tenant at or above this context, or the root
	// context's id when there is none (R-CTX-2). Derived, never set by callers.
	TenantID  string    `json:"tenantId" doc:"The nearest tenant at or above this context, or root's id when there is none (R-CTX-2); derived; read-only." example:"0c4a8e62-7d15-4f3b-9e20-b6a1d3c5f789"`
	Policy    bool      `json:"hasPolicy" doc:"Whether the context has its own access policy (GET /api/v1/contexts/{id}/policy); read-only." example:"false"`
	CreatedAt time.Time `json:"createdAt" doc:"When the context was created; read-only." example:"2026-01-15T09:30:00Z"`
}

// ContextFilter selects contexts in a search (R-CTX-1).
type ContextFilter struct {
	// Query matches name or number, case-insensitively, as a substring.
	Query    string
	Type     ContextType
	ParentID string
	// Within limits the search to this context and its descendants.
	Within []string
	Page   Page
}

// Page is an offset/limit page request.
type Page struct {
	Offset int
	Limit  int
}

// Normalize applies the default and maximum page size.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > 500 {
		p.Limit = 500
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}
