package logctx

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestHandlerAddsRequestAndTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(slog.NewJSONHandler(&buf, nil))).With("component", "x")
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(WithRequestID(context.Background(), "req-1"),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	log.ErrorContext(ctx, "boom")
	for _, want := range []string{`"request_id":"req-1"`, `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`, `"span_id":"00f067aa0ba902b7"`, `"component":"x"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s missing in %s", want, buf.String())
		}
	}
	buf.Reset()
	log.Error("outside a request")
	if strings.Contains(buf.String(), "request_id") || strings.Contains(buf.String(), "trace_id") {
		t.Errorf("ids without a request: %s", buf.String())
	}
}
