package oidcop

import (
	"net/http"
	"net/url"

	"github.com/sesame-sso/sesame/internal/model"
)

// clientFirst authenticates a confidential client before zitadel/oidc
// handles its code exchange. zitadel's op.AuthorizeCodeClient redeems the
// code (AuthRequestByCode, which consumes it) before it checks the client
// secret: a request with a wrong or missing secret — golang.org/x/oauth2
// tries HTTP Basic first and the form next — would burn the code, and the
// client's correct retry would look like a replay and revoke the grant.
// RFC 6749 §4.1.3: the client is authenticated first. A failed check here
// is answered 401 invalid_client and the code stays unused.
func (p *Provider) clientFirst(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/"+pathToken {
			next.ServeHTTP(w, r)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("client_assertion") != "" {
			next.ServeHTTP(w, r) // zitadel answers malformed requests
			return
		}
		id, secret, basic := r.BasicAuth()
		if basic {
			// RFC 6749 §2.3.1: form-encoded before Basic encoding.
			if u, err := url.QueryUnescape(id); err == nil {
				id = u
			}
			if u, err := url.QueryUnescape(secret); err == nil {
				secret = u
			}
		} else {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		c, err := p.oidcClient(r.Context(), id)
		if err != nil && model.ErrorCode(err) != model.ENOTFOUND {
			next.ServeHTTP(w, r) // a store failure: zitadel's own path reports it
			return
		}
		if err == nil && c.Public {
			next.ServeHTTP(w, r) // no secret: PKCE proves the client
			return
		}
		if err := (opStorage{p}).AuthorizeClientIDSecret(r.Context(), id, secret); err != nil {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
			return
		}
		next.ServeHTTP(w, r)
	})
}
