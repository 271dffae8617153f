package sqlstore

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// span starts a client span for statement q when ctx carries a recorded
// span (a traced request): background work and untraced requests cost one
// context lookup. The span holds the statement's SQL (no arguments: they
// may be secrets) and the first word of it as the operation.
func (s *Store) span(ctx context.Context, q string) (context.Context, func()) {
	if s.tracer == nil || !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, func() {}
	}
	op := operation(q)
	ctx, sp := s.tracer.Start(ctx, "db "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", s.Dialect()), attribute.String("db.operation.name", op),
			attribute.String("db.query.text", q), attribute.Bool("db.in_transaction", s.tx != nil)))
	return ctx, func() { sp.End() }
}

// operation is a statement's first keyword (SELECT, INSERT, WITH …).
func operation(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexAny(q, " \n\t("); i > 0 {
		q = q[:i]
	}
	return strings.ToUpper(q)
}
