package totp_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/testutil/storetest"
	"github.com/sesame-sso/sesame/internal/totp"
)

type fixture struct {
	st    storage.Storage
	auth  *totp.Authenticator
	clock *storetest.Clock
	alice model.User
	bob   model.User
}

var master = bytes.Repeat([]byte{7}, 32)

func each(t *testing.T, fn func(t *testing.T, f *fixture)) {
	storetest.Each(t, func(t *testing.T, st storage.Storage) {
		sealer, err := seal.New(master)
		if err != nil {
			t.Fatal(err)
		}
		// A clock in the middle of a 30 s time step.
		c := storetest.NewClock(time.Unix(1_800_000_015, 0))
		f := &fixture{st: st, clock: c, auth: &totp.Authenticator{Store: st, Sealer: sealer, Issuer: "Sesame", InstanceAllowed: true, Key: []byte("k"), Now: c.Now}}
		f.alice = storetest.User(t, st, "alice", model.Person{})
		f.bob = storetest.User(t, st, "bob", model.Person{})
		fn(t, f)
	})
}

// code is what an authenticator app shows for secret at the clock's time
// plus steps time steps, computed by pquerna/otp.
func (f *fixture) code(t *testing.T, secret string, steps int) string {
	t.Helper()
	c, err := pqtotp.GenerateCodeCustom(secret, f.clock.Now().Add(time.Duration(steps)*30*time.Second),
		pqtotp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

// enrol enrols and confirms alice and returns her secret and recovery codes.
func (f *fixture) enrol(t *testing.T) (string, []string) {
	t.Helper()
	e, err := f.auth.Enrol(t.Context(), f.alice, "alice")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.auth.Confirm(t.Context(), f.alice.ID, f.code(t, e.Secret, 0))
	if err != nil {
		t.Fatal(err)
	}
	return e.Secret, rc
}

// TestEnrolment: the otpauth:// URL and QR code carry the secret, the
// secret is stored sealed, and the enrolment is no second factor until a
// first code confirms it; that first code does not log in afterwards.
func TestEnrolment(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		e, err := f.auth.Enrol(t.Context(), f.alice, "alice")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(e.URL)
		if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Sesame:alice" || u.Query().Get("secret") != e.Secret ||
			u.Query().Get("issuer") != "Sesame" || len(e.Secret) != 32 {
			t.Fatalf("enrolment URL %q secret %q", e.URL, e.Secret)
		}
		img, err := png.Decode(bytes.NewReader(e.QRPNG))
		if err != nil || img.Bounds().Dx() != 256 {
			t.Fatalf("QR code: %v", err)
		}
		stored, err := f.st.GetTOTP(t.Context(), f.alice.ID)
		if err != nil || !bytes.HasPrefix(stored.Secret, []byte(seal.Prefix)) || bytes.Contains(stored.Secret, []byte(e.Secret)) {
			t.Fatalf("stored secret %q (%v)", stored.Secret, err)
		}
		wantErr(t, f.auth.Verify(t.Context(), f.alice.ID, f.code(t, e.Secret, 0)), totp.ErrNotEnrolled)
		_, err = f.auth.Confirm(t.Context(), f.alice.ID, "000000")
		if f.code(t, e.Secret, -1) != "000000" && f.code(t, e.Secret, 0) != "000000" && f.code(t, e.Secret, 1) != "000000" {
			wantErr(t, err, totp.ErrWrongCode)
		}
		first := f.code(t, e.Secret, 0)
		rc, err := f.auth.Confirm(t.Context(), f.alice.ID, first)
		if err != nil || len(rc) != totp.RecoveryCodes {
			t.Fatalf("confirm: %v %v", rc, err)
		}
		wantErr(t, f.auth.Verify(t.Context(), f.alice.ID, first), totp.ErrReplay)
		_, err = f.auth.Enrol(t.Context(), f.alice, "alice")
		wantErr(t, err, totp.ErrEnrolled)
		wantErr(t, f.auth.Verify(t.Context(), f.bob.ID, first), totp.ErrNotEnrolled)
		if ok, err := f.auth.Enrolled(t.Context(), f.alice.ID); !ok || err != nil {
			t.Fatalf("enrolled: %v %v", ok, err)
		}
		if err := f.auth.Remove(t.Context(), f.alice.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.auth.RecoveryCodesLeft(t.Context(), f.alice.ID); n != 0 {
			t.Errorf("%d recovery codes left after removal", n)
		}
		if _, err := f.auth.Enrol(t.Context(), f.alice, "alice"); err != nil {
			t.Fatalf("enrol after removal: %v", err)
		}
	})
}

// TestVerifySkewAndReplay: codes of the previous, current and next time
// step are accepted, further ones not; a time step is accepted once, and no
// earlier step after a later one (RFC 6238 §5.2).
func TestVerifySkewAndReplay(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		secret, _ := f.enrol(t)
		f.clock.Add(5 * time.Minute)
		for _, far := range []int{-2, 2} {
			if c := f.code(t, secret, far); c != f.code(t, secret, 0) && c != f.code(t, secret, 1) && c != f.code(t, secret, -1) {
				wantErr(t, f.auth.Verify(t.Context(), f.alice.ID, c), totp.ErrWrongCode)
			}
		}
		if err := f.auth.Verify(t.Context(), f.alice.ID, f.code(t, secret, -1)); err != nil {
			t.Fatalf("previous step: %v", err)
		}
		now := f.code(t, secret, 0)
		if err := f.auth.Verify(t.Context(), f.alice.ID, now); err != nil {
			t.Fatalf("current step: %v", err)
		}
		wantErr(t, f.auth.Verify(t.Context(), f.alice.ID, now), totp.ErrReplay)
		if err := f.auth.Verify(t.Context(), f.alice.ID, f.code(t, secret, 1)); err != nil {
			t.Fatalf("next step: %v", err)
		}
		f.clock.Add(30 * time.Second)
		// now's step is this step's previous one: within the skew, but used.
		wantErr(t, f.auth.Verify(t.Context(), f.alice.ID, now), totp.ErrReplay)
		f.clock.Add(30 * time.Second)
		if err := f.auth.Verify(t.Context(), f.alice.ID, f.code(t, secret, 0)); err != nil {
			t.Fatalf("a later step: %v", err)
		}
	})
}

