package scim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/storage"
)

// List parameters (RFC 7644 §3.4.2): filter, startIndex/count paging,
// sortBy/sortOrder, attributes/excludedAttributes. The filter is mapped
// onto the store's fields here and runs as SQL there
// (sqlstore/scim.go): only attributes with an index behind them can be
// filtered; anything else is 400 invalidFilter naming the position.

const (
	defaultCount = 100
	// maxCount is ServiceProviderConfig's filter.maxResults: a larger
	// count gets this many (RFC 7644 §3.4.2.4).
	maxCount = 200
)

type listParams struct {
	where              *storage.SCIMCond
	sortBy             string
	desc               bool
	startIndex, count  int
	attrs, excludeAttr []string
}

// userFilterFields maps canonical attribute paths onto user fields.
var userFilterFields = map[string]string{
	"id": storage.FieldID, "userName": storage.FieldUserName, "externalId": storage.FieldExternalID,
	"name.givenName": storage.FieldGivenName, "name.familyName": storage.FieldFamilyName,
	"emails": storage.FieldEmail, "emails.value": storage.FieldEmail,
	"phoneNumbers": storage.FieldPhone, "phoneNumbers.value": storage.FieldPhone,
	"preferredLanguage": storage.FieldLanguage, "active": storage.FieldActive,
	"meta.created": storage.FieldCreated, "meta.lastModified": storage.FieldModified,
}

// userIndexed are the attribute paths kept as SCIM values (scim_values):
// filterable through their index.
var userIndexed = []string{"displayName", "nickName", "title", "userType", "name.formatted",
	URNEnterprise + ":employeeNumber", URNEnterprise + ":costCenter", URNEnterprise + ":organization",
	URNEnterprise + ":division", URNEnterprise + ":department", URNEnterprise + ":manager.value"}

var groupFilterFields = map[string]string{
	"id": storage.FieldID, "displayName": storage.FieldDisplayName, "externalId": storage.FieldExternalID,
	"members": storage.FieldMember, "members.value": storage.FieldMember,
	"meta.created": storage.FieldCreated, "meta.lastModified": storage.FieldModified,
}

func (r *resource) field(key string) (string, bool) {
	if r == groupResource {
		f, ok := groupFilterFields[key]
		return f, ok
	}
	if f, ok := userFilterFields[key]; ok {
		return f, true
	}
	for _, k := range userIndexed {
		if k == key {
			return storage.FieldValue + key, true
		}
	}
	return "", false
}

// toCond maps a parsed filter onto the store's fields.
func (r *resource) toCond(n *Node, prefix string) (*storage.SCIMCond, error) {
	switch n.Op {
	case "and", "or", "not":
		c := &storage.SCIMCond{Op: n.Op}
		for _, a := range n.Args {
			ac, err := r.toCond(a, prefix)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, ac)
		}
		return c, nil
	case "[]":
		if prefix != "" {
			return nil, filterError(n.Pos, "value filters cannot be nested")
		}
		return r.toCond(n.Args[0], n.Path+".")
	}
	ref, ok := r.resolve(prefix + n.Path)
	if !ok {
		return nil, filterError(n.Pos, "unknown attribute %q", prefix+n.Path)
	}
	field, ok := r.field(ref.key())
	if !ok {
		return nil, filterError(n.Pos, "%q cannot be filtered on (filterable: %s)", ref.key(), r.filterable())
	}
	if n.Op == "pr" {
		return &storage.SCIMCond{Op: "pr", Field: field}, nil
	}
	if n.Value == nil {
		pr := &storage.SCIMCond{Op: "pr", Field: field}
		switch n.Op {
		case "eq":
			return &storage.SCIMCond{Op: "not", Args: []*storage.SCIMCond{pr}}, nil
		case "ne":
			return pr, nil
		}
		return nil, filterError(n.Pos, "null compares with eq or ne only")
	}
	c := &storage.SCIMCond{Op: n.Op, Field: field}
	switch field {
	case storage.FieldActive:
		b, ok := n.Value.(bool)
		if !ok || (n.Op != "eq" && n.Op != "ne") {
			return nil, filterError(n.Pos, "active compares with eq or ne and true or false")
		}
		if n.Op == "ne" {
			b = !b
		}
		c.Op, c.Value = "eq", b
	case storage.FieldCreated, storage.FieldModified:
		s, _ := n.Value.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, filterError(n.Pos, "%s compares with a date-time such as \"2026-01-31T12:00:00Z\"", ref.key())
		}
		if n.Op == "co" || n.Op == "sw" || n.Op == "ew" {
			return nil, filterError(n.Pos, "%s compares with eq, ne, gt, ge, lt or le", ref.key())
		}
		if n.Op == "ne" {
			c.Op = "eq"
			c.Value = t
			return &storage.SCIMCond{Op: "not", Args: []*storage.SCIMCond{c}}, nil
		}
		c.Value = t
	default:
		s, ok := n.Value.(string)
		if !ok {
			return nil, filterError(n.Pos, "%s compares with a string", ref.key())
		}
		c.Value = s
	}
	return c, nil
}

