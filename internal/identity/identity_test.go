package identity

import "testing"

func TestLoginKeyPRECIS(t *testing.T) {
	for in, want := range map[string]string{
		"Alice":   "alice",
		"ＡＬＩＣＥ":   "alice",  // fullwidth: width mapping (RFC 8265 §3.3.1 step 1)
		"ÉLISE":   "élise",  // case mapping beyond ASCII
		"e\u0301": "\u00e9", // NFC
	} {
		if got, err := LoginKey(in); err != nil || got != want {
			t.Errorf("LoginKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a b", "a\u0000b", "a\u200bb", "☃"} {
		if got, err := LoginKey(bad); err == nil {
			t.Errorf("LoginKey(%q) = %q, want an error", bad, got)
		}
	}
}

func TestSkeletonConfusables(t *testing.T) {
	same := [][2]string{
		{"admin", "аdmin"}, // Cyrillic а
		{"paypal", "раураl"},
		{"bob", "b0b"},     // 0 → O → o
		{"alice", "ALICE"}, // case
		{"will", "wi1l"},   // 1 → l
		{"mary", "rnary"},  // m → rn
		{"root", "ＲＯＯＴ"},
	}
	for _, p := range same {
		if Skeleton(p[0]) != Skeleton(p[1]) {
			t.Errorf("%q and %q should be confusable", p[0], p[1])
		}
	}
	for _, p := range [][2]string{{"alice", "bob"}, {"user1", "user2"}, {"anna", "hanna"}} {
		if Skeleton(p[0]) == Skeleton(p[1]) {
			t.Errorf("%q and %q should not be confusable", p[0], p[1])
		}
	}
}

func TestSlugs(t *testing.T) {
	for in, want := range map[string]string{
		"Acme Corp":        "acme-corp",
		"  Zürich AG!! ":   "z-rich-ag",
		"ÄÖÜ":              "tenant",
		"root":             "root",
		"a--b":             "a-b",
		"Customer #42 Ltd": "customer-42-ltd",
	} {
		if got := SlugFromName(in); got != want || !ValidSlug(got) {
			t.Errorf("SlugFromName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "A", "a_b", "a/b", "a.b"} {
		if ValidSlug(bad) {
			t.Errorf("ValidSlug(%q) = true", bad)
		}
	}
	if s, n, ok := SplitLogin("Acme/alice"); !ok || s != "acme" || n != "alice" {
		t.Errorf("SplitLogin = %q %q %v", s, n, ok)
	}
	if _, n, ok := SplitLogin("alice"); ok || n != "alice" {
		t.Errorf("SplitLogin(alice) = %q %v", n, ok)
	}
}
