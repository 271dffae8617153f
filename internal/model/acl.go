package model

import "strings"

// ACLType is the value type of an access right.
type ACLType string

const (
	ACLBoolean ACLType = "boolean"
	ACLText    ACLType = "text"
)

// CategoryUserPreferences holds per-user settings, never rights (R-ACL-2).
const CategoryUserPreferences = "User Preferences"

// Default modules (SPEC.md §2 "Modules and ACLs").
const (
	ModulePortal = "portal"
	ModuleRM     = "rm"
	ModuleBM     = "bm"
	ModuleCAS    = "cas"
)

// Well-known ACL names the code depends on.
const (
	ACLAPIIPAllow     = "API IP Allow"
	ACLBMModuleAccess = "bmModuleAccess"
)

// Module is an application family with its own ACLs.
type Module struct {
	Name        string `json:"name" doc:"The module's name (an application or product area); ACLs and clients belong to it." example:"portal"`
	Description string `json:"description" doc:"Free text for administrators." example:"Customer self-service portal"`
}

// ACL is one access right of a module.
type ACL struct {
	Module      string  `json:"module" doc:"The module the ACL belongs to." example:"portal"`
	Category    string  `json:"category" doc:"Grouping shown in the console; the category User Preferences holds per-user settings, never rights (R-ACL-2)." example:"Billing"`
	Name        string  `json:"name" doc:"The ACL's name, unique within the module." example:"Billing - Read"`
	Type        ACLType `json:"type" doc:"boolean (a right that is granted or not) or text (a value such as a price plan)." example:"boolean"`
	Description string  `json:"description,omitempty" doc:"Optional free text for administrators." example:"May read invoices."`
}

// Ref returns the ACL's identity.
func (a ACL) Ref() ACLRef { return ACLRef{Module: a.Module, Name: a.Name} }

// IsPreference reports whether the ACL stores user preferences (R-ACL-2).
func (a ACL) IsPreference() bool { return strings.EqualFold(a.Category, CategoryUserPreferences) }

// ACLRef identifies an ACL: names are unique within a module.
type ACLRef struct {
	Module string `json:"module"`
	Name   string `json:"acl"`
}

func (r ACLRef) String() string { return r.Module + "/" + r.Name }

// ACLValue is a value set for an ACL in a group, template or policy. Boolean
// values are "true" or "false".
type ACLValue struct {
	Module string `json:"module" doc:"The module the ACL belongs to (see GET /api/v1/modules)." example:"portal"`
	Name   string `json:"acl" doc:"The ACL's name within the module (see GET /api/v1/acls)." example:"Billing - Read"`
	Value  string `json:"value" doc:"The value: \"true\" or \"false\" for a boolean ACL, the text for a text ACL." example:"\"true\""`
}

// Ref returns the ACL this value is for.
func (v ACLValue) Ref() ACLRef { return ACLRef{Module: v.Module, Name: v.Name} }