func (r *resource) filterable() string {
	var out []string
	if r == groupResource {
		out = []string{"id", "displayName", "externalId", "members.value", "meta.created", "meta.lastModified"}
	} else {
		out = append([]string{"id", "userName", "externalId", "name.givenName", "name.familyName", "emails.value",
			"phoneNumbers.value", "preferredLanguage", "active", "meta.created", "meta.lastModified"}, userIndexed...)
	}
	return strings.Join(out, ", ")
}

// userSort and groupSort are what lists sort by.
var (
	userSort = map[string]string{
		"id": storage.FieldID, "userName": storage.FieldUserName, "externalId": storage.FieldExternalID,
		"name.givenName": storage.FieldGivenName, "name.familyName": storage.FieldFamilyName,
		"emails": storage.FieldEmail, "emails.value": storage.FieldEmail,
		"meta.created": storage.FieldCreated, "meta.lastModified": storage.FieldModified,
	}
	groupSort = map[string]string{"id": storage.FieldID, "displayName": storage.FieldDisplayName,
		"meta.created": storage.FieldCreated, "meta.lastModified": storage.FieldModified}
)

// parseList reads the list parameters of a query.
func (r *resource) parseList(q map[string][]string) (listParams, error) {
	get := func(k string) string {
		for key, v := range q {
			if strings.EqualFold(key, k) && len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	p := listParams{startIndex: 1, count: defaultCount}
	if f := get("filter"); f != "" {
		n, err := ParseFilter(f)
		if err != nil {
			return p, err
		}
		if p.where, err = r.toCond(n, ""); err != nil {
			return p, err
		}
	}
	// RFC 7644 §3.4.2.4: startIndex < 1 is 1, a negative count is 0.
	if s := get("startIndex"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			return p, badRequest(typeInvalidValue, "startIndex must be an integer")
		}
		p.startIndex = max(v, 1)
	}
	if s := get("count"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			return p, badRequest(typeInvalidValue, "count must be an integer")
		}
		p.count = min(max(v, 0), maxCount)
	}
	if s := get("sortBy"); s != "" {
		ref, ok := r.resolve(s)
		sorts := userSort
		if r == groupResource {
			sorts = groupSort
		}
		field := ""
		if ok {
			field = sorts[ref.key()]
		}
		if field == "" {
			return p, badRequest(typeInvalidValue, "cannot sort by %q", s)
		}
		p.sortBy = field
	}
	switch strings.ToLower(get("sortOrder")) {
	case "", "ascending":
	case "descending":
		p.desc = true
	default:
		return p, badRequest(typeInvalidValue, "sortOrder is ascending or descending")
	}
	p.attrs = splitList(get("attributes"))
	p.excludeAttr = splitList(get("excludedAttributes"))
	return p, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// project applies attributes / excludedAttributes (RFC 7644 §3.4.2.5) to
// a document; id and schemas are always returned.
func (r *resource) project(doc map[string]any, attrs, excluded []string) map[string]any {
	if len(attrs) > 0 {
		out := map[string]any{"id": doc["id"], "schemas": doc["schemas"]}
		for _, a := range attrs {
			if e := r.ext(a); e != nil {
				if v, ok := doc[e.ID]; ok {
					out[e.ID] = v
				}
				continue
			}
			ref, ok := r.resolve(a)
			if !ok {
				continue
			}
			src, dst := doc, out
			if ref.ext != nil {
				src, _ = doc[ref.ext.ID].(map[string]any)
				d, _ := out[ref.ext.ID].(map[string]any)
				if d == nil {
					d = map[string]any{}
					out[ref.ext.ID] = d
				}
				dst = d
			}
			v, ok := src[ref.a.Name]
			if !ok {
				continue
			}
			if ref.sub == nil {
				dst[ref.a.Name] = v
				continue
			}
			dst[ref.a.Name] = pick(v, dst[ref.a.Name], ref.sub.Name)
		}
		return out
	}
	if len(excluded) == 0 {
		return doc
	}
	for _, a := range excluded {
		if e := r.ext(a); e != nil {
			delete(doc, e.ID)
			continue
		}
		ref, ok := r.resolve(a)
		if !ok || ref.a.Name == "id" {
			continue
		}
		src := doc
		if ref.ext != nil {
			src, _ = doc[ref.ext.ID].(map[string]any)
		}
		if src == nil {
			continue
		}
		if ref.sub == nil {
			delete(src, ref.a.Name)
			continue
		}
		if m, ok := src[ref.a.Name].(map[string]any); ok {
			delete(m, ref.sub.Name)
		}
		for _, e := range elements(src[ref.a.Name]) {
			delete(e, ref.sub.Name)
		}
	}
	return doc
}

// pick copies sub-attribute sub of v (an object or a list of objects)
// into have (what was picked before from the same attribute).
func pick(v, have any, sub string) any {
	switch x := v.(type) {
	case map[string]any:
		m, _ := have.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		if sv, ok := x[sub]; ok {
			m[sub] = sv
		}
		return m
	case []any:
		prev, _ := have.([]any)
		out := make([]any, len(x))
		for i, e := range x {
			var h any
			if i < len(prev) {
				h = prev[i]
			}
			out[i] = pick(e, h, sub)
		}
		return out
	}
	return have
}

// queryOf reads the query string (POST /.search is not offered).
func queryOf(r *http.Request) url.Values { return r.URL.Query() }
