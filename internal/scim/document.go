package scim

import (
	"fmt"
	"strings"
)

// A resource is handled as a document (map of canonical attribute names):
// POST and PUT bodies are canonicalised, PATCH edits the stored resource's
// document, and users.go / groups.go turn documents into directory writes.

// canon validates and canonicalises a resource document: known attributes
// only (anything else is 400 invalidValue naming it), canonical names,
// values of the declared type ("True" / "False" accepted for booleans, as
// Entra ID sends them). Read-only attributes are dropped (RFC 7644
// §3.5.1), so are write-only ones (password: Sesame's SCIM users sign in
// through their IdP or set their password themselves).
func (r *resource) canon(in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range in {
		if strings.EqualFold(k, "schemas") {
			list, ok := v.([]any)
			if !ok {
				return nil, badRequest(typeInvalidValue, "schemas must be a list of schema URNs")
			}
			for _, s := range list {
				s, _ := s.(string)
				if !strings.EqualFold(s, r.schema.ID) && r.ext(s) == nil {
					return nil, badRequest(typeInvalidValue, "unknown schema %q for a %s", s, r.name)
				}
			}
			continue
		}
		if e := r.ext(k); e != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, badRequest(typeInvalidValue, "%s must be an object", e.ID)
			}
			eo := map[string]any{}
			for ek, ev := range obj {
				a := e.attr(ek)
				if a == nil {
					return nil, badRequest(typeInvalidValue, "unknown attribute %q of %s", ek, e.ID)
				}
				cv, err := canonValue(a, ev, e.ID+":"+a.Name)
				if err != nil {
					return nil, err
				}
				if cv != nil && a.Mutability != "readOnly" {
					eo[a.Name] = cv
				}
			}
			if len(eo) > 0 {
				out[e.ID] = eo
			}
			continue
		}
		a := r.schema.attr(k)
		if a == nil {
			return nil, badRequest(typeInvalidValue, "unknown attribute %q of a %s", k, r.name)
		}
		cv, err := canonValue(a, v, a.Name)
		if err != nil {
			return nil, err
		}
		if cv == nil || a.Mutability == "readOnly" || a.Mutability == "writeOnly" {
			if a.Name == "id" {
				out["id"] = cv // checked by the caller
			}
			continue
		}
		out[a.Name] = cv
	}
	return out, nil
}

// canonValue checks one value against its definition; nil (JSON null, an
// empty list) means "no value".
func canonValue(a *attr, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.MultiValued {
		list, ok := v.([]any)
		if !ok {
			// A single value where a list is expected: one element.
			list = []any{v}
		}
		if limit := maxValuesOf(a); len(list) > limit {
			return nil, errorf(400, typeTooMany, "%s has more than %d values", path, limit)
		}
		out := make([]any, 0, len(list))
		primaries := 0
		for i, e := range list {
			one := *a
			one.MultiValued = false
			cv, err := canonValue(&one, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if cv == nil {
				continue
			}
			if m, ok := cv.(map[string]any); ok && m["primary"] == true {
				primaries++
			}
			out = append(out, cv)
		}
		if primaries > 1 {
			return nil, badRequest(typeInvalidValue, "%s has more than one primary value", path)
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	switch a.Type {
	case "complex":
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, badRequest(typeInvalidValue, "%s must be an object", path)
		}
		out := map[string]any{}
		for k, sv := range obj {
			s := a.sub(k)
			if s == nil {
				return nil, badRequest(typeInvalidValue, "unknown attribute %q of %s", k, path)
			}
			cv, err := canonValue(s, sv, path+"."+s.Name)
			if err != nil {
				return nil, err
			}
			if cv != nil {
				out[s.Name] = cv
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case "boolean":
		b, ok := asBool(v)
		if !ok {
			return nil, badRequest(typeInvalidValue, "%s must be true or false", path)
		}
		return b, nil
	default:
		s, ok := v.(string)
		if !ok {
			return nil, badRequest(typeInvalidValue, "%s must be a string", path)
		}
		if len(s) > maxValueLen {
			return nil, badRequest(typeInvalidValue, "%s is longer than %d bytes", path, maxValueLen)
		}
		if s == "" {
			return nil, nil
		}
		return s, nil
	}
}

// Bounds on a document's values.
const (
	maxMultiValues = 100
	// maxMembers bounds a group's members in one request (batches of
	// hundreds are normal, issue 12 §3).
	maxMembers  = 10_000
	maxValueLen = 2048
)

func maxValuesOf(a *attr) int {
	if a.Name == "members" {
		return maxMembers
	}
	return maxMultiValues
}
