package oidcop

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/sesame-sso/sesame/internal/model"
)

// Resource is a kind of resource Sesame serves with bearer access tokens.
// A valid token is not enough: each resource checks the token's audience,
// scope and client (RFC 9068 §4, RFC 9700 §2.3).
//
//	resource            endpoints                                        rule
//	ResourceUser        /oauth2/userinfo, /oauth2/switch-context,        a user's token from any client, scope openid
//	                    GET /api/v1/me, /me/rights, /me/contexts         (OIDC Core §5.3: the user's own view)
//	ResourceAdmin       every other /api/v1 route                        a user's token, aud has AdminAudience, scope has
//	                                                                     sesame:admin, its client confidential and still
//	                                                                     allowed sesame:admin
//	ResourcePolicyCaller POST /api/v1/authorize (the portal)             a client credentials token of a policy-decision client
//	ResourceAny         the API caller's token inside an authorize       any live token (the decision binds module and aud)
//	                    request
//
// Introspection has its own rule (RFC 7662 §4, introspect.go).
type Resource int

// Resources (see Resource).
const (
	ResourceAny Resource = iota + 1 // the zero value is no resource: refused
	ResourceUser
	ResourceAdmin
	ResourcePolicyCaller
)

// ErrInsufficient is wrapped by VerifyFor when a valid token is not good
// for the resource (RFC 6750 §3.1 insufficient_scope: 403, not 401).
var ErrInsufficient = errors.New("the access token is not for this resource")

func insufficient(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInsufficient, fmt.Sprintf(format, args...))
}

// VerifyFor is Verify plus the resource's rule (see Resource).
func (p *Provider) VerifyFor(ctx context.Context, raw string, res Resource) (Token, error) {
	t, err := p.Verify(ctx, raw)
	if err != nil {
		return t, err
	}
	return t, p.allows(t, res)
}

func (p *Provider) allows(t Token, res Resource) error {
	switch res {
	case ResourceAny:
		return nil
	case ResourceUser:
		if t.IsClient() {
			return insufficient("a user's access token is required")
		}
		if !slices.Contains(t.Scopes, oidc.ScopeOpenID) {
			return insufficient("scope openid is required")
		}
		return nil
	case ResourceAdmin:
		if t.IsClient() {
			return insufficient("a user's access token is required")
		}
		if !slices.Contains(t.Claims.Audience, p.AdminAudience()) || !slices.Contains(t.Scopes, model.ScopeAdmin) {
			return insufficient("the admin API needs a token for audience %s with scope %s", p.AdminAudience(), model.ScopeAdmin)
		}
		// Live: a client that lost the scope or became public loses the
		// admin API at once.
		if t.Client.Public || !slices.Contains(t.Client.AllowedScopes, model.ScopeAdmin) {
			return insufficient("client %s may not use the admin API", t.ClientID)
		}
		return nil
	case ResourcePolicyCaller:
		if !t.IsClient() || !t.Client.PolicyDecision || t.Client.Public {
			return insufficient("only a policy-decision client's own (client credentials) token may ask for decisions")
		}
		return nil
	}
	return insufficient("unknown resource")
}
