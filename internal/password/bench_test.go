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

// BenchmarkVerifyDefaultParallel is the same check on every core at once
// (b.RunParallel): ns/op is the hasher's throughput when all cores hash,
// which is what bounds password logins (docs/BENCHMARKS.md, issue 9).
func BenchmarkVerifyDefaultParallel(b *testing.B) {
	h := New(DefaultParams, 0)
	phc, _ := h.Hash(context.Background(), "correct horse battery")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = h.Verify(context.Background(), phc, "wrong horse battery")
		}
	})
}
