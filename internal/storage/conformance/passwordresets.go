package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testPasswordResets: a reset link (R-PWD-2) round-trips, expires, is
// consumed once, dies with its user's other links and is purged.
func testPasswordResets(t *testing.T, s storage.Storage) {
	_, u := ssoUser(t, s)
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := storage.PasswordReset{TokenHash: "h1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(30 * time.Minute)}
	check(t, s.CreatePasswordReset(ctx, r))
	if err := s.CreatePasswordReset(ctx, r); err == nil {
		t.Error("a second link with the same hash was stored")
	}
	got := must(s.GetPasswordReset(ctx, "h1", now))
	if got.UserID != u.ID || !got.CreatedAt.Equal(now) || !got.ExpiresAt.Equal(r.ExpiresAt) || !got.UsedAt.IsZero() {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.GetPasswordReset(ctx, "h1", now.Add(31*time.Minute)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired link returned: %v", err)
	}
	if _, err := s.ConsumePasswordReset(ctx, "h1", now.Add(31*time.Minute)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired link consumed: %v", err)
	}
	if _, err := s.GetPasswordReset(ctx, "nope", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown link: %v", err)
	}
	c := must(s.ConsumePasswordReset(ctx, "h1", now.Add(time.Minute)))
	if c.UserID != u.ID || !c.UsedAt.Equal(now.Add(time.Minute)) {
		t.Errorf("consumed: %+v", c)
	}
	if _, err := s.ConsumePasswordReset(ctx, "h1", now.Add(2*time.Minute)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("second consume: %v, want ErrNotFound", err)
	}
	if _, err := s.GetPasswordReset(ctx, "h1", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("used link returned: %v", err)
	}
	// A password set drops the user's other links.
	check(t, s.CreatePasswordReset(ctx, storage.PasswordReset{TokenHash: "h2", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	check(t, s.DeleteUserPasswordResets(ctx, u.ID))
	if _, err := s.GetPasswordReset(ctx, "h2", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted link returned: %v", err)
	}
	// The forgot page finds a user by email, ignoring case, in one tenant.
	if ids := must(s.UserIDsByEmail(ctx, u.TenantID, "nobody@example.com", 2)); len(ids) != 0 {
		t.Errorf("unknown email: %v", ids)
	}
	must(s.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) { x.Person.Email = "Sso@Example.com"; return x, nil }))
	if ids := must(s.UserIDsByEmail(ctx, u.TenantID, "sso@EXAMPLE.com", 2)); len(ids) != 1 || ids[0] != u.ID {
		t.Errorf("by email: %v", ids)
	}
	if ids := must(s.UserIDsByEmail(ctx, "other-tenant", "sso@example.com", 2)); len(ids) != 0 {
		t.Errorf("another tenant's user found: %v", ids)
	}
	// Purge drops what expired, keeps what did not.
	check(t, s.CreatePasswordReset(ctx, storage.PasswordReset{TokenHash: "old", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
	check(t, s.CreatePasswordReset(ctx, storage.PasswordReset{TokenHash: "new", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	if n := must(s.PurgePasswordResets(ctx, now.Add(2*time.Minute))); n != 1 {
		t.Errorf("purged %d links, want 1", n)
	}
	must(s.GetPasswordReset(ctx, "new", now))
	check(t, s.PurgeExpired(ctx, now.Add(2*time.Hour)))
	if _, err := s.GetPasswordReset(ctx, "new", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("PurgeExpired kept an expired link: %v", err)
	}
}

// passwordResetRace: a link clicked on two nodes at once sets one
// password.
func passwordResetRace(t *testing.T, s storage.Storage) {
	_, u := ssoUser(t, s)
	now := time.Now().UTC()
	for round := range 5 {
		h := "race-" + string(rune('a'+round))
		check(t, s.CreatePasswordReset(ctx, storage.PasswordReset{TokenHash: h, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
		if wins := raceWins(t, 8, model.ErrNotFound, func(int) error {
			_, err := s.ConsumePasswordReset(ctx, h, now)
			return err
		}); wins != 1 {
			t.Errorf("round %d: the link was consumed %d times", round, wins)
		}
	}
}
