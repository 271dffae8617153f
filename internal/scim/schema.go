package scim

import (
	"strings"
)

// Schema URNs (RFC 7643 §8.7, RFC 7644 §3.1).
const (
	URNUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	URNGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	URNEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	urnList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	urnPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	urnError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	urnSPC        = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	urnRT         = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	urnSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// attr is an attribute definition (RFC 7643 §7).
type attr struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	MultiValued bool    `json:"multiValued"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required"`
	CaseExact   bool    `json:"caseExact"`
	Mutability  string  `json:"mutability"`
	Returned    string  `json:"returned"`
	Uniqueness  string  `json:"uniqueness"`
	Sub         []*attr `json:"subAttributes,omitempty"`
}

func (a *attr) sub(name string) *attr { return findAttr(a.Sub, name) }

// findAttr finds an attribute by name, case-insensitively (RFC 7643 §2.1).
func findAttr(list []*attr, name string) *attr {
	for _, a := range list {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

type schemaDef struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Attributes  []*attr `json:"attributes"`
}

func (s *schemaDef) attr(name string) *attr { return findAttr(s.Attributes, name) }

func str(name string, opts ...func(*attr)) *attr {
	a := &attr{Name: name, Type: "string", Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
	for _, o := range opts {
		o(a)
	}
	return a
}

func typ(t string) func(*attr) { return func(a *attr) { a.Type = t } }
func multi(a *attr)            { a.MultiValued = true }
func required(a *attr)         { a.Required = true }
func exact(a *attr)            { a.CaseExact = true }
func readOnly(a *attr)         { a.Mutability = "readOnly" }
func writeOnly(a *attr)        { a.Mutability, a.Returned = "writeOnly", "never" }
func server(a *attr)           { a.Uniqueness = "server" }
func subs(s ...*attr) func(*attr) {
	return func(a *attr) { a.Type, a.Sub = "complex", s }
}

// multiValue is the usual sub-attributes of a multi-valued attribute
// (RFC 7643 §2.4).
func multiValue(name string, extra ...*attr) *attr {
	s := append([]*attr{str("value"), str("display"), str("type"), str("primary", typ("boolean"))}, extra...)
	return str(name, multi, subs(s...))
}

var metaAttr = str("meta", readOnly, subs(str("resourceType", readOnly), str("created", typ("dateTime"), readOnly),
	str("lastModified", typ("dateTime"), readOnly), str("location", typ("reference"), readOnly), str("version", readOnly, exact)))

// userSchema is the core User schema (RFC 7643 §4.1) as Sesame keeps it.
var userSchema = &schemaDef{ID: URNUser, Name: "User", Description: "User Account", Attributes: []*attr{
	str("id", readOnly, exact, server),
	str("externalId", exact),
	str("userName", required, server),
	str("name", subs(str("formatted"), str("familyName"), str("givenName"), str("middleName"), str("honorificPrefix"), str("honorificSuffix"))),
	str("displayName"), str("nickName"), str("profileUrl", typ("reference")), str("title"), str("userType"),
	str("preferredLanguage"), str("locale"), str("timezone"),
	str("active", typ("boolean")),
	str("password", writeOnly),
	multiValue("emails"), multiValue("phoneNumbers"), multiValue("ims"), multiValue("photos"),
	str("addresses", multi, subs(str("formatted"), str("streetAddress"), str("locality"), str("region"), str("postalCode"),
		str("country"), str("type"), str("primary", typ("boolean")))),
	str("groups", multi, readOnly, subs(str("value", readOnly), str("$ref", typ("reference"), readOnly), str("display", readOnly), str("type", readOnly))),
	multiValue("entitlements"), multiValue("roles"), multiValue("x509Certificates"),
	metaAttr,
}}

// enterpriseSchema is the enterprise User extension (RFC 7643 §4.3).
var enterpriseSchema = &schemaDef{ID: URNEnterprise, Name: "EnterpriseUser", Description: "Enterprise User", Attributes: []*attr{
	str("employeeNumber"), str("costCenter"), str("organization"), str("division"), str("department"),
	str("manager", subs(str("value"), str("$ref", typ("reference")), str("displayName", readOnly))),
}}

// groupSchema is the core Group schema (RFC 7643 §4.2); members are users.
var groupSchema = &schemaDef{ID: URNGroup, Name: "Group", Description: "Group", Attributes: []*attr{
	str("id", readOnly, exact, server),
	str("externalId", exact),
	str("displayName", required, server),
	str("members", multi, subs(str("value", exact), str("$ref", typ("reference")), str("display", readOnly), str("type"))),
	metaAttr,
}}

// resource describes a resource type: its schema and extensions.
type resource struct {
	name     string
	endpoint string
	schema   *schemaDef
	exts     []*schemaDef
}

var (
	userResource  = &resource{name: "User", endpoint: "/Users", schema: userSchema, exts: []*schemaDef{enterpriseSchema}}
	groupResource = &resource{name: "Group", endpoint: "/Groups", schema: groupSchema}
)

// ext finds an extension schema by URN (case-insensitively).
func (r *resource) ext(urn string) *schemaDef {
	for _, e := range r.exts {
		if strings.EqualFold(e.ID, urn) {
			return e
		}
	}
	return nil
}

// attrRef is a resolved attribute path: in the core schema (ext nil) or
// an extension, with an optional sub-attribute.
type attrRef struct {
	ext *schemaDef
	a   *attr
	sub *attr
}

// key is the canonical dotted path ("emails.value", "<urn>:department").
func (r attrRef) key() string {
	k := r.a.Name
	if r.sub != nil {
		k += "." + r.sub.Name
	}
	if r.ext != nil {
		return r.ext.ID + ":" + k
	}
	return k
}

// resolve finds an attribute path: [schema URN ":"] name ["." sub].
func (r *resource) resolve(path string) (attrRef, bool) {
	schema, rest := r.schema, path
	if len(path) > 4 && strings.EqualFold(path[:4], "urn:") {
		found := false
		for _, s := range append([]*schemaDef{r.schema}, r.exts...) {
			if len(path) > len(s.ID)+1 && strings.EqualFold(path[:len(s.ID)], s.ID) && path[len(s.ID)] == ':' {
				schema, rest, found = s, path[len(s.ID)+1:], true
				break
			}
		}
		if !found {
			return attrRef{}, false
		}
	}
	name, subName, hasSub := strings.Cut(rest, ".")
	a := schema.attr(name)
	if a == nil {
		return attrRef{}, false
	}
	ref := attrRef{a: a}
	if schema != r.schema {
		ref.ext = schema
	}
	if hasSub {
		if ref.sub = a.sub(subName); ref.sub == nil {
			return attrRef{}, false
		}
	}
	return ref, true
}
