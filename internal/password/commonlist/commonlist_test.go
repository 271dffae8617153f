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
	for i := range l.Len() {
		w := l.at(i)
		if i > 0 && l.at(i-1) >= w {
			t.Fatalf("entry %d %q not after %q", i, w, l.at(i-1))
		}
		if len(w) < 8 {
			t.Fatalf("entry %q shorter than 8", w)
		}
	}
}

// TestTable: every entry is found, neighbours of entries are not, and an
// unsorted (hand-edited) list is sorted on load.
func TestTable(t *testing.T) {
	l, err := parse(gz)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() < 100_000 {
		t.Fatalf("%d entries", l.Len())
	}
	for i := 0; i < l.Len(); i += 997 {
		w := l.at(i)
		if !l.contains(w) {
			t.Fatalf("entry %d %q not found", i, w)
		}
		if l.contains(w+"\x00") || l.contains(w[:len(w)-1]+"\x00") {
			t.Fatalf("a neighbour of %q found", w)
		}
	}
	u, err := parse(gzipped("zebra-zebra\naardvark-1\nmongoose-22\n"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Len() != 3 || u.at(0) != "aardvark-1" || u.at(2) != "zebra-zebra" || !u.contains("mongoose-22") || u.contains("mongoose") {
		t.Errorf("unsorted list: %d entries, %q…", u.Len(), u.at(0))
	}
	if e, err := parse(gzipped("")); err != nil || e.Len() != 0 || e.contains("") {
		t.Errorf("empty list: %d entries, %v", e.Len(), err)
	}
}