// TestConcurrentTOTP: 20 concurrent logins with one code — exactly one
// passes, the others are replays.
func TestConcurrentTOTP(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		secret, _ := f.enrol(t)
		f.clock.Add(time.Minute)
		code := f.code(t, secret, 0)
		const n = 20
		ok := storetest.Race(t, n, totp.ErrReplay, func() error { return f.auth.Verify(context.Background(), f.alice.ID, code) })
		if ok != 1 {
			t.Fatalf("%d of %d concurrent uses of one TOTP code passed, want 1", ok, n)
		}
	})
}

// TestSecretAtRest: without a master key the secret is stored plain (as the
// signing keys are, and said so); a sealed secret does not open with another
// master key, and that is an error, not a wrong code.
func TestSecretAtRest(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		plain := &totp.Authenticator{Store: f.st, Issuer: "Sesame", InstanceAllowed: true, Now: f.clock.Now}
		e, err := plain.Enrol(t.Context(), f.bob, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if stored, _ := f.st.GetTOTP(t.Context(), f.bob.ID); string(stored.Secret) != e.Secret {
			t.Fatalf("without a master key: stored %q", stored.Secret)
		}
		if _, err := plain.Confirm(t.Context(), f.bob.ID, f.code(t, e.Secret, 0)); err != nil {
			t.Fatal(err)
		}
		secret, _ := f.enrol(t)
		other, _ := seal.New(bytes.Repeat([]byte{8}, 32))
		wrong := &totp.Authenticator{Store: f.st, Sealer: other, Issuer: "Sesame", Now: f.clock.Now}
		f.clock.Add(time.Minute)
		err = wrong.Verify(t.Context(), f.alice.ID, f.code(t, secret, 0))
		if err == nil || errors.Is(err, totp.ErrWrongCode) || !strings.Contains(err.Error(), "does not open") {
			t.Fatalf("another master key: %v", err)
		}
	})
}

