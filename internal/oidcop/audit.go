package oidcop

import (
	"context"
	"net"
	"strings"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Protocol audit events (R-OPS-4), queued off the request path by
// directory.AuditProtocol. They name tokens by jti and refresh tokens and
// codes by a hash prefix, never by value.

// remoteIP is the caller's address for exchanges that went through
// Provider.intercept.
func remoteIP(ctx context.Context) string {
	hx, _ := ctx.Value(httpKey{}).(*httpPair)
	if hx == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(hx.r.RemoteAddr)
	if err != nil {
		return hx.r.RemoteAddr
	}
	return host
}

// grantType names the OAuth grant of a token request.
func grantType(req any) string {
	switch req.(type) {
	case *authRequest:
		return "authorization_code"
	case *refreshRequest:
		return "refresh_token"
	case *ccRequest:
		return "client_credentials"
	}
	return "unknown"
}

// auditIssue records an issued access token (and refresh token, when
// refreshHash is set).
func (p *Provider) auditIssue(ctx context.Context, grant string, f tokenFacts, jti, refreshHash string) {
	d := map[string]any{"grantType": grant, "jti": jti, "module": f.module, "scope": strings.Join(f.scopes, " ")}
	if refreshHash != "" {
		d["refreshToken"] = directory.HashPrefix(refreshHash)
	}
	if f.grantID != "" {
		d["grant"] = f.grantID
	}
	p.svc.AuditProtocol(model.AuditEvent{ActorID: f.userID, Action: directory.AuditTokenIssue, TargetType: "client", TargetID: f.clientID,
		ContextID: f.contextID, SourceIP: remoteIP(ctx), Outcome: model.OutcomeSuccess, Details: d})
}

// auditTheft records a replayed code or reused refresh token: the grant
// was revoked.
func (p *Provider) auditTheft(ctx context.Context, action, userID, clientID, grant, credentialHash string) {
	p.svc.AuditProtocol(model.AuditEvent{ActorID: userID, Action: action, TargetType: "client", TargetID: clientID,
		SourceIP: remoteIP(ctx), Outcome: model.OutcomeDenied, Details: map[string]any{"signal": directory.SignalTheft,
			"grant": grant, "credential": directory.HashPrefix(credentialHash), "effect": "grant revoked"}})
}

// auditClientAuth records a failed client authentication. The client id
// is what the caller sent (AuditFailedLoginOf bounds it).
func (p *Provider) auditClientAuth(ctx context.Context, clientID, reason string) {
	// Within the source's failed-login audit budget (issue 8 item 15): an
	// attacker cannot grow the audit table with failed client logins.
	p.authn.AuditFailedLoginOf(ctx, authn.AuditClientAuth, "client", clientID, map[string]any{"reason": reason})
}
