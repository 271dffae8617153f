package directory

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// validateValues checks ACL values against the catalog: the ACL exists, is
// not a user preference (R-ACL-2), booleans are "true"/"false", and
// API IP Allow holds valid CIDRs (R-ACL-3).
func validateValues(ctx context.Context, st storage.Storage, values []model.ACLValue) error {
	acls, err := st.ListACLs(ctx, "")
	if err != nil {
		return err
	}
	byRef := make(map[model.ACLRef]model.ACL, len(acls))
	for _, a := range acls {
		byRef[a.Ref()] = a
	}
	seen := map[model.ACLRef]bool{}
	for _, v := range values {
		if err := validateValue(byRef, v); err != nil {
			return err
		}
		if seen[v.Ref()] {
			return model.Invalid("values", "ACL %s is set twice", v.Ref())
		}
		seen[v.Ref()] = true
	}
	return nil
}

func validateValue(byRef map[model.ACLRef]model.ACL, v model.ACLValue) error {
	if !utf8.ValidString(v.Value) || strings.IndexByte(v.Value, 0) >= 0 {
		return model.Invalid("values", "%s: value must be valid UTF-8 without NUL characters", v.Ref())
	}
	acl, ok := byRef[v.Ref()]
	if !ok {
		return model.Invalid("values", "unknown ACL %s", v.Ref())
	}
	if acl.IsPreference() {
		return model.Invalid("values", "%s is a user preference, not an access right", v.Ref())
	}
	switch acl.Type {
	case model.ACLBoolean:
		if v.Value != "true" && v.Value != "false" {
			return model.Invalid("values", "%s is boolean: value must be true or false, not %q", v.Ref(), v.Value)
		}
	case model.ACLText:
		if len(v.Value) > 4096 {
			return model.Invalid("values", "%s: value is longer than 4096 characters", v.Ref())
		}
		if acl.Module == model.ModulePortal && acl.Name == model.ACLAPIIPAllow {
			if err := access.ValidateCIDRList(v.Value); err != nil {
				return model.Invalid("values", "%s: %v", v.Ref(), err)
			}
		}
	}
	return nil
}
