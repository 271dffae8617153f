package conformance

import (
	"bytes"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testBranding: a tenant's branding round-trips with its logo bytes, a
// save naming an older version is refused as stale, and it dies with its
// tenant's context (issue 13 §10).
func testBranding(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	ten := must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Initech", ParentID: root.ID}))
	if _, err := s.GetBranding(ctx, ten.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("no branding yet: %v", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	logo := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	b := must(s.PutBranding(ctx, model.Branding{TenantID: ten.ID, DisplayName: "Initech", Accent: "#aa3300", Logo: logo, LogoType: "image/png", UpdatedAt: now}, 0))
	if b.Version != 1 {
		t.Errorf("first save: version %d", b.Version)
	}
	got := must(s.GetBranding(ctx, ten.ID))
	if got.DisplayName != "Initech" || got.Accent != "#aa3300" || !bytes.Equal(got.Logo, logo) || got.LogoType != "image/png" ||
		got.Version != 1 || !got.UpdatedAt.Equal(now) {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.PutBranding(ctx, model.Branding{TenantID: ten.ID, DisplayName: "Again", UpdatedAt: now}, 0); !errors.Is(err, model.ErrStale) {
		t.Errorf("a second first save: %v, want ErrStale", err)
	}
	b = must(s.PutBranding(ctx, model.Branding{TenantID: ten.ID, DisplayName: "Initrode", UpdatedAt: now}, 1))
	if _, err := s.PutBranding(ctx, model.Branding{TenantID: ten.ID, DisplayName: "Stale", UpdatedAt: now}, 1); !errors.Is(err, model.ErrStale) {
		t.Errorf("save of version 1 after version 2: %v, want ErrStale", err)
	}
	got = must(s.GetBranding(ctx, ten.ID))
	if got.DisplayName != "Initrode" || got.Logo != nil || got.Version != 2 {
		t.Errorf("after the update: %+v", got)
	}
	check(t, s.DeleteContext(ctx, ten.ID))
	if _, err := s.GetBranding(ctx, ten.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("branding outlived its tenant: %v", err)
	}
	check(t, s.DeleteBranding(ctx, ten.ID))
}

// testFormNonces: a nonce is claimed once, carries its result, is
// released, and is purged after it expires.
func testFormNonces(t *testing.T, s storage.Storage) {
	now := time.Now().UTC()
	if ok := must(s.ClaimFormNonce(ctx, "n1", now.Add(time.Hour))); !ok {
		t.Fatal("first claim refused")
	}
	if ok := must(s.ClaimFormNonce(ctx, "n1", now.Add(time.Hour))); ok {
		t.Error("second claim of the same nonce accepted")
	}
	if r := must(s.FormNonceResult(ctx, "n1")); r != "" {
		t.Errorf("result before it was set: %q", r)
	}
	check(t, s.SetFormNonceResult(ctx, "n1", "/console/users/u1"))
	if r := must(s.FormNonceResult(ctx, "n1")); r != "/console/users/u1" {
		t.Errorf("result: %q", r)
	}
	if _, err := s.FormNonceResult(ctx, "none"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unclaimed nonce: %v", err)
	}
	check(t, s.ReleaseFormNonce(ctx, "n1"))
	if ok := must(s.ClaimFormNonce(ctx, "n1", now.Add(-time.Second))); !ok {
		t.Error("a released nonce cannot be claimed again")
	}
	check(t, s.PurgeExpired(ctx, now))
	if _, err := s.FormNonceResult(ctx, "n1"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired nonce not purged: %v", err)
	}
}

// formNonceRace: 20 concurrent submits of one form, one claim wins.
func formNonceRace(t *testing.T, s storage.Storage) {
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimFormNonce(ctx, "race", time.Now().Add(time.Hour))
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d claims won, want 1", wins.Load())
	}
}
