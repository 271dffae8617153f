package adminapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sesame-sso/sesame/internal/model"
)

// codeMediaType is the problem code of a body sent without
// Content-Type: application/json (415, RFC 9110 §15.5.16).
const codeMediaType = "unsupported_media_type"

// strictJSON are the decoding rules (go-json-experiment/json, the
// encoding/json/v2 candidate): member names match the field's name exactly
// (encoding/json matches case-insensitively), a name may appear once per
// object (RFC 8259 §4 leaves duplicates to the parser; last-one-wins lets a
// proxy and Sesame read different requests), unknown names are refused.
var strictJSON = json.JoinOptions(
	json.RejectUnknownMembers(true),
	json.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// decode reads one JSON object strictly: a missing or other Content-Type is
// 415; unknown, duplicate or differently cased member names, trailing data,
// wrong types and oversized bodies are 400s naming the problem.
func decode(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return model.Errorf(codeMediaType, "Content-Type", "send the body as application/json")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return model.Invalid("body", "larger than %d bytes", me.Limit)
		}
		return model.Invalid("body", "could not be read")
	}
	if bytes.Contains(raw, []byte(`\u0000`)) || bytes.IndexByte(raw, 0) >= 0 {
		return model.Invalid("body", "NUL characters are not allowed")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return model.Invalid("body", "a JSON object is required")
	}
	if err := json.Unmarshal(raw, v, strictJSON); err != nil {
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	var (
		se  *jsontext.SyntacticError
		sme *json.SemanticError
	)
	switch {
	case errors.As(err, &se) && errors.Is(se.Err, jsontext.ErrDuplicateName):
		return model.Invalid(field(se.JSONPointer), "duplicate member name")
	case errors.As(err, &se) && errors.Is(se.Err, io.ErrUnexpectedEOF):
		return model.Invalid("body", "truncated JSON")
	case errors.As(err, &se) && se.JSONPointer == "" && se.ByteOffset > 0 && strings.Contains(se.Err.Error(), "after top-level value"):
		return model.Invalid("body", "unexpected data after the JSON object")
	case errors.As(err, &se):
		return model.Invalid("body", "malformed JSON at offset %d", se.ByteOffset)
	case errors.As(err, &sme) && errors.Is(sme.Err, json.ErrUnknownName):
		return model.Invalid(field(sme.JSONPointer), "unknown field (member names are case-sensitive)")
	case errors.As(err, &sme) && sme.JSONPointer == "":
		// The body itself has the wrong type: do not name Go types.
		return model.Invalid("body", "must be a JSON object, not %s", kindName(sme.JSONKind))
	case errors.As(err, &sme) && sme.GoType != nil:
		return model.Invalid(field(sme.JSONPointer), "must be %s, not %s", jsonType(sme.GoType), kindName(sme.JSONKind))
	case errors.As(err, &sme):
		return model.Invalid(field(sme.JSONPointer), "has an invalid value")
	}
	return model.Invalid("body", "invalid JSON")
}

// field turns a JSON Pointer (RFC 6901) into the dotted name the API uses
// in problems ("/person/email" → "person.email").
func field(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		parts = append(parts, tok)
	}
	if len(parts) == 0 {
		return "body"
	}
	return strings.Join(parts, ".")
}

// kindName names a JSON value's kind the way encoding/json did.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "another type"
}

// jsonType names t in JSON terms rather than Go's.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

// page reads offset/limit query parameters.
func page(r *http.Request) (model.Page, error) {
	var p model.Page
	for name, dst := range map[string]*int{"offset": &p.Offset, "limit": &p.Limit} {
		if v := r.URL.Query().Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return p, model.Invalid(name, "must be a non-negative integer")
			}
			*dst = n
		}
	}
	if p.Limit > 500 {
		return p, model.Invalid("limit", "must be at most 500")
	}
	return p.Normalize(), nil
}

// query returns a bounded query parameter.
func query(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if len(v) > 200 {
		return "", model.Invalid(name, "longer than 200 characters")
	}
	if !clean(v) {
		return "", model.Invalid(name, "must be valid UTF-8 without NUL characters")
	}
	return v, nil
}

// list is the envelope of every list answer.
type list[T any] struct {
	Items   []T  `json:"items" doc:"The items of this page."`
	Offset  int  `json:"offset" doc:"How many items were skipped (the offset asked for)." example:"0"`
	Limit   int  `json:"limit" doc:"The page size used (default 50, at most 500)." example:"50"`
	HasMore bool `json:"hasMore" doc:"Whether more items follow: ask again with offset + limit." example:"true"`
}

func newList[T any](items []T, p model.Page, more bool) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Offset: p.Offset, Limit: p.Limit, HasMore: more}
}

func idParam(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if len(v) == 0 || len(v) > 64 || !clean(v) {
		return "", fmt.Errorf("%w", model.ErrNotFound)
	}
	return v, nil
}

// clean reports whether s is valid UTF-8 without NUL bytes (PostgreSQL text
// cannot hold NUL).
func clean(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }
