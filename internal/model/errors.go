package model

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps them to statuses; only EINTERNAL is logged
// with details, the others are the caller's fault and are reported to them.
const (
	ENOTFOUND     = "not_found"
	EINVALID      = "invalid"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	// ETOOMANY: over a brute-force budget (429, R-PWD-3).
	ETOOMANY = "too_many_requests"
	// EUNAVAILABLE: the server cannot take the work now (503).
	EUNAVAILABLE = "unavailable"
)

// Error is an application error with a code, the offending field (if any) and
// a message that is safe to show to the caller.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalid is shorthand for an EINVALID error on field.
func Invalid(field, format string, args ...any) *Error {
	return Errorf(EINVALID, field, format, args...)
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Sentinel errors returned by storage; they carry codes so the HTTP layer can
// map them without knowing about storage.
var (
	ErrNotFound      = &Error{Code: ENOTFOUND, Message: "not found"}
	ErrAlreadyExists = &Error{Code: ECONFLICT, Message: "already exists"}
	// ErrStale: a compare-and-swap update named a version that is no
	// longer current (another writer came first).
	ErrStale = &Error{Code: ECONFLICT, Message: "changed by another request"}
)
