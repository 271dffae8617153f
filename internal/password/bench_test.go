package password

import (
	"context"
	"testing"
)

// BenchmarkVerifyDefault is one password check at the default parameters:
// the work a refused attempt over the brute-force budget saves.
func BenchmarkVerifyDefault(b *testing.B) {
	h := New(DefaultParams, 1)
	phc, _ := h.Hash(context.Background(), "correct horse battery")
	for b.Loop() {
		_ = h.Verify(context.Background(), phc, "wrong horse battery")
	}
}
