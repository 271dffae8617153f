package otp_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/otp"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/testutil/storetest"
)

// outbox records what Send was given.
type outbox struct {
	mu   sync.Mutex
	msgs []otp.Message
}

func (o *outbox) send(_ context.Context, _ storage.Storage, m otp.Message) error {
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	o.mu.Unlock()
	return nil
}

func (o *outbox) last(t *testing.T) otp.Message {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.msgs) == 0 {
		t.Fatal("nothing was sent")
	}
	return o.msgs[len(o.msgs)-1]
}

type fixture struct {
	st         storage.Storage
	codes      *otp.Codes
	clock      *storetest.Clock
	box        *outbox
	alice, bob model.User
}

func settings() otp.Settings {
	return otp.Settings{Default: model.TwoFactorEmail, Digits: 6, TTL: 5 * time.Minute, MaxAttempts: 3, ResendCooldown: 30 * time.Second,
		MaxSends: 3, MSISDN: regexp.MustCompile(`^\+41[0-9]{9}$`)}
}

// each runs fn on SQLite and PostgreSQL with a store holding alice and bob.
func each(t *testing.T, fn func(t *testing.T, f *fixture)) {
	storetest.Each(t, func(t *testing.T, st storage.Storage) {
		c := storetest.NewClock(time.Now())
		f := &fixture{st: st, clock: c, box: &outbox{}, codes: &otp.Codes{Settings: settings(), Key: []byte("pepper"), Now: c.Now}}
		f.alice, f.bob = mkUser(t, st, "alice", "+41 79 123 45 67"), mkUser(t, st, "bob", "+41791112233")
		fn(t, f)
	})
}

func mkUser(t *testing.T, st storage.Storage, name, phone string) model.User {
	return storetest.User(t, st, name, model.Person{Email: name + "@example.com", Phone: phone, Language: "de"})
}

func (f *fixture) issue(t *testing.T, u model.User, mode string) (otp.Issued, string) {
	t.Helper()
	is, err := f.codes.Issue(t.Context(), f.st, u, mode, "login", f.box.send)
	if err != nil {
		t.Fatal(err)
	}
	return is, f.box.last(t).Code
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

// TestCodeWorksOnce (R-2FA-2): a code of the configured digits goes to the
// user's address in their language; the store keeps only its hash; a wrong
// code is refused, the right one works once.
func TestCodeWorksOnce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		is, code := f.issue(t, f.alice, "")
		m := f.box.last(t)
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(code) || m.Channel != otp.ChannelEmail || m.To != "alice@example.com" ||
			m.Language != "de" || m.Purpose != "login" || m.ChallengeID != is.ChallengeID || len(is.Sent) != 1 || is.SMSBlocked {
			t.Fatalf("issued %+v, sent %+v", is, m)
		}
		ch, err := f.st.GetOTPChallenge(t.Context(), is.ChallengeID)
		if err != nil || strings.Contains(string(ch.CodeHash), code) || len(ch.CodeHash) != 32 {
			t.Fatalf("stored %x %v", ch.CodeHash, err)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "000001"
		}
		wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", wrong), otp.ErrWrongCode)
		if err := f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", code[:3]+" "+code[3:]); err != nil {
			t.Fatalf("right code (typed with a space): %v", err)
		}
		wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", code), otp.ErrUsed)
		for _, id := range []string{"no-such-challenge", "6f1c0e0a-0000-4000-8000-000000000000", "bad\x00id", "\xff\xfe"} {
			wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, id, "login", code), otp.ErrNotFound)
			_, err := f.codes.Resend(t.Context(), f.st, f.alice, id, f.box.send)
			wantErr(t, err, otp.ErrNotFound)
		}
	})
}

// TestCodeDigits: codes have exactly the configured number of digits, with
// leading zeros kept (uniform over 10^digits), never fewer than 6.
func TestCodeDigits(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		for _, digits := range []int{8, 4} {
			f.codes.Settings.Digits = digits
			_, code := f.issue(t, f.alice, model.TwoFactorEmail)
			if want := max(digits, 6); len(code) != want || strings.Trim(code, "0123456789") != "" {
				t.Errorf("digits %d: code %q", digits, code)
			}
		}
	})
}

// TestExpiredCodeRefused (R-2FA-2): after the lifetime the right code is
// refused.
func TestExpiredCodeRefused(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		is, code := f.issue(t, f.alice, "")
		f.clock.Add(5 * time.Minute)
		wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", code), otp.ErrExpired)
	})
}

// TestCodeBruteForce: after MaxAttempts wrong guesses the challenge is dead,
// the right code included.
func TestCodeBruteForce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		is, code := f.issue(t, f.alice, "")
		guesses := 0
		for g := 0; g < 1000 && guesses < 3; g++ {
			guess := strings.Repeat("0", 6-len(itoa(g))) + itoa(g)
			if guess == code {
				continue
			}
			guesses++
			err := f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", guess)
			if guesses < 3 {
				wantErr(t, err, otp.ErrWrongCode)
			} else {
				wantErr(t, err, otp.ErrTooManyAttempts)
			}
		}
		wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", code), otp.ErrTooManyAttempts)
		wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", strings.Repeat("9", 5000)), otp.ErrTooManyAttempts)
	})
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		if n /= 10; n == 0 {
			return s
		}
	}
}

