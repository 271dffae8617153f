package config

import (
	"net/url"
	"os"
)

// Tracing configures OpenTelemetry tracing (R-OPS-2). Off unless an
// endpoint is set.
type Tracing struct {
	// Endpoint is the OTLP/HTTP traces URL of a collector, e.g.
	// http://127.0.0.1:4318/v1/traces; empty: tracing off (no span is
	// recorded, nothing is sent).
	Endpoint string `yaml:"endpoint"`
	// SampleRatio is the share of new traces recorded, 0 to 1; a request
	// that arrives with a sampled W3C traceparent is always recorded.
	SampleRatio float64 `yaml:"sampleRatio"`
}

// DefaultTracing is tracing off, every trace sampled once on.
func DefaultTracing() Tracing { return Tracing{SampleRatio: 1} }

// TracingEnv lists the tracing environment overrides and their keys.
var TracingEnv = map[string]string{"SESAME_TRACING_ENDPOINT": "tracing.endpoint"}

func (c *Config) applyTracingEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	if v, ok := env("SESAME_TRACING_ENDPOINT"); ok {
		c.Tracing.Endpoint = v
	}
}

func (t Tracing) validate(bad func(key, format string, args ...any)) {
	if t.Endpoint != "" {
		u, err := url.Parse(t.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("tracing.endpoint", "%q is not an http(s) URL such as http://127.0.0.1:4318/v1/traces", t.Endpoint)
		}
	}
	if t.SampleRatio < 0 || t.SampleRatio > 1 {
		bad("tracing.sampleRatio", "%v is not between 0 and 1", t.SampleRatio)
	}
}
