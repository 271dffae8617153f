package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

func keyHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// testAPIKeys: user API keys (R-SSO-6) round-trip by hash, are scoped to
// their user on delete, unique by hash, and go with the user row.
func testAPIKeys(t *testing.T, s storage.Storage) {
	root, u := ssoUser(t, s)
	other := must(s.CreateUser(ctx, model.User{LoginName: "other", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}}))
	until := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Millisecond)
	k1 := must(s.CreateAPIKey(ctx, model.APIKey{UserID: u.ID, Name: "ci", Prefix: "sk_abcdefgh", Hash: keyHash("one"), ExpiresAt: &until}))
	if k1.ID == "" || k1.CreatedAt.IsZero() || k1.LastUsedAt != nil {
		t.Fatalf("created: %+v", k1)
	}
	k2 := must(s.CreateAPIKey(ctx, model.APIKey{UserID: u.ID, Name: "backup", Prefix: "sk_zzzzzzzz", Hash: keyHash("two")}))
	ko := must(s.CreateAPIKey(ctx, model.APIKey{UserID: other.ID, Name: "theirs", Prefix: "sk_00000000", Hash: keyHash("three")}))

	got := must(s.GetAPIKeyByHash(ctx, keyHash("one")))
	if got.ID != k1.ID || got.UserID != u.ID || got.Name != "ci" || got.Prefix != "sk_abcdefgh" || got.Hash != keyHash("one") ||
		got.ExpiresAt == nil || !got.ExpiresAt.Equal(until) || got.LastUsedAt != nil {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.GetAPIKeyByHash(ctx, keyHash("nope")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown hash: %v", err)
	}
	if _, err := s.CreateAPIKey(ctx, model.APIKey{UserID: u.ID, Name: "dup", Prefix: "sk_x", Hash: keyHash("one")}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("duplicate hash: %v", err)
	}
	_, err := s.CreateAPIKey(ctx, model.APIKey{UserID: "no-such-user", Name: "x", Prefix: "sk_x", Hash: keyHash("four")})
	wantCode(t, err, model.EINVALID)
	_, err = s.CreateAPIKey(ctx, model.APIKey{UserID: u.ID, Name: "x", Prefix: "sk_x", Hash: "short"})
	wantCode(t, err, model.EINVALID)

	ks := must(s.ListAPIKeys(ctx, u.ID))
	if len(ks) != 2 || ks[0].ID != k1.ID || ks[1].ID != k2.ID || ks[1].ExpiresAt != nil {
		t.Errorf("list: %+v", ks)
	}
	if ks := must(s.ListAPIKeys(ctx, "no-such-user")); len(ks) != 0 {
		t.Errorf("list of unknown user: %+v", ks)
	}

	at := time.Now().UTC().Truncate(time.Millisecond)
	check(t, s.TouchAPIKey(ctx, k2.ID, at))
	if got := must(s.GetAPIKeyByHash(ctx, keyHash("two"))); got.LastUsedAt == nil || !got.LastUsedAt.Equal(at) {
		t.Errorf("touch: %+v", got)
	}

	// A key id of another user does not reach that user's key.
	if err := s.DeleteAPIKey(ctx, u.ID, ko.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("delete another user's key: %v", err)
	}
	must(s.GetAPIKeyByHash(ctx, keyHash("three")))
	check(t, s.DeleteAPIKey(ctx, u.ID, k1.ID))
	if err := s.DeleteAPIKey(ctx, u.ID, k1.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if _, err := s.GetAPIKeyByHash(ctx, keyHash("one")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted key still found: %v", err)
	}

	// A transaction that fails leaves no key behind.
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx storage.Storage) error {
		must(tx.CreateAPIKey(ctx, model.APIKey{UserID: u.ID, Name: "tx", Prefix: "sk_t", Hash: keyHash("tx")}))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx: %v", err)
	}
	if _, err := s.GetAPIKeyByHash(ctx, keyHash("tx")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("rolled-back key exists: %v", err)
	}

	if n := must(s.DeleteUserAPIKeys(ctx, u.ID)); n != 1 {
		t.Errorf("DeleteUserAPIKeys removed %d, want 1", n)
	}
	if ks := must(s.ListAPIKeys(ctx, u.ID)); len(ks) != 0 {
		t.Errorf("keys left: %+v", ks)
	}
	// Removing the user row removes its keys.
	check(t, s.DeleteUser(ctx, other.ID))
	if _, err := s.GetAPIKeyByHash(ctx, keyHash("three")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("key of a removed user: %v", err)
	}
}
