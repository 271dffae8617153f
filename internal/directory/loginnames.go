package directory

import (
	"context"
	"regexp"
	"strings"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

var loginRE = regexp.MustCompile(`^[\p{L}\p{N}._@+-]{1,200}$`)

// checkLoginName normalises a new login name with the PRECIS
// UsernameCasePreserved profile (RFC 8265 §3.4: width mapping, NFC; its
// comparison key is UsernameCaseMapped, §3.3) and checks Sesame's own
// alphabet on the result: letters, digits and . _ @ + -, not "deleted-…"
// (the anonymized names), no "/" (it separates the tenant slug).
func checkLoginName(in string) (string, error) {
	const rule = "must be 1 to 200 letters, digits or . _ @ + - (a user name in the sense of RFC 8265, not starting with deleted-)"
	name, err := identity.DisplayName(strings.TrimSpace(in))
	if err != nil || !loginRE.MatchString(name) || strings.HasPrefix(identity.LoginKeyOrLower(name), "deleted-") {
		return "", model.Invalid("loginName", rule)
	}
	return name, nil
}

// errLoginTaken: the name, or one that looks like it (UTS #39 skeleton; a
// deleted user's name counts), belongs to another user of the tenant.
func errLoginTaken(name string) error {
	return model.Errorf(model.ECONFLICT, "loginName",
		"login name %q is taken in this tenant, or looks like one that is (UTS #39 confusables), or belonged to a deleted user", name)
}

// refuseRename enforces the stability of CAS tenantLogin principals (issue
// 8, item 1): while any CAS service identifies users as "slug/login", no
// user is renamed, since the service would see a new principal (or, after
// a swap, another user under an old one). Services keyed on the user id
// (the default) are unaffected by renames.
func refuseRename(ctx context.Context, st storage.Storage) error {
	cs, err := st.ListClients(ctx, model.ProtocolCAS)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.CASPrincipal == model.CASPrincipalTenantLogin {
			return model.Errorf(model.ECONFLICT, "loginName",
				"login names cannot change while a CAS service (%q) identifies users by tenant and login name", c.Name)
		}
	}
	return nil
}
