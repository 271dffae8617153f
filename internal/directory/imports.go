package directory

import (
	"context"
	"encoding/hex"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// The writes `sesame apply` (internal/declarative) makes besides the CRUD
// methods: each validated and audited in the caller's transaction, so the
// loader never writes the store itself (DESIGN note 3).

// Reader returns the read half of the store this Service works on (the
// transaction's inside InTx): the declarative loader finds what exists
// through it. Every write goes through a Service method.
func (s *Service) Reader() storage.DirectoryReader { return s.store }

// PasswordMatches reports whether pw is the password hash stands for
// (`sesame apply` leaves a user's password alone when it still matches).
func (s *Service) PasswordMatches(ctx context.Context, hash, pw string) bool {
	return s.hasher.Verify(ctx, hash, pw) == nil
}

// ImportPasswordHash sets a user's password hash as given by `sesame apply`
// (issue 8 item 3: system actors only, parameters in the hasher's band;
// CheckImportedHash), audited as user.password_import.
func (s *Service) ImportPasswordHash(ctx context.Context, a Actor, id, hash string) error {
	if err := s.CheckImportedHash(a, hash); err != nil {
		return err
	}
	defer s.users.forget()
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := st.UpdateUser(ctx, id, func(x model.User) (model.User, error) {
			x.PasswordHash, x.PasswordSetAt = hash, s.now()
			return x, nil
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.password_import", "user", id, firstContext(u), nil)
	})
}

// SetClientSecretHash stores a confidential client's secret as its hash
// (SecretHash: SHA-256 in hex, as export writes it), audited as
// client.secret_set. It needs "Clients - Manage" at the root.
func (s *Service) SetClientSecretHash(ctx context.Context, a Actor, id, hash string) (model.Client, error) {
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		return model.Client{}, model.Invalid("secretHash", "must be the SHA-256 of the secret in hex (64 characters)")
	}
	var out model.Client
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, catalog.ClientsManage); err != nil {
			return err
		}
		var err error
		out, err = st.UpdateClient(ctx, id, func(x model.Client) (model.Client, error) {
			if x.Protocol != model.ProtocolOIDC || x.Public {
				return x, model.Invalid("secretHash", "only confidential OIDC clients have a secret")
			}
			x.SecretHash = hash
			return x, nil
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "client.secret_set", "client", id, "", nil)
	})
	return out, err
}

// SetUserRoles replaces a user's external role names (the roles a delegated
// user's IdP asserts, or `sesame apply` lists); they feed effective rights
// (R-EFF-*), so the change is audited as user.roles_set and forgets the
// rights caches. It needs "CAS users - Create or Modify" on the user.
func (s *Service) SetUserRoles(ctx context.Context, a Actor, id string, roles []model.RoleAssignment) error {
	defer s.users.forget()
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := s.userToChange(ctx, st, a, rightUsersWrite, id)
		if err != nil {
			return err
		}
		if err := st.SetUserRoles(ctx, id, roles); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.roles_set", "user", id, firstContext(u), map[string]any{"roles": len(roles)})
	})
}
