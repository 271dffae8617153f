package model

import "time"

// AuditEvent records who did what, when, from where (R-OPS-4). It never
// contains secrets. Actor and target are ids, so they still resolve after a
// user is deleted (anonymized, not removed).
type AuditEvent struct {
	ID         int64          `json:"id"`
	Time       time.Time      `json:"time"`
	ActorID    string         `json:"actorId,omitempty"`
	Action     string         `json:"action"`
	TargetType string         `json:"targetType,omitempty"`
	TargetID   string         `json:"targetId,omitempty"`
	ContextID  string         `json:"contextId,omitempty"`
	SourceIP   string         `json:"sourceIp,omitempty"`
	Outcome    string         `json:"outcome"`
	Details    map[string]any `json:"details,omitempty"`
}

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
)

// AuditFilter selects audit events.
type AuditFilter struct {
	ActorID  string
	TargetID string
	Action   string
	// Outcome keeps only events of this outcome ("" for all).
	Outcome string
	Since   time.Time
	Until   time.Time
	// ContextIDs limits events to these contexts.
	ContextIDs []string
	// Within limits events to contexts in these subtrees (admin visibility);
	// nil means no limit.
	Within []string
	Page   Page
}
