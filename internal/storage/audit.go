package storage

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
)

// Audit is the audit log (R-OPS-4).
type Audit interface {
	AuditBatcher // auditbatch.go

	// Audit log (R-OPS-4).
	AppendAudit(ctx context.Context, e model.AuditEvent) error
	ListAudit(ctx context.Context, f model.AuditFilter) ([]model.AuditEvent, bool, error)
}
