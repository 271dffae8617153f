package server

import (
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/tracing"
)

// observe wires metrics and tracing (R-OPS-1, R-OPS-2): the services that
// count sign-ins, tokens and tickets get the metrics; the OAuth endpoints
// behind the provider's "/oauth2/" mount count as routes of their own;
// outbound clients (single logout, back-channel logout, upstream IdPs) are
// traced.
func (s *Server) observe(svc *directory.Service, opts *Options) {
	s.tracer = noop.NewTracerProvider().Tracer("")
	if m := opts.Metrics; m != nil {
		s.metrics = m
		svc.SetMetrics(m)
		svc.Authn().SetMetrics(m)
		m.ExactPaths("/oauth2/authorize", "/oauth2/token", "/oauth2/revoke", "/oauth2/device_authorization")
	}
	tp := opts.Tracing
	if tp == nil {
		return
	}
	s.tracer = tp.Tracer("github.com/sesame-sso/sesame/internal/server")
	if opts.HTTPClient == nil {
		// Logout notifications: short, and redirects are not followed
		// (CAS single logout, OIDC back-channel logout).
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	opts.HTTPClient = tracing.Client(tp, opts.HTTPClient)
	opts.Federation.HTTPClient = tracing.Client(tp, opts.Federation.client())
}

// startSpan starts the request's server span, continuing the caller's
// trace when it sent a W3C traceparent.
func (s *Server) startSpan(r *http.Request) (*http.Request, trace.Span) {
	ctx := tracing.Propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := s.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer))
	return r.WithContext(ctx), span
}

// endSpan names the span after the route the mux chose and ends it.
func (s *Server) endSpan(r *http.Request, span trace.Span, status int) {
	if !span.IsRecording() {
		span.End()
		return
	}
	route := s.metrics.Route(r)
	span.SetName(r.Method + " " + route)
	span.SetAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route),
		attribute.String("url.path", r.URL.Path), attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// code is the status the client received (200 when the handler wrote
// nothing).
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
