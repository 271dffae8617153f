package fault

import (
	"context"
	"errors"
	"log/slog"

	"github.com/sesame-sso/sesame/internal/model"
)

// Storage reports whether err is a failure of the store or the request
// itself rather than a domain answer: every error that is not a
// *model.Error (not found, invalid, conflict, unauthorized, forbidden).
func Storage(err error) bool {
	return err != nil && model.ErrorCode(err) == model.EINTERNAL
}

// Cancelled reports whether the request was cancelled by its client (or
// ran out of time) — nobody is waiting for the answer.
func Cancelled(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil
}

// Log records a store failure: at ERROR, or at INFO when the client had
// cancelled the request (an operator cannot act on it).
func Log(ctx context.Context, log *slog.Logger, msg string, err error, args ...any) {
	level := slog.LevelError
	if Cancelled(ctx, err) {
		level = slog.LevelInfo
		msg += " (request cancelled by the client)"
	}
	log.Log(context.WithoutCancel(ctx), level, msg, append(args, "err", err)...)
}
