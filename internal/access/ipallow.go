package access

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// ParseCIDRList parses the value of portal / API IP Allow: comma-separated
// IPv4/IPv6 prefixes; a bare address is a single-host prefix.
func ParseCIDRList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("empty entry in %q", s)
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR range", item)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR range", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ValidateCIDRList checks a value before it is stored.
func ValidateCIDRList(s string) error {
	if len(s) > 4096 {
		return fmt.Errorf("longer than 4096 characters")
	}
	_, err := ParseCIDRList(s)
	return err
}

// CheckAPIIP applies R-ACL-3: no API IP Allow → no API access; 0.0.0.0/0
// or ::/0 → any address; otherwise the caller must be in one of the ranges.
func CheckAPIIP(r Result, ip netip.Addr) (bool, string) {
	v, ok := r.Text(model.ModulePortal, model.ACLAPIIPAllow)
	if !ok {
		return false, "API access is not allowed for this user (no API IP Allow right)"
	}
	ps, err := ParseCIDRList(v)
	if err != nil {
		return false, "the user's API IP Allow value is invalid"
	}
	ip = ip.Unmap()
	for _, p := range ps {
		if p.Bits() == 0 || p.Contains(ip) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("address %s is not in the user's API IP Allow ranges", ip)
}

// IsListRight reports whether a text right holds a list that an access
// policy narrows by intersection (R-EFF-5) rather than lets through: the
// API IP Allow ranges of any module.
func IsListRight(a model.ACL) bool {
	return a.Type == model.ACLText && a.Name == model.ACLAPIIPAllow
}

// IntersectCIDRLists narrows the ranges granted by a group to those an
// access policy allows (R-EFF-5, seed 001 "limit the available access
// rights … to a restricted subset"): every address of the result lies in
// both lists. Per pair of prefixes the intersection is the narrower one if
// one contains the other, else empty; a /0 prefix (0.0.0.0/0 or ::/0)
// means "any address" (R-ACL-3) and so contains every prefix of either
// family. The result keeps the group's order, without duplicates; empty
// means no address is left. An unparsable list is an error (the caller
// fails closed).
func IntersectCIDRLists(group, policy string) ([]netip.Prefix, error) {
	gs, err := ParseCIDRList(group)
	if err != nil {
		return nil, fmt.Errorf("group value: %w", err)
	}
	ps, err := ParseCIDRList(policy)
	if err != nil {
		return nil, fmt.Errorf("policy value: %w", err)
	}
	var out []netip.Prefix
	add := func(p netip.Prefix) {
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	for _, g := range gs {
		for _, p := range ps {
			if n, ok := intersectPrefix(g, p); ok {
				add(n)
			}
		}
	}
	// Drop prefixes covered by a wider one already in the result.
	kept := out[:0]
	for i, p := range out {
		covered := false
		for j, q := range out {
			// Two /0 prefixes contain each other: the first one stays.
			if i != j && q != p && containsPrefix(q, p) && (!containsPrefix(p, q) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// intersectPrefix intersects two masked prefixes: CIDR blocks either nest
// or are disjoint, so the intersection is the narrower one or nothing.
func intersectPrefix(a, b netip.Prefix) (netip.Prefix, bool) {
	switch {
	case containsPrefix(a, b):
		return b, true
	case containsPrefix(b, a):
		return a, true
	}
	return netip.Prefix{}, false
}

// containsPrefix reports whether every address of b is in a; a /0 prefix
// contains everything (R-ACL-3: 0.0.0.0/0 and ::/0 both mean any address).
func containsPrefix(a, b netip.Prefix) bool {
	if a.Bits() == 0 {
		return true
	}
	if b.Bits() == 0 {
		return false
	}
	return a.Addr().BitLen() == b.Addr().BitLen() && a.Bits() <= b.Bits() && a.Contains(b.Addr())
}

// CoveredBy reports whether every range of the list group lies within a
// range of the list policy (the policy leaves the value as it is).
func CoveredBy(group, policy []netip.Prefix) bool {
	for _, g := range group {
		in := false
		for _, p := range policy {
			if containsPrefix(p, g) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// FormatCIDRList writes prefixes the way API IP Allow values are written:
// comma and space separated.
func FormatCIDRList(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
