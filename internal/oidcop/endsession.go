package oidcop

import (
	"errors"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/web"
)

// endSessionParams are the RP-Initiated Logout 1.0 §2 parameters the
// confirmation form carries back to /oauth2/logout.
var endSessionParams = []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales", "logout_hint"}

// endSessionGate is /oauth2/logout (RP-Initiated Logout 1.0): a request
// whose id_token_hint was issued in the browser's current session goes to
// op at once — the app asked, with proof of the user's session. Any other
// request with a live session (no hint, someone else's or a forged one)
// gets the confirmation page first (login.ConfirmLogout); its form posts
// the parameters back here with the CSRF token, and op then ends the
// session (CAS single logout and back-channel logout run as before).
func (p *Provider) endSessionGate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the form could not be read"})
		return
	}
	if !p.hintForCurrentSession(r) {
		var fields []web.Field
		for _, k := range endSessionParams {
			if v := r.Form.Get(k); v != "" && len(v) <= 8<<10 {
				fields = append(fields, web.Field{Name: k, Value: v})
			}
		}
		if login.ConfirmLogout(p.pages, p.sessions, w, r, "/"+pathEndSession, fields) {
			return
		}
	}
	p.op.ServeHTTP(w, r)
}

// hintForCurrentSession reports whether the request's id_token_hint is an
// ID token Sesame signed (expired is fine, OIDC RP-Initiated Logout §2)
// for the browser's live session: same subject, same sid.
func (p *Provider) hintForCurrentSession(r *http.Request) bool {
	hint := r.Form.Get("id_token_hint")
	if hint == "" || len(hint) > 8<<10 {
		return false
	}
	s, _, ok := p.sessions.Current(r)
	if !ok {
		return false
	}
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	claims, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, hint, p.op.IDTokenHintVerifier(ctx))
	if err != nil && !errors.As(err, &op.IDTokenHintExpiredError{}) {
		return false
	}
	got, _ := claims.Claims[claimSID].(string)
	return claims.GetSubject() == s.UserID && got == sid(s.ID)
}
