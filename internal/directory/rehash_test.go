package directory_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// failingUpdates is a store whose transactions cannot update users.
type failingUpdates struct{ storage.Storage }

func (f failingUpdates) InTx(ctx context.Context, fn func(storage.Storage) error) error {
	return f.Storage.InTx(ctx, func(tx storage.Storage) error { return fn(failingUpdateTx{tx}) })
}

type failingUpdateTx struct{ storage.Storage }

func (failingUpdateTx) UpdateUser(context.Context, string, func(model.User) (model.User, error)) (model.User, error) {
	return model.User{}, errors.New("disk full")
}

// TestRehashIsBestEffort (issue 9 §2.4): when the upgraded hash cannot be
// stored, the login still succeeds, the failure is logged, the old hash
// stays and keeps working, on SQLite and PostgreSQL.
func TestRehashIsBestEffort(t *testing.T) {
	const pw = "imported-secret-phrase-9"
	bc, _ := bcrypt.GenerateFromPassword([]byte(pw), 10)
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st, err := sqlstore.Open(ctx, sesametest.StoreURL(t, backend), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			hasher := password.New(sesametest.FastHash, 2)
			svc := directory.New(st, hasher, nil)
			cat, _ := catalog.Default()
			b, err := svc.Bootstrap(ctx, cat, "admin", sesametest.AdminPassword)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateUser(ctx, directory.System, directory.NewUser{LoginName: "imported", Domain: model.DomainCSP,
				Contexts: []string{b.RootID}, Status: model.StatusActive, PasswordHash: string(bc)}); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			broken := directory.New(failingUpdates{st}, hasher, slog.New(slog.NewTextHandler(&logs, nil)))
			for range 2 {
				if _, err := broken.Authn().Authenticate(ctx, "imported", pw); err != nil {
					t.Fatalf("login failed with the rehash unstorable: %v", err)
				}
			}
			if !strings.Contains(logs.String(), "password rehash not stored") || !strings.Contains(logs.String(), "disk full") {
				t.Fatalf("failure not logged: %s", logs.String())
			}
			u, err := st.UserBySlugLogin(ctx, "root", "imported")
			if err != nil || u.PasswordHash != string(bc) {
				t.Fatalf("stored hash changed: %v %s", err, u.PasswordHash)
			}
			if _, err := svc.Authn().Authenticate(ctx, "imported", pw); err != nil {
				t.Fatal(err)
			}
			if u, _ = st.UserBySlugLogin(ctx, "root", "imported"); !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Fatalf("not upgraded once the store works: %s", u.PasswordHash)
			}
		})
	}
}
