package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/model"
)

// decode reads one JSON object strictly: unknown fields, trailing data,
// wrong types and oversized bodies are 400s naming the problem.
func decode(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return model.Invalid("Content-Type", "send application/json")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		return jsonError(err)
	}
	if bytes.Contains(raw, []byte(`\u0000`)) || bytes.IndexByte(raw, 0) >= 0 {
		return model.Invalid("body", "NUL characters are not allowed")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return model.Invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
		me *http.MaxBytesError
	)
	switch {
	case errors.Is(err, io.EOF):
		return model.Invalid("body", "a JSON object is required")
	case errors.As(err, &me):
		return model.Invalid("body", "larger than %d bytes", me.Limit)
	case errors.As(err, &se):
		return model.Invalid("body", "malformed JSON at offset %d", se.Offset)
	case errors.As(err, &te) && te.Field == "":
		// The body itself has the wrong type: do not name Go types.
		return model.Invalid("body", "must be a JSON object, not %s", te.Value)
	case errors.As(err, &te):
		return model.Invalid(te.Field, "must be %s, not %s", jsonType(te.Type), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return model.Invalid(f, "unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return model.Invalid("body", "truncated JSON")
	}
	return model.Invalid("body", "invalid JSON: %v", err)
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
	Items   []T  `json:"items"`
	Offset  int  `json:"offset"`
	Limit   int  `json:"limit"`
	HasMore bool `json:"hasMore"`
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
