package model

import "time"

// AuditEvent records who did what, when, from where (R-OPS-4). It never
// contains secrets. Actor and target are ids, so they still resolve after a
// user is deleted (anonymized, not removed).
type AuditEvent struct {
	ID         int64          `json:"id" doc:"The event's sequence number; read-only." example:"48213"`
	Time       time.Time      `json:"time" doc:"When it happened (UTC)." example:"2026-11-30T17:42:10Z"`
	ActorID    string         `json:"actorId,omitempty" doc:"Who did it (a user id); absent for the system or an unknown caller." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
	Action     string         `json:"action" doc:"What was done, as area.verb." example:"user.activate"`
	TargetType string         `json:"targetType,omitempty" doc:"Kind of object acted on (user, context, group, client, connection …)." example:"user"`
	TargetID   string         `json:"targetId,omitempty" doc:"Id of the object acted on." example:"7a9c1e3f-5b2d-4e60-8f14-2c3d4e5f6a7b"`
	ContextID  string         `json:"contextId,omitempty" doc:"The context the action applied in." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	SourceIP   string         `json:"sourceIp,omitempty" doc:"The caller's address." example:"10.20.30.40"`
	Outcome    string         `json:"outcome" doc:"success, failure or denied." example:"success"`
	Details    map[string]any `json:"details,omitempty" doc:"Further facts, depending on the action (never secrets)." example:"{\"status\": \"active\"}"`
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
