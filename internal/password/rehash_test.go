package password

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestNeedsRehash: bcrypt imports and argon2id hashes at other parameters
// are replaced after a successful login (issue 9 §2.4); current ones not.
func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	h := New(fast, 1)
	cur, _ := h.Hash(ctx, "correct horse battery")
	if h.NeedsRehash(cur) {
		t.Error("a hash at the current parameters needs a rehash")
	}
	older := fast
	older.Time = 2
	old, _ := New(older, 1).Hash(ctx, "correct horse battery")
	if !h.NeedsRehash(old) {
		t.Error("an argon2id hash at older parameters does not need a rehash")
	}
	b, _ := bcrypt.GenerateFromPassword([]byte("correct horse battery"), 10)
	if !h.NeedsRehash(string(b)) {
		t.Error("a bcrypt hash does not need a rehash")
	}
	for _, bad := range []string{"", "plain"} {
		if h.NeedsRehash(bad) {
			t.Errorf("NeedsRehash(%q)", bad)
		}
	}
}
