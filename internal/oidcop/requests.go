package oidcop

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/model"
)

// Scopes Sesame serves: OIDC Core §5.4 plus "rights", which asks for the
// effective rights through userinfo and introspection (R-SSO-4).
const scopeRights = "rights"

var supportedScopes = []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopePhone, oidc.ScopeOfflineAccess, scopeRights}

// authRequest adapts a stored authorization request to op.AuthRequest.
type authRequest struct {
	m model.AuthRequest
	// module of the client, carried into the tokens.
	module string
	aud    tokenAudience
}

var (
	_ op.AuthRequest         = (*authRequest)(nil)
	_ op.TokenRequest        = (*refreshRequest)(nil)
	_ op.RefreshTokenRequest = (*refreshRequest)(nil)
)

func (a *authRequest) GetID() string         { return a.m.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return a.m.AMR }
func (a *authRequest) GetAudience() []string { return a.aud.of(a.m.ClientID, a.m.Scopes) }
func (a *authRequest) GetAuthTime() time.Time {
	return a.m.AuthTime
}
func (a *authRequest) GetClientID() string { return a.m.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.m.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.m.CodeChallenge, Method: oidc.CodeChallengeMethod(a.m.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.m.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.m.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.m.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.m.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return a.m.Scopes }
func (a *authRequest) GetState() string                   { return a.m.State }
func (a *authRequest) GetSubject() string                 { return a.m.UserID }
func (a *authRequest) Done() bool                         { return a.m.Done }

// refreshRequest is a refresh token being exchanged (RFC 6749 §6).
type refreshRequest struct {
	m      model.RefreshToken
	module string
	aud    tokenAudience
}

func (r *refreshRequest) GetAMR() []string            { return r.m.AMR }
func (r *refreshRequest) GetAudience() []string       { return r.aud.of(r.m.ClientID, r.m.Scopes) }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.m.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.m.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.m.Scopes }
func (r *refreshRequest) GetSubject() string          { return r.m.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.m.Scopes = s }

// ccRequest is a client credentials grant (RFC 6749 §4.4): the client is
// the subject.
type ccRequest struct {
	clientID string
	scopes   []string
	module   string
	ttl      time.Duration
	aud      tokenAudience
}

func (c *ccRequest) GetSubject() string    { return c.clientID }
func (c *ccRequest) GetAudience() []string { return c.aud.of(c.clientID, c.scopes) }
func (c *ccRequest) GetScopes() []string   { return c.scopes }

// tokenFacts is what a token request says about the user's login.
type tokenFacts struct {
	clientID, userID, contextID, sessionID, grantID, module string
	scopes                                                  []string
	// amr: how the session's user signed in (RFC 8176), carried into
	// access tokens so the admin API knows (R-SAML-8: turning SSO off
	// needs a password login).
	amr []string
}

func facts(req op.TokenRequest) (tokenFacts, bool) {
	switch r := req.(type) {
	case *authRequest:
		return tokenFacts{clientID: r.m.ClientID, userID: r.m.UserID, contextID: r.m.ContextID, sessionID: r.m.SessionID,
			grantID: r.m.ID, module: r.module, scopes: r.m.Scopes, amr: r.m.AMR}, true
	case *refreshRequest:
		return tokenFacts{clientID: r.m.ClientID, userID: r.m.UserID, contextID: r.m.ContextID, sessionID: r.m.SessionID,
			grantID: r.m.FamilyID, module: r.module, scopes: r.m.Scopes, amr: r.m.AMR}, true
	}
	return tokenFacts{}, false
}
