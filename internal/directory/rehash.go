package directory

import (
	"context"
	"errors"
	"strings"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// errHashChanged: the stored hash changed between the login's read and the
// upgrade (a reset meanwhile); the newer one stays.
var errHashChanged = errors.New("password hash changed meanwhile")

// upgradeHash replaces the stored hash that pw just verified against when
// it is not at the hasher's current parameters (issue 9 §2.4): bcrypt
// hashes imported by `sesame apply`, argon2id hashes at older defaults.
// Called once a password login has succeeded. Best effort: the hash goes
// through the hasher's own queue and limits (a busy hasher skips the
// upgrade until a later login), a failure to store is logged, and the
// login succeeds either way. Audited as "user.password_rehashed".
func (s *Service) upgradeHash(ctx context.Context, u model.User, pw string) {
	old := u.PasswordHash
	if old == "" || !s.hasher.NeedsRehash(old) {
		return
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		s.log.Warn("password rehash skipped", "user", u.ID, "err", err)
		return
	}
	from := "argon2id"
	if !strings.HasPrefix(old, "$argon2id$") {
		from = "bcrypt"
	}
	a := Actor{User: u, IP: clientip.From(ctx)}
	err = s.tx(ctx, func(st storage.Storage) error {
		if _, err := st.UpdateUser(ctx, u.ID, func(cur model.User) (model.User, error) {
			if cur.PasswordHash != old {
				return cur, errHashChanged
			}
			cur.PasswordHash = hash
			return cur, nil
		}); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.password_rehashed", "user", u.ID, firstContext(u), map[string]any{"from": from})
	})
	s.users.forget()
	if err != nil && !errors.Is(err, errHashChanged) {
		s.log.Warn("password rehash not stored", "user", u.ID, "err", err)
	}
}
