package clientip

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds the client address of a request.
type Resolver struct {
	// Trusted are the proxies whose X-Forwarded-For is believed.
	Trusted []netip.Prefix
}

// ParsePrefixes parses CIDRs ("10.0.0.0/8") or single addresses.
func ParsePrefixes(items []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range items {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (r Resolver) trusted(a netip.Addr) bool {
	for _, p := range r.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client address of req: the peer, or — when the peer
// is a trusted proxy — the right-most X-Forwarded-For entry that is not a
// trusted proxy itself (entries further left are the client's to forge).
func (r Resolver) Resolve(req *http.Request) string {
	peer, ok := Peer(req)
	if !ok {
		return req.RemoteAddr
	}
	if !r.trusted(peer) {
		return peer.String()
	}
	hops := req.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client.String() // garbage: stop at the last good hop
			}
			client = a.Unmap()
			if !r.trusted(client) {
				return client.String()
			}
		}
	}
	return client.String()
}

// Peer is the TCP peer's address.
func Peer(req *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

type ctxKey struct{}

// With returns ctx carrying the client address ip.
func With(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ctxKey{}, ip)
}

// From returns the client address carried by ctx ("" when none).
func From(ctx context.Context) string {
	ip, _ := ctx.Value(ctxKey{}).(string)
	return ip
}

// Of is the client address of a request: the one the server's middleware
// resolved (With), else the TCP peer.
func Of(req *http.Request) string {
	if ip := From(req.Context()); ip != "" {
		return ip
	}
	if a, ok := Peer(req); ok {
		return a.String()
	}
	return req.RemoteAddr
}

// Source is the unit a limiter counts: the address itself for IPv4, its
// /64 for IPv6 (one host usually owns a whole /64).
func Source(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
