package directory

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// ErrBadCredentials is the one answer to every failed login: it never says
// whether the login name exists (SPEC.md §8, user enumeration).
var ErrBadCredentials = model.Errorf(model.EUNAUTHORIZED, "", "invalid credentials")

// Authenticate checks a local user's login name and password. The login is
// "name" when the name is unique across tenants, or "tenant/name" where
// tenant is the tenant context's id, number or name. Unknown users cost a
// dummy hash, so timing does not tell them apart. Over the brute-force
// budget the answer is a *throttle.Limited (ETOOMANY) before any hashing;
// a busy hasher answers EUNAVAILABLE.
func (s *Service) Authenticate(ctx context.Context, login, pw string) (model.User, error) {
	u, found, err := s.findLogin(ctx, login)
	if err != nil {
		return model.User{}, err
	}
	// R-PWD-3: counted per account — the user, or an unknown name as typed,
	// so unknown names lock like known ones — and per source.
	hash, account := "", throttle.LoginKey(login)
	if found {
		hash, account = u.PasswordHash, throttle.UserKey(u.ID)
	}
	if err := s.verifyThrottled(ctx, account, hash, pw); err != nil {
		return model.User{}, err
	}
	if u.Kind != model.KindLocal || u.Status != model.StatusActive {
		return model.User{}, ErrBadCredentials
	}
	return u, nil
}

func (s *Service) findLogin(ctx context.Context, login string) (model.User, bool, error) {
	// NUL and invalid UTF-8 cannot be a login name (and PostgreSQL would
	// refuse the query: a store failure, not a wrong name).
	if len(login) == 0 || len(login) > 400 || !utf8.ValidString(login) || strings.IndexByte(login, 0) >= 0 {
		return model.User{}, false, nil
	}
	tenantRef, name, scoped := strings.Cut(login, "/")
	if !scoped {
		name = tenantRef
	}
	us, _, err := s.store.ListUsers(ctx, model.UserFilter{LoginName: name, Page: model.Page{Limit: 10}})
	if err != nil {
		return model.User{}, false, err
	}
	var match []model.User
	for _, u := range us {
		if !scoped {
			match = append(match, u)
			continue
		}
		t, err := s.store.GetContext(ctx, u.TenantID)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return model.User{}, false, err
		}
		if t.ID == tenantRef || (t.Number != "" && strings.EqualFold(t.Number, tenantRef)) || strings.EqualFold(t.Name, tenantRef) {
			match = append(match, u)
		}
	}
	if len(match) != 1 {
		return model.User{}, false, nil
	}
	return match[0], true, nil
}
