package authn

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// ErrBadCredentials is the one answer to every failed login: it never says
// whether the login name exists (SPEC.md §8, user enumeration).
var ErrBadCredentials = model.Errorf(model.EUNAUTHORIZED, "", "invalid credentials")

// Authenticate checks a local user's login name and password. The login is
// "name" for a user of the root context or "slug/name" for a user of the
// tenant with that slug (see findLogin). Unknown users cost a dummy hash, so
// timing does not tell them apart. Over the brute-force budget the answer
// is a *throttle.Limited (ETOOMANY) before any hashing; a busy hasher
// answers EUNAVAILABLE.
func (s *Service) Authenticate(ctx context.Context, login, pw string) (model.User, error) {
	u, found, err := s.findLogin(ctx, login)
	if err != nil {
		return model.User{}, err
	}
	// R-PWD-3: counted per account — the user, or an unknown name as typed,
	// so unknown names lock like known ones — and per source.
	hash, account := "", throttle.LoginKey(unknownLoginKey(login))
	if found {
		hash, account = u.PasswordHash, throttle.UserKey(u.ID)
	}
	if err := s.verifyThrottled(ctx, account, hash, pw); err != nil {
		return model.User{}, err
	}
	if u.Kind != model.KindLocal || u.Status != model.StatusActive {
		return model.User{}, ErrBadCredentials
	}
	if s.rehash != nil {
		s.rehash(ctx, u, pw) // issue 9 §2.4: bcrypt / older argon2id → current argon2id
	}
	return u, nil
}

// findLogin resolves the tenant first, then the user inside it (issue 8,
// item 7): "slug/name" names the tenant by its unique, immutable slug; a
// plain "name" is a user of the root context (the default tenant, R-CTX-2).
// There is no instance-wide name match another tenant could make ambiguous.
// The lookup is one UNIQUE (tenant_id, login_lc) probe with the PRECIS key.
func (s *Service) findLogin(ctx context.Context, login string) (model.User, bool, error) {
	// NUL and invalid UTF-8 cannot be a login name (and PostgreSQL would
	// refuse the query: a store failure, not a wrong name).
	if len(login) == 0 || len(login) > 400 || !utf8.ValidString(login) || strings.IndexByte(login, 0) >= 0 {
		return model.User{}, false, nil
	}
	slug, name, ok := splitLogin(login)
	if !ok {
		return model.User{}, false, nil
	}
	u, err := s.store.UserBySlugLogin(ctx, slug, name)
	if errors.Is(err, model.ErrNotFound) {
		return model.User{}, false, nil
	}
	if err != nil {
		return model.User{}, false, err
	}
	return u, true, nil
}

// loginTenant splits a login into the id of the tenant it names and the
// user name; ok is false when the tenant does not exist or the login is
// malformed.
func (s *Service) loginTenant(ctx context.Context, login string) (tenantID, name string, ok bool, err error) {
	slug, name, ok := splitLogin(login)
	if !ok {
		return "", "", false, nil
	}
	t, err := s.store.TenantBySlug(ctx, slug)
	if errors.Is(err, model.ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return t.ID, name, true, nil
}

// splitLogin splits a login into the slug of its tenant (root's for a
// plain name) and the name; ok is false for a malformed login.
func splitLogin(login string) (slug, name string, ok bool) {
	if len(login) == 0 || len(login) > 400 {
		return "", "", false
	}
	slug, name, scoped := identity.SplitLogin(login)
	if !scoped {
		slug = identity.RootSlug
	}
	return slug, name, name != ""
}

// ScopedLogin is the login typed on a tenant's login page (/login?tenant=
// slug): a plain name there is that tenant's user; "slug/name" stays as
// typed.
func ScopedLogin(tenantSlug, login string) string {
	if tenantSlug == "" || strings.Contains(login, "/") {
		return login
	}
	return tenantSlug + "/" + login
}

// unknownLoginKey is the throttle key of a login that names no user: its
// tenant slug and PRECIS key (RFC 8265 §3.3), so "Ghost", "GHOST" and
// "ｇｈｏｓｔ" share one budget (R-PWD-3); a name PRECIS refuses is
// counted as typed.
func unknownLoginKey(login string) string {
	slug, name, ok := splitLogin(login)
	if !ok {
		return login
	}
	if key, err := identity.LoginKey(name); err == nil {
		return slug + "/" + key
	}
	return login
}