// TestOtherUsersChallenge: alice's code does not work in bob's name (a code
// for another user's transaction), nor for another purpose; those tries are
// not counted against alice.
func TestOtherUsersChallenge(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		is, code := f.issue(t, f.alice, "")
		for i := 0; i < 5; i++ {
			wantErr(t, f.codes.Verify(t.Context(), f.st, f.bob.ID, is.ChallengeID, "login", code), otp.ErrNotFound)
			wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "password-reset", code), otp.ErrNotFound)
		}
		if err := f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", code); err != nil {
			t.Fatalf("alice's own code after others' tries: %v", err)
		}
	})
}

// TestConcurrentVerify: 20 concurrent requests with the right code — one
// login, 19 "used" (one code works once, on any node).
func TestConcurrentVerify(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		f.codes.Settings.MaxAttempts = 50
		is, code := f.issue(t, f.alice, "")
		const n = 20
		ok := storetest.Race(t, n, otp.ErrUsed, func() error {
			return f.codes.Verify(context.Background(), f.st, f.alice.ID, is.ChallengeID, "login", code)
		})
		if ok != 1 {
			t.Fatalf("%d of %d concurrent verifications of one code succeeded, want 1", ok, n)
		}
	})
}

// TestMSISDNPattern (R-2FA-3): an SMS goes only to a number matching the
// pattern (normalized); otherwise nothing is sent by SMS and the caller
// learns "SMS blocked" — with email as well, the email still goes out.
func TestMSISDNPattern(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		is, _ := f.issue(t, f.alice, model.TwoFactorSMS)
		if m := f.box.last(t); m.Channel != otp.ChannelSMS || m.To != "+41791234567" || is.SMSBlocked {
			t.Fatalf("sms: %+v %+v", is, m)
		}
		f.box.msgs = nil
		foreign := mkUser(t, f.st, "mallory", "+1 555 0100")
		is, err := f.codes.Issue(t.Context(), f.st, foreign, model.TwoFactorSMS, "login", f.box.send)
		wantErr(t, err, otp.ErrSMSBlocked)
		if !is.SMSBlocked || len(f.box.msgs) != 0 || model.ErrorCode(err) != model.EFORBIDDEN {
			t.Fatalf("blocked sms: %+v, sent %+v", is, f.box.msgs)
		}
		is, err = f.codes.Issue(t.Context(), f.st, foreign, model.TwoFactorBoth, "login", f.box.send)
		if err != nil || !is.SMSBlocked || len(is.Sent) != 1 || is.Sent[0] != otp.ChannelEmail || len(f.box.msgs) != 1 {
			t.Fatalf("sms+email with a blocked number: %+v %v, sent %+v", is, err, f.box.msgs)
		}
		is, err = f.codes.Issue(t.Context(), f.st, f.alice, model.TwoFactorBoth, "login", f.box.send)
		if err != nil || len(is.Sent) != 2 || is.SMSBlocked || f.box.msgs[1].Code != f.box.msgs[2].Code {
			t.Fatalf("sms+email: %+v %v %+v", is, err, f.box.msgs)
		}
		nobody := f.alice
		nobody.Person.Email = ""
		_, err = f.codes.Issue(t.Context(), f.st, nobody, model.TwoFactorEmail, "login", f.box.send)
		wantErr(t, err, otp.ErrNoDestination)
	})
}

// TestResend: not before the cool-down; the new code replaces the old one;
// at most MaxSends sends; a resend for another user's challenge is refused.
func TestResend(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		is, old := f.issue(t, f.alice, "")
		_, err := f.codes.Resend(t.Context(), f.st, f.alice, is.ChallengeID, f.box.send)
		wantErr(t, err, otp.ErrCooldown)
		f.clock.Add(30 * time.Second)
		_, err = f.codes.Resend(t.Context(), f.st, f.bob, is.ChallengeID, f.box.send)
		wantErr(t, err, otp.ErrNotFound)
		again, err := f.codes.Resend(t.Context(), f.st, f.alice, is.ChallengeID, f.box.send)
		if err != nil || again.ChallengeID != is.ChallengeID || !again.ExpiresAt.After(is.ExpiresAt) {
			t.Fatalf("resend: %+v %v", again, err)
		}
		code := f.box.last(t).Code
		f.clock.Add(30 * time.Second)
		if _, err := f.codes.Resend(t.Context(), f.st, f.alice, is.ChallengeID, f.box.send); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(30 * time.Second)
		_, err = f.codes.Resend(t.Context(), f.st, f.alice, is.ChallengeID, f.box.send)
		wantErr(t, err, otp.ErrTooManySends)
		latest := f.box.last(t).Code
		for _, c := range []string{old, code} {
			if c != latest {
				wantErr(t, f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", c), otp.ErrWrongCode)
			}
		}
		if err := f.codes.Verify(t.Context(), f.st, f.alice.ID, is.ChallengeID, "login", latest); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		_, err = f.codes.Resend(t.Context(), f.st, f.alice, is.ChallengeID, f.box.send)
		wantErr(t, err, otp.ErrUsed)
	})
}

// TestSendFailureRollsBack: a failing outbox write leaves no challenge (the
// code and its message commit together, R-MSG-2).
func TestSendFailureRollsBack(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		var id string
		err := f.st.InTx(t.Context(), func(tx storage.Storage) error {
			is, err := f.codes.Issue(t.Context(), tx, f.alice, "", "login", func(_ context.Context, _ storage.Storage, m otp.Message) error {
				id = m.ChallengeID
				return errors.New("outbox full")
			})
			_ = is
			return err
		})
		if err == nil || id == "" {
			t.Fatalf("issue with a failing send: %v", err)
		}
		if _, err := f.st.GetOTPChallenge(t.Context(), id); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("challenge kept after a failed send: %v", err)
		}
	})
}
