package directory

import (
	"net/netip"
	"testing"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/model"
)

// TestCheckIPAllow is R-ACL-3 on IPv4 and IPv6: not assigned or empty = no
// API access, a /0 range = no check, otherwise the address must be in a
// range; IPv4-mapped IPv6 addresses count as IPv4.
func TestCheckIPAllow(t *testing.T) {
	rights := func(value string, assigned bool) access.Result {
		return access.Result{Rights: []access.Right{{Module: model.ModulePortal, Name: model.ACLAPIIPAllow, Type: model.ACLText, Value: value, Assigned: assigned}}}
	}
	for _, c := range []struct {
		value    string
		assigned bool
		ip       string
		ok       bool
		reason   string
	}{
		{"", false, "203.0.113.7", false, ReasonNoAPIAccess},
		{"", true, "203.0.113.7", false, ReasonNoAPIAccess},
		{"  ", true, "203.0.113.7", false, ReasonNoAPIAccess},
		{"10.0.0.0/33", true, "10.0.0.1", false, ReasonBadIPAllow},
		{"0.0.0.0/0", true, "198.51.100.9", true, ""},
		{"0.0.0.0/0", true, "2001:db8::1", true, ""},
		{"::/0", true, "198.51.100.9", true, ""},
		{"::/0", true, "2001:db8::1", true, ""},
		{"203.0.113.0/24", true, "203.0.113.255", true, ""},
		{"203.0.113.0/24", true, "203.0.112.255", false, "ip 203.0.112.255 not in API IP Allow"},
		{"203.0.113.0/24", true, "::ffff:203.0.113.1", true, ""},
		{"203.0.113.0/24", true, "2001:db8::1", false, "ip 2001:db8::1 not in API IP Allow"},
		{"203.0.113.7", true, "203.0.113.7", true, ""},
		{"203.0.113.7", true, "203.0.113.8", false, "ip 203.0.113.8 not in API IP Allow"},
		{"10.0.0.0/8, 2001:db8:1::/48", true, "2001:db8:1:abcd::1", true, ""},
		{"10.0.0.0/8, 2001:db8:1::/48", true, "2001:db8:2::1", false, "ip 2001:db8:2::1 not in API IP Allow"},
		{"10.0.0.0/8, 2001:db8:1::/48", true, "10.255.255.255", true, ""},
		{"2001:db8::1", true, "2001:db8::1", true, ""},
		{"2001:db8::1", true, "2001:db8::2", false, "ip 2001:db8::2 not in API IP Allow"},
		{"2001:db8::/32", true, "203.0.113.7", false, "ip 203.0.113.7 not in API IP Allow"},
	} {
		ok, reason := checkIPAllow(rights(c.value, c.assigned), model.ModulePortal, netip.MustParseAddr(c.ip))
		if ok != c.ok || reason != c.reason {
			t.Errorf("%q (assigned %v) for %s: %v %q, want %v %q", c.value, c.assigned, c.ip, ok, reason, c.ok, c.reason)
		}
	}
}

// TestAPIKeyShape: keys are sk_ + 43 base64url characters (256 bits).
func TestAPIKeyShape(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		k, err := newAPIKeySecret()
		if err != nil {
			t.Fatal(err)
		}
		if !authn.LooksLikeAPIKey(k) || seen[k] {
			t.Fatalf("bad or repeated key %q", k)
		}
		seen[k] = true
		if h := authn.HashAPIKey(k); len(h) != 64 {
			t.Fatalf("hash %q", h)
		}
	}
	for _, bad := range []string{"", "sk_", "sk_" + "A", "pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"} {
		if authn.LooksLikeAPIKey(bad) {
			t.Errorf("%q looks like a key", bad)
		}
	}
}
