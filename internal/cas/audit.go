package cas

import (
	"errors"
	"net"
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// CAS ticket audit events (R-OPS-4), queued off the request path. A
// ticket is named by a hash prefix of its stored id (itself a SHA-256 of
// the ticket), never by value.

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// auditIssue records a service ticket handed to a service.
func (h *Handler) auditIssue(r *http.Request, t model.Ticket) {
	h.Svc.AuditProtocol(model.AuditEvent{ActorID: t.UserID, Action: directory.AuditTicketIssue, TargetType: "client", TargetID: t.ClientID,
		ContextID: t.ContextID, SourceIP: remoteIP(r), Outcome: model.OutcomeSuccess,
		Details: map[string]any{"kind": t.Kind, "ticket": directory.HashPrefix(t.ID), "service": t.Service, "renewed": t.Renewed}})
}

// auditValidation records a validation (CAS 3.0 §2.4–2.6): the outcome and,
// for a failure, its CAS error code (the description may quote the
// ticket, so it is not stored).
func (h *Handler) auditValidation(r *http.Request, t model.Ticket, err error) {
	presented := r.URL.Query().Get("ticket")
	d := map[string]any{"service": truncate(r.URL.Query().Get("service"), 256)}
	if presented != "" {
		d["ticket"] = directory.HashPrefix(session.Hash(presented))
	}
	e := model.AuditEvent{ActorID: t.UserID, Action: directory.AuditTicketValidate, TargetType: "client", TargetID: t.ClientID,
		ContextID: t.ContextID, SourceIP: remoteIP(r), Outcome: model.OutcomeSuccess, Details: d}
	if err != nil {
		e.Outcome = model.OutcomeFailure
		var f failure
		if errors.As(err, &f) {
			d["code"] = f.code
		} else {
			d["code"] = "INTERNAL_ERROR"
		}
	}
	h.Svc.AuditProtocol(e)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
