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
