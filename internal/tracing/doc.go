// Package tracing sets up OpenTelemetry tracing (R-OPS-2): an OTLP/HTTP
// exporter when tracing.endpoint is set, otherwise a no-op provider (the
// default: no span is recorded and nothing is sent). The server starts a
// span per HTTP request (server/observe.go), the store one per database
// call inside a recorded request (sqlstore), and outbound calls (upstream
// IdPs, single and back-channel logout) go through Transport. W3C trace
// context is read from incoming requests and sent on outbound ones.
package tracing
