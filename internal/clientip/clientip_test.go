package clientip

import (
	"context"
	"net/http/httptest"
	"testing"
)

func TestResolve(t *testing.T) {
	trusted, err := ParsePrefixes([]string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	r := Resolver{Trusted: trusted}
	for _, tc := range []struct {
		name, peer, xff, want string
	}{
		{"no proxy", "198.51.100.1:1234", "", "198.51.100.1"},
		// The attack: a client sets X-Forwarded-For itself to look like
		// someone else (and escape its own counters).
		{"spoofed from an untrusted peer", "198.51.100.1:1234", "203.0.113.9", "198.51.100.1"},
		{"trusted proxy", "10.1.2.3:80", "203.0.113.9", "203.0.113.9"},
		{"client-forged entries left of the proxy's", "10.1.2.3:80", "1.1.1.1, 203.0.113.9", "203.0.113.9"},
		{"chain of trusted proxies", "10.1.2.3:80", "203.0.113.9, 192.0.2.7, 10.9.9.9", "203.0.113.9"},
		{"garbage stops at the last good hop", "10.1.2.3:80", "203.0.113.9, bogus", "10.1.2.3"},
		{"ipv6 peer", "[2001:db8::1]:443", "203.0.113.9", "2001:db8::1"},
		{"mapped ipv4", "[::ffff:198.51.100.1]:1", "", "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.peer
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := r.Resolve(req); got != tc.want {
				t.Errorf("Resolve = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := ParsePrefixes([]string{"not-a-cidr"}); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}

func TestSourceAndContext(t *testing.T) {
	if got := Source("2001:db8:1:2:aaaa::1"); got != "2001:db8:1:2::/64" {
		t.Errorf("ipv6 source = %q", got)
	}
	if got := Source("198.51.100.1"); got != "198.51.100.1" {
		t.Errorf("ipv4 source = %q", got)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "198.51.100.1:5"
	if Of(req) != "198.51.100.1" {
		t.Errorf("Of without middleware = %q", Of(req))
	}
	req = req.WithContext(With(context.Background(), "203.0.113.9"))
	if Of(req) != "203.0.113.9" {
		t.Errorf("Of with middleware = %q", Of(req))
	}
}
