// Package logctx puts the request id and the trace id into every log line
// written for a request (R-OPS-2): the server stores the request id in the
// request's context (WithRequestID), and Handler, wrapped around the
// process's slog handler, adds request_id, trace_id and span_id to every
// record logged with that context (log.ErrorContext(ctx, …)).
package logctx
