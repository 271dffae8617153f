package scim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// PATCH (RFC 7644 §3.5.2) on a resource document, with the forms real
// clients send: the operation name in any case (Entra ID's "Replace"),
// booleans as strings ("False"), add / replace without path and a value
// object whose keys are attribute paths (enterprise URN paths included),
// value filters (emails[type eq "work"].value, members[value eq "…"]),
// and Entra ID's member removal by a value list.

// patchRequest is the PatchOp message.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// maxPatchOps bounds the operations of one request.
const maxPatchOps = 1000

// applyPatch applies ops in order to doc (changed in place); the caller
// canonicalises the result and writes all or nothing.
func (r *resource) applyPatch(doc map[string]any, req patchRequest) error {
	if len(req.Schemas) != 1 || !strings.EqualFold(req.Schemas[0], urnPatch) {
		return badRequest(typeInvalidSyntax, "a PATCH body has schemas [%q]", urnPatch)
	}
	if len(req.Operations) == 0 {
		return badRequest(typeInvalidSyntax, "a PATCH body has at least one operation")
	}
	if len(req.Operations) > maxPatchOps {
		return errorf(400, typeTooMany, "a PATCH body has at most %d operations", maxPatchOps)
	}
	for i, op := range req.Operations {
		if err := r.applyOp(doc, op); err != nil {
			if se, ok := err.(*Error); ok {
				se.Detail = "operation " + strconv.Itoa(i+1) + ": " + se.Detail
			}
			return err
		}
	}
	return nil
}

func (r *resource) applyOp(doc map[string]any, op patchOp) error {
	kind := strings.ToLower(op.Op)
	if kind != "add" && kind != "replace" && kind != "remove" {
		return badRequest(typeInvalidSyntax, "op must be add, replace or remove, not %q", op.Op)
	}
	if op.Path == "" {
		if kind == "remove" {
			return badRequest(typeNoTarget, "remove needs a path")
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return badRequest(typeInvalidValue, "%s without a path needs an object as value", kind)
		}
		for k, v := range obj {
			if e := r.ext(k); e != nil {
				sub, ok := v.(map[string]any)
				if !ok {
					return badRequest(typeInvalidValue, "%s must be an object", e.ID)
				}
				for sk, sv := range sub {
					if err := r.applyOp(doc, patchOp{Op: kind, Path: e.ID + ":" + sk, Value: sv}); err != nil {
						return err
					}
				}
				continue
			}
			if strings.EqualFold(k, "schemas") {
				continue
			}
			if ref, ok := r.resolve(k); ok && ref.a.Mutability == "readOnly" {
				continue // Okta repeats the id in a replace without path
			}
			if err := r.applyOp(doc, patchOp{Op: kind, Path: k, Value: v}); err != nil {
				return err
			}
		}
		return nil
	}
	attrPart, filterStr, subName, err := splitPath(op.Path)
	if err != nil {
		return err
	}
	lookup := attrPart
	if filterStr == "" && subName != "" {
		lookup += "." + subName
	}
	ref, ok := r.resolve(lookup)
	if !ok {
		return badRequest(typeInvalidPath, "unknown attribute path %q", op.Path)
	}
	if filterStr != "" && subName != "" {
		if ref.sub = ref.a.sub(subName); ref.sub == nil {
			return badRequest(typeInvalidPath, "unknown attribute path %q", op.Path)
		}
	}
	if ref.a.Mutability == "readOnly" || (ref.sub != nil && ref.sub.Mutability == "readOnly") {
		return badRequest(typeMutability, "%s is read-only", ref.key())
	}
	container := doc
	if ref.ext != nil {
		m, _ := doc[ref.ext.ID].(map[string]any)
		if m == nil {
			m = map[string]any{}
			doc[ref.ext.ID] = m
		}
		container = m
	}
	if filterStr != "" {
		if !ref.a.MultiValued || ref.a.Type != "complex" {
			return badRequest(typeInvalidPath, "%s is not a multi-valued attribute: no filter", ref.a.Name)
		}
		f, err := ParseFilter(filterStr)
		if err != nil {
			return badRequest(typeInvalidPath, "path %q: %s", op.Path, err.(*Error).Detail)
		}
		return applyFiltered(container, ref, f, kind, op.Value)
	}
	if ref.sub != nil {
		return applySub(container, ref, kind, op.Value)
	}
	name := ref.a.Name
	if kind == "remove" {
		if list, ok := op.Value.([]any); ok && ref.a.MultiValued {
			// Entra ID removes members by listing them as the value.
			container[name] = removeValues(container[name], list)
			return nil
		}
		delete(container, name)
		return nil
	}
	cv, err := canonValue(ref.a, op.Value, ref.key())
	if err != nil {
		return err
	}
	switch {
	case cv == nil:
		delete(container, name)
	case ref.a.MultiValued && kind == "add":
		container[name] = appendValues(container[name], cv.([]any))
	case ref.a.Type == "complex" && !ref.a.MultiValued:
		old, _ := container[name].(map[string]any)
		if old == nil {
			old = map[string]any{}
		}
		for k, v := range cv.(map[string]any) {
			old[k] = v
		}
		container[name] = old
	default:
		container[name] = cv
	}
	return nil
}