// TestRecoveryCodes: ten distinct codes, shown once, each works once (typed
// in any case, with or without dashes), only for their user; regenerating
// voids the old set; 20 concurrent uses of one code — one passes.
func TestRecoveryCodes(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		_, rc := f.enrol(t)
		seen := map[string]bool{}
		for _, c := range rc {
			if !regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$`).MatchString(c) || seen[c] {
				t.Fatalf("recovery code %q in %v", c, rc)
			}
			seen[c] = true
		}
		if n, _ := f.auth.RecoveryCodesLeft(t.Context(), f.alice.ID); n != 10 {
			t.Fatalf("%d codes left", n)
		}
		wantErr(t, f.auth.UseRecoveryCode(t.Context(), f.bob.ID, rc[0]), totp.ErrRecoveryCode)
		if err := f.auth.UseRecoveryCode(t.Context(), f.alice.ID, strings.ToUpper(strings.ReplaceAll(rc[0], "-", " "))); err != nil {
			t.Fatalf("typed differently: %v", err)
		}
		wantErr(t, f.auth.UseRecoveryCode(t.Context(), f.alice.ID, rc[0]), totp.ErrRecoveryCode)
		if n, _ := f.auth.RecoveryCodesLeft(t.Context(), f.alice.ID); n != 9 {
			t.Fatalf("%d codes left after one use", n)
		}
		const n = 20
		ok := storetest.Race(t, n, totp.ErrRecoveryCode, func() error {
			return f.auth.UseRecoveryCode(context.Background(), f.alice.ID, rc[1])
		})
		if ok != 1 {
			t.Fatalf("%d of %d concurrent uses of one recovery code passed", ok, n)
		}
		fresh, err := f.auth.RegenerateRecoveryCodes(t.Context(), f.alice.ID)
		if err != nil || len(fresh) != 10 {
			t.Fatal(fresh, err)
		}
		wantErr(t, f.auth.UseRecoveryCode(t.Context(), f.alice.ID, rc[2]), totp.ErrRecoveryCode)
		if err := f.auth.UseRecoveryCode(t.Context(), f.alice.ID, fresh[0]); err != nil {
			t.Fatal(err)
		}
		_, err = f.auth.RegenerateRecoveryCodes(t.Context(), f.bob.ID)
		wantErr(t, err, totp.ErrNotEnrolled)
	})
}

// TestTOTPAllowed: the user's own setting wins over the instance's; a
// delegated user never enrols; a denied user's enrolment is not asked for.
func TestTOTPAllowed(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		f.enrol(t)
		ctx := t.Context()
		if err := f.st.SetTOTPPolicy(ctx, f.bob.ID, totp.PolicyDenied); err != nil {
			t.Fatal(err)
		}
		_, err := f.auth.Enrol(ctx, f.bob, "bob")
		wantErr(t, err, totp.ErrNotAllowed)
		f.auth.InstanceAllowed = false
		if ok, _ := f.auth.Active(ctx, f.alice); ok {
			t.Error("TOTP asked for while the instance does not allow it")
		}
		if err := f.st.SetTOTPPolicy(ctx, f.alice.ID, totp.PolicyAllowed); err != nil {
			t.Fatal(err)
		}
		if ok, err := f.auth.Active(ctx, f.alice); !ok || err != nil {
			t.Errorf("allowed for alice: %v %v", ok, err)
		}
		delegated := f.alice
		delegated.Kind = model.KindDelegated
		_, err = f.auth.Enrol(ctx, delegated, "alice")
		wantErr(t, err, totp.ErrNotAllowed)
		if err := f.st.SetTOTPPolicy(ctx, f.bob.ID, totp.PolicyAllowed); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.Enrol(ctx, f.bob, "bob"); err != nil {
			t.Errorf("bob allowed: %v", err)
		}
	})
}
