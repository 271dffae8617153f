package commonlist

import "testing"

// BenchmarkLoad is the one-time cost of decompressing the list.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parse(gz); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSortedAndLower(t *testing.T) {
	l, err := parse(gz)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range l {
		if i > 0 && l[i-1] >= w {
			t.Fatalf("entry %d %q not after %q", i, w, l[i-1])
		}
		if len(w) < 8 {
			t.Fatalf("entry %q shorter than 8", w)
		}
	}
}
