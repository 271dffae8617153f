package storage

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
)

// AuditBatcher appends many audit events in one statement (R-OPS-4): the
// protocol audit queue writes what the token and ticket paths produced
// since its last write (directory/auditqueue.go). Every event must have an
// action and an outcome (EINVALID otherwise, and nothing is written).
type AuditBatcher interface {
	AppendAuditBatch(ctx context.Context, events []model.AuditEvent) error
}
