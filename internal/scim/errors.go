package scim

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sesame-sso/sesame/internal/model"
)

// scimType values (RFC 7644 §3.12, table 9).
const (
	typeInvalidFilter = "invalidFilter"
	typeTooMany       = "tooMany"
	typeUniqueness    = "uniqueness"
	typeMutability    = "mutability"
	typeInvalidSyntax = "invalidSyntax"
	typeInvalidPath   = "invalidPath"
	typeNoTarget      = "noTarget"
	typeInvalidValue  = "invalidValue"
)

// Error is a SCIM error answer (RFC 7644 §3.12).
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string { return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail) }

func errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func badRequest(scimType, format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, scimType, format, args...)
}

// errNotFound is the answer for anything missing or outside the tenant.
func errNotFound(what string) *Error {
	return errorf(http.StatusNotFound, "", "%s not found", what)
}

// asSCIM maps an error of the directory (model.Error codes) onto a SCIM
// error; ok is false for failures of the store (the caller logs them and
// answers 503).
func asSCIM(err error) (*Error, bool) {
	var se *Error
	if errors.As(err, &se) {
		return se, true
	}
	var me *model.Error
	if !errors.As(err, &me) && !errors.Is(err, model.ErrNotFound) {
		return nil, false
	}
	detail := err.Error()
	if me != nil {
		detail = me.Message
		if me.Field != "" {
			detail = me.Field + ": " + me.Message
		}
	}
	switch model.ErrorCode(err) {
	case model.ENOTFOUND:
		return errorf(http.StatusNotFound, "", "not found"), true
	case model.EINVALID:
		return errorf(http.StatusBadRequest, typeInvalidValue, "%s", detail), true
	case model.ECONFLICT:
		if me != nil && (me.Field == "loginName" || me.Field == "name" || me.Field == "displayName" || me.Field == "externalId") {
			return errorf(http.StatusConflict, typeUniqueness, "%s", detail), true
		}
		return errorf(http.StatusConflict, "", "%s", detail), true
	case model.EFORBIDDEN:
		return errorf(http.StatusForbidden, "", "%s", detail), true
	case model.EUNAUTHORIZED:
		return errorf(http.StatusUnauthorized, "", "%s", detail), true
	case model.ETOOMANY:
		return errorf(http.StatusTooManyRequests, "", "%s", detail), true
	}
	return nil, false
}
