package server

import (
	"net/url"
	"time"
)

// hstsValue: one year, the external host only (includeSubDomains would
// bind every sibling service of the operator's domain to https too, which
// is the operator's call, not Sesame's). RFC 6797 §6.1.
const hstsValue = "max-age=31536000"

// applyTransportSecurity sets what an https external URL allows (issue 8
// item 13): HSTS on every answer, and the session cookie under the
// "__Host-" prefix when the external URL is at the root path (the prefix
// needs Secure, Path=/ and no Domain; under a path, Path=/ would hand the
// cookie to every other application on the host). It also sets the
// session's idle timeout.
func (s *Server) applyTransportSecurity(opts Options) {
	u, err := url.Parse(opts.Issuer)
	https := err == nil && u.Scheme == "https"
	s.hsts = https
	s.Sessions.HostPrefix = https && (u.Path == "" || u.Path == "/")
	switch {
	case opts.SessionIdleTimeout > 0:
		s.Sessions.IdleTimeout = opts.SessionIdleTimeout
	case opts.SessionIdleTimeout == 0:
		s.Sessions.IdleTimeout = defaultIdleTimeout
	}
}

// defaultIdleTimeout ends an SSO session nobody used for an hour.
const defaultIdleTimeout = time.Hour
