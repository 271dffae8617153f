package directory

import (
	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/model"
)

// Protocol audit actions (R-OPS-4).
const (
	// AuditTokenIssue: an access token (and maybe a refresh token) issued
	// at the token endpoint or by a context switch; details name the grant
	// type, the jti and a hash prefix of the refresh token, never a token.
	AuditTokenIssue = "token.issue"
	// AuditCodeReplay and AuditRefreshReuse are theft signals (RFC 9700
	// §4.14.2, RFC 6749 §4.1.2): the grant was revoked.
	AuditCodeReplay   = "token.code_replay"
	AuditRefreshReuse = "token.refresh_reuse"
	// AuditTicketIssue and AuditTicketValidate: CAS service tickets.
	AuditTicketIssue    = "cas.ticket.issue"
	AuditTicketValidate = "cas.ticket.validate"
)

// SignalTheft marks an event that means a credential was probably stolen.
const SignalTheft = "token_theft"

// AuditProtocol records a protocol event without slowing the request: it
// is queued and written in batches (auditqueue.go). e must hold no
// secrets — at most a jti or a hash prefix.
func (s *Service) AuditProtocol(e model.AuditEvent) {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	s.count(e)
	s.auditQ().add(e)
}

// FlushAudit waits until every queued protocol event is stored (shutdown,
// tests).
func (s *Service) FlushAudit() { s.auditQ().flush() }

func (s *Service) auditQ() *auditQueue { return s.protoAudit }

// HashPrefix is how an audit event names a token, code or ticket: the
// first 12 hex digits of its SHA-256 (enough to correlate, useless to
// replay).
func HashPrefix(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// SetMetrics makes the protocol events count in the metrics (R-OPS-1):
// tokens by grant, CAS tickets by event and outcome. Set at start-up.
func (s *Service) SetMetrics(m *metrics.Metrics) { s.metrics = m }

// count updates the metrics for a protocol event.
func (s *Service) count(e model.AuditEvent) {
	if s.metrics == nil {
		return
	}
	switch e.Action {
	case AuditTokenIssue:
		grant, _ := e.Details["grantType"].(string)
		s.metrics.TokenIssued(grant)
	case AuditTicketIssue:
		s.metrics.CASTicket("issue", e.Outcome)
	case AuditTicketValidate:
		s.metrics.CASTicket("validate", e.Outcome)
	}
}
