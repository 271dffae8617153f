package oidcop

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// switchContext lets a token holder move to another context (R-SSO-5,
// R-PRT-1): POST /oauth2/switch-context with the access token as bearer
// and context_id in the form. Sesame checks the user may act there and may
// enter the token's module there (R-MOD-2), then answers a new access
// token for that context (same client, scopes and grant, so revoking the
// grant revokes it too). Browser apps switch with the authorize
// parameter "context" instead.
func (p *Provider) switchContext(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	raw := bearer(r)
	t, err := p.VerifyFor(r.Context(), raw, ResourceUser)
	if err != nil {
		bearerError(w, err)
		return
	}
	want := r.PostFormValue("context_id")
	if want == "" || len(want) > 100 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "context_id is required"})
		return
	}
	ctx := r.Context()
	ok, err := p.svc.Rights().CanActIn(ctx, t.User, want)
	if err != nil {
		p.log.ErrorContext(r.Context(), "switch context", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	if !ok {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied", "error_description": "you may not act in that context"})
		return
	}
	allowed, reason, err := p.svc.Rights().ModuleAccess(ctx, t.User, t.Module, want)
	if err != nil {
		p.log.ErrorContext(r.Context(), "module access", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	if !allowed {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied", "error_description": reason})
		return
	}
	signer, err := p.keys.joseSigner(ctx, "JWT")
	if err != nil {
		p.log.ErrorContext(r.Context(), "signer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	now := p.now()
	exp := t.Claims.Expiration.AsTime()
	if max := now.Add(p.opts.AccessTTL); exp.Before(now) || exp.After(max) {
		exp = max
	}
	c := t.Claims
	jti := newTokenID(grantOf(c.JWTID))
	claims := map[string]any{"iss": p.issuer, "sub": c.Subject, "aud": []string(c.Audience), "exp": exp.Unix(), "iat": now.Unix(),
		"nbf": now.Unix(), "jti": jti, "client_id": c.ClientID, "scope": strings.Join(c.Scopes, " "),
		claimContext: want, claimModule: t.Module, claimTenant: t.User.TenantID, claimLogin: t.User.LoginName, claimSID: c.Claims[claimSID]}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		p.log.ErrorContext(r.Context(), "sign", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	p.auditIssue(context.WithValue(ctx, httpKey{}, &httpPair{w: w, r: r}), "context_switch", tokenFacts{clientID: c.ClientID, userID: t.User.ID,
		contextID: want, module: t.Module, scopes: c.Scopes, grantID: grantOf(c.JWTID)}, jti, "")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": oidc.BearerToken,
		"expires_in": int(time.Until(exp).Seconds()), claimContext: want})
}
