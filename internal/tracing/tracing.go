package tracing

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sesame-sso/sesame/internal/version"
)

// Propagator reads and writes W3C trace context (traceparent, tracestate).
var Propagator = propagation.TraceContext{}

// Tracing is the process's tracer provider.
type Tracing struct {
	Provider trace.TracerProvider
	shutdown func(context.Context) error
}

// Off is tracing that records nothing.
func Off() *Tracing {
	return &Tracing{Provider: noop.NewTracerProvider(), shutdown: func(context.Context) error { return nil }}
}

// Options configure New.
type Options struct {
	// Endpoint is the OTLP/HTTP traces URL
	// (http://collector:4318/v1/traces); empty: Off.
	Endpoint string
	// SampleRatio of new traces recorded (0..1). A request whose caller
	// sent a sampled traceparent is recorded anyway (parent-based).
	SampleRatio float64
	// Headers are sent with every export (an API key of the collector).
	Headers map[string]string
}

// New returns the tracer provider the options describe.
func New(o Options, build version.Info) (*Tracing, error) {
	if o.Endpoint == "" {
		return Off(), nil
	}
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(o.Endpoint), otlptracehttp.WithHeaders(o.Headers))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "sesame"), attribute.String("service.version", build.Version),
		attribute.String("vcs.revision", build.Commit))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(o.SampleRatio))))
	return &Tracing{Provider: tp, shutdown: tp.Shutdown}, nil
}

// Shutdown sends the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Transport traces outbound requests through base (nil: the default
// transport) and sends the trace context along.
func Transport(tp trace.TracerProvider, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(base, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(Propagator))
}

// Client is a copy of c whose requests are traced.
func Client(tp trace.TracerProvider, c *http.Client) *http.Client {
	cc := *c
	cc.Transport = Transport(tp, c.Transport)
	return &cc
}
