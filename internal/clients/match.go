package clients

import (
	"errors"
	"fmt"
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
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == ".." || seg == "." {
			return nil, errors.New("must not contain dot segments")
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