// splitPath cuts "attr[filter].sub" into its parts.
func splitPath(p string) (attrPart, filter, sub string, err error) {
	open := strings.IndexByte(p, '[')
	if open < 0 {
		return p, "", "", nil
	}
	closeAt := strings.LastIndexByte(p, ']')
	if closeAt < open {
		return "", "", "", badRequest(typeInvalidPath, "path %q has an unclosed \"[\"", p)
	}
	rest := p[closeAt+1:]
	if rest != "" {
		if rest[0] != '.' || len(rest) == 1 {
			return "", "", "", badRequest(typeInvalidPath, "path %q: expected .subAttribute after \"]\"", p)
		}
		sub = rest[1:]
	}
	return p[:open], p[open+1 : closeAt], sub, nil
}

// elements reads a multi-valued attribute as objects.
func elements(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func toList(es []map[string]any) any {
	if len(es) == 0 {
		return nil
	}
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// appendValues adds values not there yet (compared by "value" when they
// have one, else as a whole).
func appendValues(old any, add []any) any {
	list, _ := old.([]any)
	seen := map[any]bool{}
	for _, e := range list {
		seen[valueKey(e)] = true
	}
	for _, e := range add {
		k := valueKey(e)
		if seen[k] {
			continue
		}
		seen[k] = true
		list = append(list, e)
	}
	return list
}

func valueKey(e any) any {
	if m, ok := e.(map[string]any); ok {
		if v, ok := m["value"].(string); ok {
			return "v:" + v
		}
	}
	if s, ok := e.(string); ok {
		return "s:" + s
	}
	return reflectKey(e)
}

func reflectKey(e any) any {
	b, _ := json.Marshal(e)
	return "x:" + string(b)
}

// removeValues removes the elements whose "value" is one of list's.
func removeValues(old any, list []any) any {
	drop := map[any]bool{}
	for _, e := range list {
		drop[valueKey(e)] = true
	}
	var keep []map[string]any
	for _, e := range elements(old) {
		if !drop[valueKey(e)] {
			keep = append(keep, e)
		}
	}
	return toList(keep)
}

// applySub handles attr.sub without a filter: a complex attribute's
// sub-attribute, or (multi-valued) that of the primary or first element.
func applySub(container map[string]any, ref attrRef, kind string, value any) error {
	name, sub := ref.a.Name, ref.sub.Name
	var cv any
	if kind != "remove" {
		var err error
		if cv, err = canonValue(ref.sub, value, ref.key()); err != nil {
			return err
		}
	}
	set := func(m map[string]any) {
		if cv == nil {
			delete(m, sub)
		} else {
			m[sub] = cv
		}
	}
	if !ref.a.MultiValued {
		m, _ := container[name].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		set(m)
		if len(m) == 0 {
			delete(container, name)
		} else {
			container[name] = m
		}
		return nil
	}
	es := elements(container[name])
	if len(es) == 0 {
		if cv == nil {
			return nil
		}
		es = append(es, map[string]any{})
	}
	target := es[0]
	for _, e := range es {
		if e["primary"] == true {
			target = e
		}
	}
	set(target)
	container[name] = toList(es)
	return nil
}

// applyFiltered handles attr[filter] and attr[filter].sub.
func applyFiltered(container map[string]any, ref attrRef, f *Node, kind string, value any) error {
	name := ref.a.Name
	es := elements(container[name])
	var matched []int
	for i, e := range es {
		if f.match(e) {
			matched = append(matched, i)
		}
	}
	if kind == "remove" {
		var keep []map[string]any
		hit := map[int]bool{}
		for _, i := range matched {
			hit[i] = true
		}
		for i, e := range es {
			switch {
			case !hit[i]:
				keep = append(keep, e)
			case ref.sub != nil:
				delete(e, ref.sub.Name)
				keep = append(keep, e)
			}
		}
		container[name] = toList(keep)
		return nil
	}
	if len(matched) == 0 {
		// Entra ID replaces emails[type eq "work"].value on users that
		// have no work email yet: the element the filter describes is
		// created.
		if f.Op != "eq" || strings.Contains(f.Path, ".") {
			return badRequest(typeNoTarget, "no value of %s matches the filter", name)
		}
		sa := ref.a.sub(f.Path)
		if sa == nil {
			return badRequest(typeInvalidPath, "unknown attribute %q in the filter", f.Path)
		}
		es = append(es, map[string]any{sa.Name: f.Value})
		matched = []int{len(es) - 1}
	}
	for _, i := range matched {
		if ref.sub != nil {
			cv, err := canonValue(ref.sub, value, ref.key())
			if err != nil {
				return err
			}
			if cv == nil {
				delete(es[i], ref.sub.Name)
			} else {
				es[i][ref.sub.Name] = cv
			}
			continue
		}
		one := *ref.a
		one.MultiValued = false
		cv, err := canonValue(&one, value, name)
		if err != nil {
			return err
		}
		m, ok := cv.(map[string]any)
		if !ok {
			return badRequest(typeInvalidValue, "%s[…] takes an object", name)
		}
		for k, v := range m {
			es[i][k] = v
		}
	}
	container[name] = toList(es)
	return nil
}
