package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ExactPaths makes requests to these paths, served by a subtree pattern
// (the OAuth provider's "/oauth2/"), count as routes of their own. Call
// before serving.
func (m *Metrics) ExactPaths(paths ...string) {
	if m == nil {
		return
	}
	for _, p := range paths {
		m.exact[p] = true
	}
}

// Request records one answered request. r must be the request the
// http.ServeMux routed: Go sets r.Pattern on it, and the pattern (not the
// path) is the label, so ids in paths do not make new series.
func (m *Metrics) Request(r *http.Request, status int, d time.Duration) {
	if m == nil {
		return
	}
	route := m.Route(r)
	method := methodLabel(r.Method)
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		m.throttled.WithLabelValues(route, code).Inc()
	}
}

// Route is the label of r's route: its ServeMux pattern without the
// method ("/api/v1/users/{id}"), an exact path below a subtree pattern
// when listed with ExactPaths, or "unmatched" (404, 405).
func (m *Metrics) Route(r *http.Request) string {
	p := r.Pattern
	if p == "" {
		return "unmatched"
	}
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = p[i+1:]
	}
	if strings.HasSuffix(p, "/") && m != nil && m.exact[r.URL.Path] {
		return r.URL.Path
	}
	return p
}

// methodLabel bounds the method label to the methods Sesame serves.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}
