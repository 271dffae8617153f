package clients

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseURL parses an absolute http(s) URL strictly: no user info, no
// fragment, no backslashes, no encoded slashes or dots in the path, no
// control characters. It returns nil and a reason otherwise.
func ParseURL(raw string) (*url.URL, error) {
	if len(raw) == 0 || len(raw) > 2048 {
		return nil, errors.New("must be 1 to 2048 characters")
	}
	for _, r := range raw {
		if r < 0x21 || r == 0x7f || r == '\\' {
			return nil, errors.New("contains a space, control character or backslash")
		}
	}
	lower := strings.ToLower(raw)
	for _, bad := range []string{"%2f", "%5c", "%2e", "%00", "%09", "%0a", "%0d"} {
		if strings.Contains(lower, bad) {
			return nil, errors.New("contains an encoded slash, dot or control character")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("is not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, errors.New("must be an http or https URL")
	}
	if u.Host == "" || u.Opaque != "" || u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, errors.New("must have a host and no user info or fragment")
	}
	if strings.Contains(strings.ToLower(u.EscapedPath()), "%3b") {
		// Some proxies decode %3B before a servlet container splits path
		// parameters off: the same escape as ";" below, one step later.
		return nil, errors.New("contains an encoded semicolon in the path")
	}
	for _, seg := range strings.Split(u.Path, "/") {
		// Servlet containers drop path parameters (";…", RFC 3986 §3.3)
		// from each segment before resolving dot segments, so "..;x" is
		// ".." to the application behind the URL.
		seg, _, _ = strings.Cut(seg, ";")
		if seg == ".." || seg == "." {
			return nil, errors.New("must not contain dot segments (path parameters removed)")
		}
	}
	return u, nil
}

// ValidatePattern checks a CAS service pattern: an absolute URL, optionally
// ending in "*" after a "/" (a path prefix), no query in prefix patterns.
func ValidatePattern(p string) error {
	base, prefix := strings.CutSuffix(p, "*")
	u, err := ParseURL(base)
	if err != nil {
		return fmt.Errorf("service pattern %q %v", p, err)
	}
	if prefix && (!strings.HasSuffix(u.Path, "/") || u.RawQuery != "") {
		return fmt.Errorf("service pattern %q: a prefix pattern ends in \"/*\" and has no query", p)
	}
	if strings.Contains(u.Path, ";") {
		return fmt.Errorf("service pattern %q: path parameters (\";\") are not allowed in a pattern", p)
	}
	if strings.Contains(base, "*") {
		return fmt.Errorf("service pattern %q: \"*\" is allowed only at the end", p)
	}
	return nil
}

// MatchService reports whether service is allowed by pattern: exact match,
// or for "…/*" the same scheme, host (with port) and a path under the
// prefix. Hosts compare case-insensitively; the default port is explicit.
func MatchService(pattern, service string) bool {
	su, err := ParseURL(service)
	if err != nil {
		return false
	}
	base, prefix := strings.CutSuffix(pattern, "*")
	pu, err := ParseURL(base)
	if err != nil {
		return false
	}
	if su.Scheme != pu.Scheme || hostPort(su) != hostPort(pu) {
		return false
	}
	if !prefix {
		return su.EscapedPath() == pu.EscapedPath() && su.RawQuery == pu.RawQuery
	}
	return strings.HasPrefix(su.EscapedPath(), pu.EscapedPath())
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// IsLoopback reports whether host names this machine (localhost, 127.0.0.0/8,
// ::1): traffic to it never crosses a network, so plain http leaks nothing
// (RFC 8252 §7.3, §8.3).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PlainHTTP reports whether u is a plain-http URL to a host other than a
// loopback one: allowed only for clients marked as development clients.
func PlainHTTP(u *url.URL) bool { return u.Scheme == "http" && !IsLoopback(u.Hostname()) }
