package password

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := New(fast, 2)
	phc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected PHC string %q", phc)
	}
	if err := h.Verify(ctx, phc, "correct horse battery"); err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if err := h.Verify(ctx, phc, "correct horse batterY"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: got %v, want ErrMismatch", err)
	}
	if err := h.Verify(ctx, "", "anything"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("empty hash must never verify, got %v", err)
	}
	phc2, _ := h.Hash(ctx, "correct horse battery")
	if phc == phc2 {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	h := New(fast, 1)
	for _, bad := range []string{"plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$!!"} {
		if err := h.Verify(context.Background(), bad, "x"); err == nil {
			t.Errorf("malformed hash %q verified", bad)
		}
	}
}

func TestGenerate(t *testing.T) {
	a, b := Generate(20), Generate(20)
	if len(a) != 20 || a == b {
		t.Fatalf("Generate: %q %q", a, b)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Fuzz(func(t *testing.T, s string) { _, _, _, _ = Parse(s) })
}

// TestBand: stored hashes far costlier (or weaker) than the hasher's own
// are refused, so an imported hash cannot make each login attempt hold a
// hashing slot for minutes (issue 8 item 3).
func TestBand(t *testing.T) {
	h := New(DefaultParams, 1)
	salt, key := "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	for _, tc := range []struct {
		params string
		ok     bool
	}{
		{"m=19456,t=2,p=1", true},
		{"m=47104,t=1,p=1", true}, // OWASP's other settings
		{"m=9216,t=4,p=1", true},
		{"m=4194304,t=100,p=255", false}, // the review's 4 GiB, t=100, p=255
		{"m=65536,t=3,p=4", false},
		{"m=19456,t=2,p=8", false},
		{"m=1024,t=1,p=1", false}, // too weak
	} {
		phc := "$argon2id$v=19$" + tc.params + "$" + salt + "$" + key
		if err := h.Check(phc); (err == nil) != tc.ok {
			t.Errorf("Check(%s) = %v, want ok=%v", tc.params, err, tc.ok)
		}
		if !tc.ok {
			before := h.Work()
			if err := h.Verify(context.Background(), phc, "x"); err == nil || errors.Is(err, ErrMismatch) {
				t.Errorf("Verify(%s) = %v, want a refusal", tc.params, err)
			}
			if h.Work() != before {
				t.Errorf("Verify(%s) hashed before refusing", tc.params)
			}
		}
	}
	b10, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), 10)
	if err := h.Check(string(b10)); err != nil {
		t.Errorf("bcrypt cost 10: %v", err)
	}
	if err := h.Verify(context.Background(), string(b10), "correct horse"); err != nil {
		t.Errorf("bcrypt verify: %v", err)
	}
	if err := h.Verify(context.Background(), string(b10), "wrong horse"); !errors.Is(err, ErrMismatch) {
		t.Errorf("bcrypt wrong password: %v", err)
	}
	b4, _ := bcrypt.GenerateFromPassword([]byte("x"), 4)
	b31 := strings.Replace(string(b4), "$04$", "$31$", 1)
	for _, bad := range []string{string(b4), b31} {
		if err := h.Check(bad); err == nil || !strings.Contains(err.Error(), "outside the accepted band") {
			t.Errorf("bcrypt %q: %v", bad[:7], err)
		}
	}
}

// TestUnknownCostsTheSame: the dummy check for an unknown user does the
// same hashing work as a real one (no enumeration by timing).
func TestUnknownCostsTheSame(t *testing.T) {
	ctx := context.Background()
	h := New(fast, 1)
	phc, _ := h.Hash(ctx, "correct horse battery")
	w0 := h.Work()
	_ = h.Verify(ctx, phc, "wrong")
	w1 := h.Work()
	_ = h.Verify(ctx, "", "wrong")
	w2 := h.Work()
	if known, unknown := (Work{w1.Runs - w0.Runs, w1.Cost - w0.Cost}), (Work{w2.Runs - w1.Runs, w2.Cost - w1.Cost}); known != unknown || known.Runs != 1 {
		t.Errorf("known user cost %+v, unknown %+v", known, unknown)
	}
}
