package scim

import (
	"errors"
	"strings"
	"testing"
)

// TestParseFilter: the RFC 7644 §3.4.2.2 examples parse with the right
// precedence; bad filters name the position.
func TestParseFilter(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`userName Eq "john"`, `(eq userName "john")`},
		{`title pr`, `(pr title)`},
		{`title pr and userType eq "Employee"`, `(and (pr title) (eq userType "Employee"))`},
		{`title pr or userType eq "Intern"`, `(or (pr title) (eq userType "Intern"))`},
		{`a eq "1" or b eq "2" and c eq "3"`, `(or (eq a "1") (and (eq b "2") (eq c "3")))`},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			`(and (eq userType "Employee") (or (co emails "example.com") (co emails.value "example.org")))`},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			`(and (ne userType "Employee") (not (or (co emails "example.com") (co emails.value "example.org"))))`},
		{`emails[type eq "work" and value co "@example.com"]`, `([] emails (and (eq type "work") (co value "@example.com")))`},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, `(gt meta.lastModified "2011-05-13T04:42:34Z")`},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `(sw urn:ietf:params:scim:schemas:core:2.0:User:userName "J")`},
		{`active eq true and x eq null`, `(and (eq active true) (eq x null))`},
		{`userName eq "a \"quoted\" name"`, `(eq userName "a \"quoted\" name")`},
	} {
		n, err := ParseFilter(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := dump(n); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, pos string }{
		{`userName eq`, "position 12"},
		{`userName`, "position 9"},
		{`userName eq "x" and`, "position 20"},
		{`(userName eq "x"`, "position 17"},
		{`emails[type eq "work"`, "position 22"},
		{`userName eq "x" xx`, "position 17"},
		{`"x" eq userName`, "position 1"},
		{`user;Name eq "x"`, "position 1"},
		{`userName eq 'x'`, "position 13"},
		{`ünïcode eq "x" junk`, "position 1"},
		{strings.Repeat(`a eq "1" or `, 70) + `a eq "1"`, "more than 64 terms"},
	} {
		_, err := ParseFilter(tc.in)
		var se *Error
		if !errors.As(err, &se) || se.ScimType != typeInvalidFilter || !strings.Contains(se.Detail, tc.pos) {
			t.Errorf("%s: %v, want invalidFilter naming %s", tc.in, err, tc.pos)
		}
	}
}

func dump(n *Node) string {
	switch n.Op {
	case "and", "or":
		return "(" + n.Op + " " + dump(n.Args[0]) + " " + dump(n.Args[1]) + ")"
	case "not":
		return "(not " + dump(n.Args[0]) + ")"
	case "[]":
		return "([] " + n.Path + " " + dump(n.Args[0]) + ")"
	case "pr":
		return "(pr " + n.Path + ")"
	}
	v := "null"
	switch x := n.Value.(type) {
	case string:
		v = `"` + strings.ReplaceAll(x, `"`, `\"`) + `"`
	case bool:
		v = map[bool]string{true: "true", false: "false"}[x]
	}
	return "(" + n.Op + " " + n.Path + " " + v + ")"
}

// FuzzParseFilter: any input is a tree or an invalidFilter error, never a
// panic; the mapping onto the store's fields never panics either.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`userName eq "john"`, `emails[type eq "work"]`, `not (a pr)`, `(`, `a eq "`, `meta.created gt "2020-01-01T00:00:00Z"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseFilter(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.ScimType != typeInvalidFilter {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		for _, r := range []*resource{userResource, groupResource} {
			if _, err := r.toCond(n, ""); err != nil {
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("%q: %v", s, err)
				}
			}
		}
	})
}

// FuzzPatchPath: any PATCH path on a user document is applied or refused
// with a SCIM error, never a panic.
func FuzzPatchPath(f *testing.F) {
	for _, s := range []string{`emails[type eq "work"].value`, `name.familyName`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`,
		`members[value eq "x"]`, `emails[`, `a]b`, `emails[type eq "work"]x`} {
		f.Add(s, "replace")
	}
	f.Fuzz(func(t *testing.T, path, op string) {
		doc := map[string]any{"userName": "a", "emails": []any{map[string]any{"value": "a@b.c", "type": "work"}}}
		err := userResource.applyPatch(doc, patchRequest{Schemas: []string{urnPatch}, Operations: []patchOp{{Op: op, Path: path, Value: "v"}}})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("%q %q: %v", path, op, err)
			}
			return
		}
		if _, err := userResource.canon(doc); err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("%q %q: canon: %v", path, op, err)
			}
		}
	})
}
