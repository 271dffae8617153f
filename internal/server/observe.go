package server

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/metrics"
)

// observe hands the metrics to the services that count sign-ins, tokens
// and tickets, and names the OAuth endpoints behind the provider's
// "/oauth2/" mount as routes of their own.
func (s *Server) observe(svc *directory.Service, m *metrics.Metrics) {
	if m == nil {
		return
	}
	s.metrics = m
	svc.SetMetrics(m)
	svc.Authn().SetMetrics(m)
	m.ExactPaths("/oauth2/authorize", "/oauth2/token", "/oauth2/revoke", "/oauth2/device_authorization")
}

// code is the status the client received (200 when the handler wrote
// nothing).
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
