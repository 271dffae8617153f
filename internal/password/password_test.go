package password

import (
	"context"
	"errors"
	"strings"
	"testing"
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

func TestPolicyAndGenerate(t *testing.T) {
	if CheckPolicy("short") == nil {
		t.Error("a 5-character password passed the policy")
	}
	if err := CheckPolicy("long enough password"); err != nil {
		t.Error(err)
	}
	a, b := Generate(20), Generate(20)
	if len(a) != 20 || a == b {
		t.Fatalf("Generate: %q %q", a, b)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Fuzz(func(t *testing.T, s string) { _, _, _, _ = Parse(s) })
}
