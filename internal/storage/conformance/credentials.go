package conformance

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// credUser creates the user second-factor credentials belong to.
func credUser(t *testing.T, s storage.Storage, name string) model.User {
	t.Helper()
	root, err := s.RootContext(ctx)
	if errors.Is(err, model.ErrNotFound) {
		root, err = s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"})
		domain(t, s)
	}
	check(t, err)
	return must(s.CreateUser(ctx, model.User{LoginName: name, TenantID: root.ID, Domain: "D", Kind: model.KindLocal,
		Status: model.StatusActive, Contexts: []string{root.ID}}))
}

// testCredentials: OTP challenges round-trip and update under their lock;
// TOTP enrolments confirm once and take only later steps; recovery codes
// work once and are replaced as a set (R-2FA-1..2, issue 9 §3).
func testCredentials(t *testing.T, s storage.Storage) {
	u := credUser(t, s, "alice")
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	c := storage.OTPChallenge{ID: "ch-1", UserID: u.ID, Channel: "email", Purpose: "login", CodeHash: []byte{1, 2, 3},
		MaxAttempts: 5, Sends: 1, SentAt: t0, CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
	check(t, s.CreateOTPChallenge(ctx, c))
	if err := s.CreateOTPChallenge(ctx, c); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("second challenge with one id: %v", err)
	}
	got := must(s.GetOTPChallenge(ctx, "ch-1"))
	if got.UserID != u.ID || got.Channel != "email" || got.Purpose != "login" || !bytes.Equal(got.CodeHash, c.CodeHash) ||
		got.MaxAttempts != 5 || got.Sends != 1 || !got.SentAt.Equal(t0) || !got.ExpiresAt.Equal(c.ExpiresAt) || !got.UsedAt.IsZero() {
		t.Errorf("GetOTPChallenge: %+v", got)
	}
	up := must(s.UpdateOTPChallenge(ctx, "ch-1", func(c storage.OTPChallenge) (storage.OTPChallenge, error) {
		c.Attempts++
		c.UsedAt = t0.Add(time.Second)
		c.UserID, c.MaxAttempts = "someone-else", 99 // fixed fields are kept
		return c, nil
	}))
	if up.Attempts != 1 || up.UserID != u.ID || up.MaxAttempts != 5 {
		t.Errorf("update result: %+v", up)
	}
	if got := must(s.GetOTPChallenge(ctx, "ch-1")); got.Attempts != 1 || !got.UsedAt.Equal(t0.Add(time.Second)) || got.MaxAttempts != 5 {
		t.Errorf("after update: %+v", got)
	}
	stop := errors.New("refused")
	if _, err := s.UpdateOTPChallenge(ctx, "ch-1", func(c storage.OTPChallenge) (storage.OTPChallenge, error) {
		c.Attempts = 50
		return c, stop
	}); !errors.Is(err, stop) {
		t.Errorf("fn error: %v", err)
	}
	if got := must(s.GetOTPChallenge(ctx, "ch-1")); got.Attempts != 1 {
		t.Errorf("a refused update was written: %+v", got)
	}
	if _, err := s.GetOTPChallenge(ctx, "nope"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown challenge: %v", err)
	}
	if _, err := s.UpdateOTPChallenge(ctx, "nope", func(c storage.OTPChallenge) (storage.OTPChallenge, error) { return c, nil }); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("update unknown challenge: %v", err)
	}
	if n := must(s.PurgeOTPChallenges(ctx, t0.Add(time.Hour))); n != 1 {
		t.Errorf("purged %d", n)
	}
	// The server's periodic PurgeExpired (oidcop.Provider.Run, every
	// minute) removes expired challenges and keeps live ones.
	for id, exp := range map[string]time.Time{"ch-old": t0.Add(-time.Minute), "ch-live": t0.Add(time.Hour)} {
		check(t, s.CreateOTPChallenge(ctx, storage.OTPChallenge{ID: id, UserID: u.ID, Channel: "email", Purpose: "login", CodeHash: []byte{1},
			MaxAttempts: 5, Sends: 1, SentAt: t0, CreatedAt: t0, ExpiresAt: exp}))
	}
	check(t, s.PurgeExpired(ctx, t0))
	if _, err := s.GetOTPChallenge(ctx, "ch-old"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired challenge after PurgeExpired: %v", err)
	}
	if _, err := s.GetOTPChallenge(ctx, "ch-live"); err != nil {
		t.Errorf("live challenge after PurgeExpired: %v", err)
	}

	// TOTP.
	if _, err := s.GetTOTP(ctx, u.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("no enrolment: %v", err)
	}
	check(t, s.PutTOTP(ctx, storage.TOTPEnrolment{UserID: u.ID, Secret: []byte("s1"), CreatedAt: t0}))
	if err := s.UseTOTPStep(ctx, u.ID, 10); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("step on an unconfirmed enrolment: %v", err)
	}
	check(t, s.ConfirmTOTP(ctx, u.ID, 10, t0))
	if err := s.ConfirmTOTP(ctx, u.ID, 11, t0); !errors.Is(err, model.ErrReused) {
		t.Errorf("second confirmation: %v", err)
	}
	if err := s.ConfirmTOTP(ctx, "nobody", 11, t0); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("confirm without enrolment: %v", err)
	}
	e := must(s.GetTOTP(ctx, u.ID))
	if string(e.Secret) != "s1" || !e.ConfirmedAt.Equal(t0) || e.LastStep != 10 {
		t.Errorf("GetTOTP: %+v", e)
	}
	for _, step := range []int64{10, 9} {
		if err := s.UseTOTPStep(ctx, u.ID, step); !errors.Is(err, model.ErrReused) {
			t.Errorf("step %d after 10: %v", step, err)
		}
	}
	check(t, s.UseTOTPStep(ctx, u.ID, 12))
	// A new enrolment replaces the old one, unconfirmed.
	check(t, s.PutTOTP(ctx, storage.TOTPEnrolment{UserID: u.ID, Secret: []byte("s2"), CreatedAt: t0}))
	if e := must(s.GetTOTP(ctx, u.ID)); string(e.Secret) != "s2" || !e.ConfirmedAt.IsZero() || e.LastStep != 0 {
		t.Errorf("re-enrolment: %+v", e)
	}
	check(t, s.DeleteTOTP(ctx, u.ID))
	if _, err := s.GetTOTP(ctx, u.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}

	// A user's own TOTP setting.
	if p := must(s.TOTPPolicy(ctx, u.ID)); p != "" {
		t.Errorf("no policy: %q", p)
	}
	check(t, s.SetTOTPPolicy(ctx, u.ID, "denied"))
	check(t, s.SetTOTPPolicy(ctx, u.ID, "allowed"))
	if p := must(s.TOTPPolicy(ctx, u.ID)); p != "allowed" {
		t.Errorf("policy %q", p)
	}
	check(t, s.SetTOTPPolicy(ctx, u.ID, ""))
	if p := must(s.TOTPPolicy(ctx, u.ID)); p != "" {
		t.Errorf("policy after reset: %q", p)
	}

	// Recovery codes.
	check(t, s.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("h1"), []byte("h2")}, t0))
	if n := must(s.RecoveryCodesLeft(ctx, u.ID)); n != 2 {
		t.Errorf("left %d", n)
	}
	check(t, s.UseRecoveryCode(ctx, u.ID, []byte("h1"), t0))
	if err := s.UseRecoveryCode(ctx, u.ID, []byte("h1"), t0); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("recovery code used twice: %v", err)
	}
	other := credUser(t, s, "bob")
	if err := s.UseRecoveryCode(ctx, other.ID, []byte("h2"), t0); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("another user's recovery code: %v", err)
	}
	if n := must(s.RecoveryCodesLeft(ctx, u.ID)); n != 1 {
		t.Errorf("left %d after one use", n)
	}
	check(t, s.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("h3")}, t0))
	if err := s.UseRecoveryCode(ctx, u.ID, []byte("h2"), t0); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("an old recovery code after regeneration: %v", err)
	}
	if n := must(s.RecoveryCodesLeft(ctx, u.ID)); n != 1 {
		t.Errorf("left %d after regeneration", n)
	}
}

