package seal

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
)

// TestSealOpen: a sealed value opens only with its id and its master key;
// without a master key values stay plain, and plain values still open after
// a key is set (the behaviour the OIDC signing keys had in oidcop/keyseal.go).
func TestSealOpen(t *testing.T) {
	master := make([]byte, 32)
	rand.Read(master)
	s, err := New(master)
	if err != nil || s == nil {
		t.Fatal(s, err)
	}
	sealed, err := s.Seal("row-1", []byte("secret"))
	if err != nil || !strings.HasPrefix(string(sealed), Prefix) || bytes.Contains(sealed, []byte("secret")) {
		t.Fatalf("sealed %q %v", sealed, err)
	}
	if pt, err := s.Open("row-1", sealed, "thing"); err != nil || string(pt) != "secret" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := s.Open("row-2", sealed, "thing"); err == nil {
		t.Error("a sealed value opened under another id")
	}
	other := make([]byte, 32)
	rand.Read(other)
	o, _ := New(other)
	if _, err := o.Open("row-1", sealed, "thing"); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Errorf("another master key: %v", err)
	}
	var none *Sealer
	if _, err := none.Open("row-1", sealed, "thing"); err == nil || !strings.Contains(err.Error(), "SESAME_MASTER_KEY") {
		t.Errorf("no master key: %v", err)
	}
	if _, err := s.Open("row-1", []byte(Prefix+"!!"), "thing"); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("malformed: %v", err)
	}
	if p, _ := none.Seal("row-1", []byte("plain")); string(p) != "plain" {
		t.Errorf("no master key seals: %q", p)
	}
	if p, err := s.Open("row-1", []byte("plain"), "thing"); err != nil || string(p) != "plain" {
		t.Errorf("plain value after a key was set: %q %v", p, err)
	}
	if _, err := New(master[:16]); err == nil {
		t.Error("a 16-byte master key was accepted")
	}
	if s, err := New(nil); s != nil || err != nil {
		t.Error("no master key must give a nil sealer")
	}
}
