package clients

import (
	"errors"
	"net/url"
	"strings"
)

// ParseOrigin parses a browser origin (RFC 6454 §6.2: scheme "://" host
// [":" port]) as a client registers it and as browsers send it in the
// Origin header: http or https, a host, nothing else — no path (not even
// "/"), query, fragment or user info; "null" and "*" are no origins. It
// returns the origin in canonical form: host in lower case, the default
// port dropped.
func ParseOrigin(raw string) (string, error) {
	if len(raw) == 0 || len(raw) > 512 {
		return "", errors.New("must be 1 to 512 characters")
	}
	for _, r := range raw {
		if r < 0x21 || r == 0x7f || r == '\\' || r == '%' {
			return "", errors.New("contains a space, control character, backslash or percent sign")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("is not an origin (scheme://host[:port])")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", errors.New("must be an http or https origin (scheme://host[:port])")
	}
	if u.Host == "" || u.Opaque != "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || strings.ContainsAny(raw, "#?@") {
		return "", errors.New("must be scheme://host[:port] without path, query, fragment or user info")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" || strings.Contains(host, "*") {
		return "", errors.New("must name one host, without wildcards")
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == map[string]string{"http": "80", "https": "443"}[u.Scheme] {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}