// credentialRaces: concurrent uses of one single-use credential — one OTP
// challenge, one TOTP time step, one recovery code — succeed exactly once.
func credentialRaces(t *testing.T, s storage.Storage) {
	u := credUser(t, s, "racer")
	now := time.Now().UTC()
	const n = 20
	check(t, s.CreateOTPChallenge(ctx, storage.OTPChallenge{ID: "race", UserID: u.ID, Channel: "sms", Purpose: "login",
		CodeHash: []byte{9}, MaxAttempts: 100, Sends: 1, SentAt: now, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
	errUsed := errors.New("used")
	if wins := raceWins(t, n, errUsed, func(int) error {
		_, err := s.UpdateOTPChallenge(ctx, "race", func(c storage.OTPChallenge) (storage.OTPChallenge, error) {
			if !c.UsedAt.IsZero() {
				return c, errUsed
			}
			c.Attempts++
			c.UsedAt = now
			return c, nil
		})
		return err
	}); wins != 1 {
		t.Errorf("%d concurrent consumptions of one OTP challenge succeeded, want 1", wins)
	}
	if c := must(s.GetOTPChallenge(ctx, "race")); c.Attempts != 1 {
		t.Errorf("attempts %d after the race", c.Attempts)
	}
	check(t, s.PutTOTP(ctx, storage.TOTPEnrolment{UserID: u.ID, Secret: []byte("s"), CreatedAt: now}))
	check(t, s.ConfirmTOTP(ctx, u.ID, 1, now))
	if wins := raceWins(t, n, model.ErrReused, func(int) error { return s.UseTOTPStep(ctx, u.ID, 2) }); wins != 1 {
		t.Errorf("%d concurrent uses of one TOTP step succeeded, want 1", wins)
	}
	check(t, s.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("r")}, now))
	if wins := raceWins(t, n, model.ErrNotFound, func(int) error { return s.UseRecoveryCode(ctx, u.ID, []byte("r"), now) }); wins != 1 {
		t.Errorf("%d concurrent uses of one recovery code succeeded, want 1", wins)
	}
}
