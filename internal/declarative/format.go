package declarative

import (
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/sesame-sso/sesame/internal/model"
)

// Document is one declarative file.
type Document struct {
	Domains   []model.UserDomain `yaml:"domains,omitempty"`
	Modules   []Module           `yaml:"modules,omitempty"`
	Contexts  []Context          `yaml:"contexts,omitempty"`
	Templates []Template         `yaml:"templates,omitempty"`
	Groups    []Group            `yaml:"groups,omitempty"`
	Policies  []Policy           `yaml:"policies,omitempty"`
	Users     []User             `yaml:"users,omitempty"`
	Clients   []Client           `yaml:"clients,omitempty"`
	// Connections to external IdPs (connections.go).
	Connections []Connection `yaml:"connections,omitempty"`
	// SCIMCredentials of tenants (scimcredentials.go).
	SCIMCredentials []SCIMCredential `yaml:"scimCredentials,omitempty"`
}

// Module registers a module with its ACLs.
type Module struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	ACLs        []ACL  `yaml:"acls"`
}

// ACL is a catalog entry of a Module.
type ACL struct {
	Category    string        `yaml:"category"`
	Name        string        `yaml:"name"`
	Type        model.ACLType `yaml:"type"`
	Description string        `yaml:"description,omitempty"`
}

// Context is a context of the tree. Ref is the name other entries use for
// it (default: its number, else its name); Parent is a ref, "root", or an
// existing context id. An existing context matches by ID, else by parent and
// name.
type Context struct {
	Ref    string            `yaml:"ref,omitempty"`
	ID     string            `yaml:"id,omitempty"`
	Type   model.ContextType `yaml:"type"`
	Name   string            `yaml:"name"`
	Number string            `yaml:"number,omitempty"`
	// Slug (tenants): the unique, immutable name logins use ("slug/name");
	// derived from the name when not given; fixed once the tenant exists.
	Slug   string `yaml:"slug,omitempty"`
	Parent string `yaml:"parent"`
}

// Value is one ACL value.
type Value struct {
	Module string `yaml:"module"`
	ACL    string `yaml:"acl"`
	Value  string `yaml:"value"`
}

// Template is an ACL template, matched by name.
type Template struct {
	Name         string              `yaml:"name"`
	Description  string              `yaml:"description,omitempty"`
	ContextTypes []model.ContextType `yaml:"contextTypes"`
	Values       []Value             `yaml:"values"`
}

// Group is a user group, matched by context and name. Either Template (a
// template name, whose values are copied) or Values.
type Group struct {
	Context     string   `yaml:"context"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	RoleNames   []string `yaml:"roleNames,omitempty"`
	Template    string   `yaml:"template,omitempty"`
	Values      []Value  `yaml:"values,omitempty"`
}

// Policy is a context's access policy (values or a template name).
type Policy struct {
	Context  string  `yaml:"context"`
	Template string  `yaml:"template,omitempty"`
	Values   []Value `yaml:"values,omitempty"`
}

// User is a user, matched by login name in its tenant.
type User struct {
	Login        string           `yaml:"login"`
	Domain       string           `yaml:"domain"`
	Kind         model.UserKind   `yaml:"kind,omitempty"`
	Status       model.UserStatus `yaml:"status,omitempty"`
	Contexts     []string         `yaml:"contexts"`
	Person       model.Person     `yaml:"person,omitempty"`
	TwoFactor    string           `yaml:"twoFactor,omitempty"`
	Password     string           `yaml:"password,omitempty"`
	PasswordHash string           `yaml:"passwordHash,omitempty"`
	Groups       []Membership     `yaml:"groups,omitempty"`
	Roles        []Role           `yaml:"roles,omitempty"`
}

// Membership names a group (by name) in the context it is defined in
// (GroupContext, default: Context) and the context the user holds it in.
type Membership struct {
	Group        string `yaml:"group"`
	GroupContext string `yaml:"groupContext,omitempty"`
	Context      string `yaml:"context"`
}

// Role is an external role name for a delegated user (Context empty =
// global).
type Role struct {
	Context string `yaml:"context,omitempty"`
	Role    string `yaml:"role"`
}

// Parse reads a document strictly (unknown keys are errors).
func Parse(r io.Reader) (Document, error) {
	var d Document
	dec := yaml.NewDecoder(io.LimitReader(r, 64<<20))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		if errors.Is(err, io.EOF) {
			return d, nil
		}
		return d, fmt.Errorf("parse: %w", err)
	}
	return d, nil
}

// Write writes a document as YAML.
func Write(w io.Writer, d Document) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return err
	}
	return enc.Close()
}

func toValues(vs []Value) []model.ACLValue {
	if vs == nil {
		return nil
	}
	out := make([]model.ACLValue, len(vs))
	for i, v := range vs {
		out[i] = model.ACLValue{Module: v.Module, Name: v.ACL, Value: v.Value}
	}
	return out
}

func fromValues(vs []model.ACLValue) []Value {
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = Value{Module: v.Module, ACL: v.Name, Value: v.Value}
	}
	return out
}
